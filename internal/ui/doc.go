// Package ui is mailwizard's terminal interface: the bubbletea wizard, its
// huh form, lipgloss styles, key map, and the plain renderer used in
// accessible mode. It is the only package that imports charm.land/*.
//
// There is one root model (model, the only tea.Model): a phase enum (loading
// → form → step screens and overview) and plain child structs (formModel,
// stepScreen, overview) that share one *shared value holding the window
// size, styles and key map. Update and View never block: DNS checks, key
// generation, saving and publishing run in tea.Cmds and come back as
// messages; check results carry a generation number so stale answers are
// dropped. All I/O is injected through a backend, so tests need no network.
//
// ui decides nothing about mail: what to publish and how to judge it come
// from internal/steps; ui only shows it.
package ui
