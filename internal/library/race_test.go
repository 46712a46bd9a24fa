//go:build race

package library

// raceEnabled is true under -race, which slows the kill test's child process
// ten times over.
const raceEnabled = true
