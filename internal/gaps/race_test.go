//go:build race

package gaps

// raceEnabled is true under -race, which slows the crash test's child
// process several times over.
const raceEnabled = true
