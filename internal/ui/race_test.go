//go:build race

package ui

// raceEnabled is set when the tests run under the race detector, which
// makes drawing several times slower: the layout tests then draw fewer
// sizes.
const raceEnabled = true
