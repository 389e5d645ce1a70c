package statistics

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in, want string
		err      string
	}{
		{in: "2026-03", want: "2026-03"},
		{in: "2026-Q1", want: "2026-Q1"},
		{in: "2026-12", want: "2026-12"},
		{in: "2026-13", err: "month 13 does not exist"},
		{in: "2026-Q5", err: "quarter Q5 does not exist"},
		{in: "2026-W14", err: "ISO weeks are not published"},
		{in: "1999-01", err: "out of range"},
		{in: "March 2026", err: "must be a calendar month as YYYY-MM"},
		{in: "2026-3", err: "must be a calendar month as YYYY-MM"},
	}
	for _, tt := range tests {
		p, err := Parse(tt.in)
		switch {
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("Parse(%q) = %v, %v; want error containing %q", tt.in, p, err, tt.err)
		case tt.err == "" && err != nil:
			t.Errorf("Parse(%q): %v", tt.in, err)
		case tt.err == "" && p.String() != tt.want:
			t.Errorf("Parse(%q) = %s, want %s", tt.in, p, tt.want)
		}
	}
	if _, err := Parse("2026-W01"); !errors.Is(err, ErrWeek) {
		t.Errorf("a week: %v, want ErrWeek", err)
	}
}

// TestBoundsAreDanishMidnights: periods start and end at midnight in
// Copenhagen, across the change to and from summer time.
func TestBoundsAreDanishMidnights(t *testing.T) {
	loc, err := Copenhagen()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		p        string
		from, to string
	}{
		{"2026-03", "2026-02-28T23:00:00Z", "2026-03-31T22:00:00Z"}, // summer time starts 29 March
		{"2026-10", "2026-09-30T22:00:00Z", "2026-10-31T23:00:00Z"}, // and ends 25 October
		{"2026-Q1", "2025-12-31T23:00:00Z", "2026-03-31T22:00:00Z"},
		{"2026-Q4", "2026-09-30T22:00:00Z", "2026-12-31T23:00:00Z"},
	}
	for _, tt := range tests {
		p, err := Parse(tt.p)
		if err != nil {
			t.Fatal(err)
		}
		from, to := p.Bounds(loc)
		if got := from.UTC().Format(time.RFC3339); got != tt.from {
			t.Errorf("%s starts %s, want %s", tt.p, got, tt.from)
		}
		if got := to.UTC().Format(time.RFC3339); got != tt.to {
			t.Errorf("%s ends %s, want %s", tt.p, got, tt.to)
		}
	}
	q, _ := Parse("2026-Q2")
	if ms := q.Months(); len(ms) != 3 || ms[0].String() != "2026-04" || ms[2].String() != "2026-06" {
		t.Errorf("2026-Q2 months = %v", ms)
	}
	m, _ := Parse("2026-08")
	if m.QuarterOf().String() != "2026-Q3" {
		t.Errorf("2026-08 is in %s", m.QuarterOf())
	}
}
