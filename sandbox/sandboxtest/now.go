package sandboxtest

import (
	"os"
	"testing"
	"time"
)

// DefaultNow is the sandbox's present in tests unless KLYNGE_TEST_NOW moves it.
const DefaultNow = "2026-11-22T12:00:00Z"

// Now is the present every test gives the sandbox (and the gateway's clock,
// which starts there). It is pinned so that no test depends on the day or the
// hour it runs; KLYNGE_TEST_NOW (RFC 3339) moves it, so that CI can run the
// suite at other dates (a Sunday night, a year ahead) and a test that only
// passes on some days cannot hide.
func Now(t testing.TB) time.Time {
	t.Helper()
	s := os.Getenv("KLYNGE_TEST_NOW")
	if s == "" {
		s = DefaultNow
	}
	now, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatalf("sandboxtest: KLYNGE_TEST_NOW=%q: must be RFC 3339, e.g. %s", s, DefaultNow)
	}
	return now
}
