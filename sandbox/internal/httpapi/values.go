package httpapi

import (
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/sundhedsklynge/klynge/domain"
)

// Time writes t as RFC 3339 in loc (the systems are Danish: they write local
// time with its offset); the zero time is "".
func Time(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return t.In(loc).Format(time.RFC3339)
}

// ParseTime reads an optional RFC 3339 field; "" is the zero time.
func ParseTime(field, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, BadRequest("%s: must be an RFC 3339 time such as 2025-11-20T14:00:00+01:00, got %q", field, s)
	}
	return t, nil
}

// ParseWindow reads optional from/to and checks from is before to.
func ParseWindow(from, to string) (time.Time, time.Time, error) {
	f, err := ParseTime("from", from)
	if err != nil {
		return f, f, err
	}
	t, err := ParseTime("to", to)
	if err != nil {
		return f, t, err
	}
	if !f.IsZero() && !t.IsZero() && !f.Before(t) {
		return f, t, BadRequest("from: must be before to")
	}
	return f, t, nil
}

// InWindow reports whether at lies in [from, to), where a zero bound is open.
func InWindow(at, from, to time.Time) bool {
	return (from.IsZero() || !at.Before(from)) && (to.IsZero() || at.Before(to))
}

// ParseCPRs checks a list of CPRs against a limit and the CPR rules, naming
// the index of the first bad one; duplicates are kept once, in order.
func ParseCPRs(cprs []string, limit int) ([]domain.CPR, error) {
	if len(cprs) == 0 {
		return nil, BadRequest("cprs: at least one cpr is required")
	}
	if len(cprs) > limit {
		return nil, &Error{Status: 400, Code: "too_many_cprs", Message: fmt.Sprintf("cprs: at most %d cprs per request, got %d", limit, len(cprs))}
	}
	out := make([]domain.CPR, 0, len(cprs))
	seen := make(map[domain.CPR]bool, len(cprs))
	for i, s := range cprs {
		c, err := domain.ParseCPR(s)
		if err != nil {
			return nil, BadRequest("cprs[%d]: %v", i, err)
		}
		if !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	return out, nil
}

// OnlyParams refuses query parameters a route does not know, and repeats.
func OnlyParams(q url.Values, known ...string) error {
	for _, k := range slices.Sorted(maps.Keys(q)) {
		if !slices.Contains(known, k) {
			return BadRequest("%s: unknown parameter (known: %s)", k, strings.Join(known, ", "))
		}
		if len(q[k]) > 1 {
			return BadRequest("%s: may be given once", k)
		}
	}
	return nil
}
