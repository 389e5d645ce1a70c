package sandbox_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sundhedsklynge/klynge/connectors/ehospital/fhir"
	"github.com/sundhedsklynge/klynge/sandbox"
	"github.com/sundhedsklynge/klynge/sandbox/sandboxtest"
)

// TestPagingSurvivesTheClockMoving: in a world that runs on, the systems
// are rebuilt over each new view of the world; a client paging through an
// eHospitalet search while the clock moves must still get its next pages
// (found: every paged search of a demo at -speed 3600 answered 410 Gone,
// its stored search forgotten with the view it was made in).
func TestPagingSurvivesTheClockMoving(t *testing.T) {
	s := sandboxtest.Start(t, sandbox.Config{Population: 4000, Seed: 1, Now: testNow, Horizon: 48 * time.Hour})
	ids := cprList(s, 200)
	b, a := fhirSearch(t, s, "Encounter", url.Values{"patient.identifier": {strings.Join(ids, ",")}, "_count": {"1"}})
	wantStatus(t, a, http.StatusOK)
	if b.NextURL() == "" {
		t.Fatalf("a search of 200 citizens a page at a time has one page (%d entries): the test shows nothing", len(b.Entry))
	}
	pages := 1
	for next := b.NextURL(); next != ""; next = b.NextURL() {
		// An hour later each page: a new view of the world every time.
		a := postJSON(t, s.URLs.Controls+"/clock", map[string]any{"advance": "1h"})
		wantStatus(t, a, http.StatusOK)
		a = get(t, next)
		wantStatus(t, a, http.StatusOK)
		b = fhir.Bundle{}
		a.decode(t, &b)
		pages++
	}
	if pages < 3 {
		t.Fatalf("paged %d pages: the clock moved too few times to show anything", pages)
	}
}
