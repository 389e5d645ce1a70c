package ehospital

import (
	"net/url"
	"testing"
	"time"

	"github.com/sundhedsklynge/klynge/sandbox/population"
)

func TestDateFilterMatchesOverlappingPeriods(t *testing.T) {
	loc, err := population.Copenhagen()
	if err != nil {
		t.Fatal(err)
	}
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	// A stay from 3 to 5 November (local), and one still ongoing since 4 November.
	stay := [2]time.Time{at("2025-11-03T10:00:00+01:00"), at("2025-11-05T09:00:00+01:00")}
	ongoing := [2]time.Time{at("2025-11-04T12:00:00+01:00"), {}}
	for _, tc := range []struct {
		value            string
		stay, inProgress bool
	}{
		{"2025-11-04", true, true},
		{"2025-11-05", true, true},
		{"2025-11-06", false, true},
		{"2025-11", true, true},
		{"ge2025-11-05", true, true},
		{"gt2025-11-05", false, true},
		{"ge2025-11-05T09:00:00+01:00", true, true},
		{"gt2025-11-05T09:00:00+01:00", false, true},
		{"le2025-11-03", true, false},
		{"lt2025-11-03", false, false},
		{"lt2025-11-03T10:00:01+01:00", true, false},
		{"le2025-11-04T11:59:59Z", true, true},
	} {
		f, err := parseDate(tc.value, loc)
		if err != nil {
			t.Fatalf("%s: %v", tc.value, err)
		}
		if got := f.matches(stay[0], stay[1]); got != tc.stay {
			t.Errorf("date=%s on a finished stay: %v, want %v", tc.value, got, tc.stay)
		}
		if got := f.matches(ongoing[0], ongoing[1]); got != tc.inProgress {
			t.Errorf("date=%s on an ongoing stay: %v, want %v", tc.value, got, tc.inProgress)
		}
	}
}

func TestTheSameSearchGetsTheSameStoredID(t *testing.T) {
	loc, _ := population.Copenhagen()
	d, _ := LookupDialect(DefaultDialect)
	a, err := parseQuery(d, "Encounter", url.Values{"patient.identifier": {"6101320306,7512729984"}, "_count": {"10"}}, loc, resolver{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := parseQuery(d, "Encounter", url.Values{"patient.identifier": {"7512729984,6101320306"}, "_count": {"20"}}, loc, resolver{})
	if err != nil {
		t.Fatal(err)
	}
	c, err := parseQuery(d, "Encounter", url.Values{"patient.identifier": {"6101320306"}}, loc, resolver{})
	if err != nil {
		t.Fatal(err)
	}
	if a.id() != b.id() {
		t.Error("reordered OR list or another page size gave another search id")
	}
	if a.id() == c.id() {
		t.Error("different searches share an id")
	}
}
