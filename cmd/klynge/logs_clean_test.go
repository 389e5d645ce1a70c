package main

import (
	"encoding/json"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// The gateway's log must never hold a CPR, a name or an address. Every
// end-to-end test runs the demo with its log captured (startDemo), notes
// the CPRs it sends and the names and addresses it gets back, and fails
// when its demo's log holds any of them or anything shaped like a
// synthetic CPR.

// syntheticCPR matches a synthetic CPR (day of birth + 60: 61–91), plain
// or hyphenated, not part of a longer word or number (request ids are hex).
var syntheticCPR = regexp.MustCompile(`(?:^|[^0-9A-Za-z])(?:6[1-9]|[78][0-9]|9[01])(?:0[1-9]|1[0-2])[0-9]{2}-?[0-9]{4}(?:[^0-9A-Za-z]|$)`)

// identifying holds, per gateway URL, the CPRs, names and address lines a
// test exchanged with it.
var identifying sync.Map // string → *identifierSet

type identifierSet struct {
	mu     sync.Mutex
	values map[string]bool
}

func identifiersOf(graphqlURL string) *identifierSet {
	v, _ := identifying.LoadOrStore(graphqlURL, &identifierSet{values: map[string]bool{}})
	return v.(*identifierSet)
}

// noteIdentifiers records what a request sent and its response returned
// that identifies a citizen.
func noteIdentifiers(graphqlURL string, vars map[string]any, response []byte) {
	s := identifiersOf(graphqlURL)
	s.mu.Lock()
	defer s.mu.Unlock()
	// Names and address lines are taken from citizens only (objects with a
	// cpr, or under a citizen/citizens field): municipalities, clusters and
	// practices have names too, and those may be logged.
	var walk func(v any, key string, inCitizen bool)
	walk = func(v any, key string, inCitizen bool) {
		switch x := v.(type) {
		case map[string]any:
			_, hasCPR := x["cpr"]
			citizen := hasCPR || key == "citizen" || key == "citizens"
			for k, e := range x {
				switch {
				case citizen && (k == "name" || k == "givenName" || k == "familyName" || k == "address"):
					walk(e, k, true)
				case inCitizen && k == "line":
					walk(e, k, true)
				default:
					walk(e, k, false)
				}
			}
		case []any:
			for _, e := range x {
				walk(e, key, inCitizen)
			}
		case string:
			switch {
			case syntheticCPR.MatchString(x):
				s.values[x] = true
				s.values[strings.ReplaceAll(x, "-", "")] = true
			case inCitizen && (key == "name" || key == "givenName" || key == "familyName" || key == "line"):
				if len(x) >= 5 { // a name, not an initial; short strings would match anything
					s.values[x] = true
				}
			}
		}
	}
	walk(map[string]any(vars), "", false)
	var data any
	if json.Unmarshal(response, &data) == nil {
		walk(data, "", false)
	}
}

// assertLogsClean fails t if the demo's captured log holds an identifier
// its test exchanged or anything shaped like a synthetic CPR.
func assertLogsClean(t testing.TB, graphqlURL, logs string) {
	t.Helper()
	if m := syntheticCPR.FindString(logs); m != "" {
		t.Errorf("the gateway's log holds something shaped like a CPR: %q", strings.TrimSpace(m))
	}
	s := identifiersOf(graphqlURL)
	s.mu.Lock()
	defer s.mu.Unlock()
	for v := range s.values {
		if strings.Contains(logs, v) {
			t.Errorf("the gateway's log holds %q, which identifies a citizen", v)
		}
	}
	identifying.Delete(graphqlURL)
}

func TestLogCheckRecognisesIdentifiers(t *testing.T) {
	const url = "http://127.0.0.1:1/graphql"
	noteIdentifiers(url, map[string]any{"cprs": []any{"6303582839"}},
		[]byte(`{"data":{"citizen":{"name":"Finn Johansen","address":{"line":"Algade 12"},"sex":"MALE"}}}`))
	tests := []struct {
		name, logs string
		dirty      bool
	}{
		{"clean JSON lines (a CPR-shaped run inside a hex request id is not a CPR)", `{"level":"INFO","msg":"http request","request_id":"a7011502345b0c1d2e3f4a5b","status":200}`, false},
		{"a SOR code is not a CPR", `{"msg":"x","org":"990301000000301"}`, false},
		{"a CPR in a value", `{"msg":"x","err":"no patient 6303582839"}`, true},
		{"a hyphenated CPR", `{"msg":"x","err":"630358-2839"}`, true},
		{"another synthetic CPR", `{"msg":"x","cpr":"7011502345"}`, true},
		{"a name", `{"msg":"loaded Finn Johansen"}`, true},
		{"an address", `{"msg":"Algade 12"}`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dirty := syntheticCPR.MatchString(tt.logs)
			s := identifiersOf(url)
			s.mu.Lock()
			for v := range s.values {
				dirty = dirty || strings.Contains(tt.logs, v)
			}
			s.mu.Unlock()
			if dirty != tt.dirty {
				t.Fatalf("dirty = %v, want %v for %s", dirty, tt.dirty, tt.logs)
			}
		})
	}
	identifying.Delete(url)
}
