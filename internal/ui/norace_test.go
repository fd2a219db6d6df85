//go:build !race

package ui

// raceEnabled is set when the tests run under the race detector.
const raceEnabled = false
