//go:build race

package main

// raceDetector says the tests run under the race detector, which slows
// pure arithmetic five to ten times and finds nothing in it.
const raceDetector = true
