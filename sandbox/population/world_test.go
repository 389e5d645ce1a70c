package population

import (
	"sync"
	"testing"
	"time"
)

// DefaultNow is the fixed present the tests generate the default world for.
var testNow = time.Date(2025, 11, 20, 12, 0, 0, 0, time.UTC)

var (
	defaultOnce sync.Once
	defaultW    *World
	defaultWErr error
)

// defaultWorld is the default-size world, generated once per test binary.
func defaultWorld(t testing.TB) *World {
	t.Helper()
	defaultOnce.Do(func() {
		defaultW, defaultWErr = Generate(Config{Population: 20000, Seed: 1, Now: testNow})
	})
	if defaultWErr != nil {
		t.Fatal(defaultWErr)
	}
	return defaultW
}
