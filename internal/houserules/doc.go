// Package houserules holds the test that keeps klynge's package boundaries
// (docs/ARCHITECTURE.md, "Rules of the house") from eroding: it lists every
// package with go list and fails on any import a rule forbids. It has no
// code of its own.
package houserules
