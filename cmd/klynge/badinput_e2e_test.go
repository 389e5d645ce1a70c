package main

import (
	"encoding/base64"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestBadInputGetsAClearError tries what a new user would get wrong. Each
// answer is a GraphQL error naming the argument and the rule, never a 5xx
// and never a panic.
func TestBadInputGetsAClearError(t *testing.T) {
	d := startDemo(t)
	good := sampleAndBreakGlass(t, d, 1, "care")[0]
	many := make([]string, 501)
	for i := range many {
		many[i] = fmt.Sprintf("%02d0385%04d", 61+i%28, i)
	}
	tests := []struct {
		name      string
		query     string
		vars      map[string]any
		wantCodes []string // any of these
		wantText  []string // all of these, in the first error's message
	}{
		{"malformed CPR in a variable", `query($c: CPR!) { citizen(cpr: $c) { name } }`, map[string]any{"c": "12345"},
			[]string{"BAD_USER_INPUT"}, []string{"cpr: invalid CPR (format)", "DDMMYY-SSSS"}},
		{"impossible date in a literal CPR", `{ citizen(cpr: "3102851234") { name } }`, nil,
			[]string{"BAD_USER_INPUT"}, []string{"invalid CPR (date)"}},
		{"month 13", `{ citizen(cpr: "6713851234") { name } }`, nil,
			[]string{"BAD_USER_INPUT"}, []string{"invalid CPR (month)"}},
		{"a number where a CPR belongs", `query($c: CPR!) { citizen(cpr: $c) { name } }`, map[string]any{"c": 6703851234},
			[]string{"BAD_USER_INPUT"}, []string{"must be a string, got a number"}},
		{"501 CPRs", `query($c: [CPR!]!) { citizens(cprs: $c) { name } }`, map[string]any{"c": many},
			[]string{"BAD_USER_INPUT", "COST_LIMIT_EXCEEDED"}, []string{"501"}},
		{"first: 10000", `query($c: CPR!) { citizen(cpr: $c) { hospitalEncounters(first: 10000) { totalCount } } }`, map[string]any{"c": good},
			[]string{"BAD_USER_INPUT", "COST_LIMIT_EXCEEDED"}, []string{"first", "10000"}},
		{"first: 0", `query($c: CPR!) { citizen(cpr: $c) { timeline(first: 0) { totalCount } } }`, map[string]any{"c": good},
			[]string{"BAD_USER_INPUT"}, []string{"first: must be between 1 and 100, got 0"}},
		{"a cursor that was never issued", `query($c: CPR!) { citizen(cpr: $c) { timeline(after: "bogus") { totalCount } } }`, map[string]any{"c": good},
			[]string{"BAD_USER_INPUT"}, []string{"after"}},
		{"a cursor at the largest offset", `query($c: CPR!, $a: String) { citizen(cpr: $c) { timeline(after: $a) { totalCount } } }`,
			map[string]any{"c": good, "a": base64.RawURLEncoding.EncodeToString([]byte("off:" + strconv.Itoa(math.MaxInt)))},
			[]string{"BAD_USER_INPUT"}, []string{"after"}},
		{"unknown field", `{ citizen(cpr: "6703851234") { shoeSize } }`, nil,
			[]string{"GRAPHQL_VALIDATION_FAILED"}, []string{"shoeSize"}},
		{"DateTime without offset", `query($c: CPR!) { citizen(cpr: $c) { timeline(since: "2026-11-01 10:00") { totalCount } } }`, map[string]any{"c": good},
			[]string{"BAD_USER_INPUT"}, []string{"RFC 3339"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := query(t, d.GraphQL, tt.query, tt.vars)
			if r.Status >= 500 {
				t.Fatalf("status %d", r.Status)
			}
			if len(r.Errors) == 0 {
				t.Fatalf("no error; data %s", r.Data)
			}
			if code := r.codes()[0]; !slices.Contains(tt.wantCodes, code) {
				t.Errorf("code %q, want one of %v (%s)", code, tt.wantCodes, r.Errors[0].Message)
			}
			for _, w := range tt.wantText {
				if !strings.Contains(r.Errors[0].Message, w) {
					t.Errorf("message %q does not contain %q", r.Errors[0].Message, w)
				}
			}
			if f, ok := r.Errors[0].Extensions["field"]; ok && f == "" {
				t.Errorf("BAD_USER_INPUT without the field's name: %+v", r.Errors[0])
			}
			if strings.Contains(r.Errors[0].Message, "internal") {
				t.Errorf("an input mistake reported as internal: %q", r.Errors[0].Message)
			}
		})
	}
}

// TestUnknownCitizenIsNull: a well-formed CPR no system knows is null, not
// an error.
func TestUnknownCitizenIsNull(t *testing.T) {
	d := startDemo(t)
	known := sampleAndBreakGlass(t, d, 1, "care")[0]
	// Without a relationship or grant an unknown CPR is FORBIDDEN like any
	// other (whether a citizen exists is not disclosed); with one, it is null.
	grantGlass(t, d, []string{"6101011234"})
	r := query(t, d.GraphQL, `query($c: [CPR!]!) { citizens(cprs: $c) { cpr } one: citizen(cpr: "6101011234") { cpr } }`,
		map[string]any{"c": []string{known, "610101-1234"}})
	if len(r.Errors) > 0 {
		t.Fatalf("errors: %+v", r.Errors)
	}
	want := fmt.Sprintf(`{"citizens":[{"cpr":"%s-%s"},null],"one":null}`, known[:6], known[6:])
	if string(r.Data) != want {
		t.Fatalf("data = %s, want %s", r.Data, want)
	}
}
