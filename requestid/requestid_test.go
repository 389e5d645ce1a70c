package requestid_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/sundhedsklynge/klynge/requestid"
)

func TestMiddleware(t *testing.T) {
	cases := []struct {
		name, sent string
		kept       bool
	}{
		{"a UUID is kept", "3f2504e0-4f89-41d3-9a0c-0305e82c3301", true},
		{"a W3C trace id (32 hex digits) is kept", "4bf92f3577b34da6a3ce929d0e0e4736", true},
		{"one of our own (24 hex digits) is kept", "a1b2c3d4e5f60718293a4b5c", true},
		{"none is made", "", false},
		// The red team's id: ten digits that are a (synthetic) CPR number,
		// which would be copied into every log line and access-log record.
		{"a CPR number is replaced", "7607351932", false},
		{"a CPR number padded to hex length is replaced", "aaaaaa7607351932", false},
		{"a CPR number with its hyphen is replaced", "aaaaa760735-1932", false},
		{"a UUID carrying a CPR across a hyphen is replaced", "aa760735-1932-41d3-9a0c-0305e82c3301", false},
		{"free text is replaced", "portal-42.a_b", false},
		{"a name is replaced", "anna-jensen-visit", false},
		{"one with a space is replaced", "a b", false},
		{"one with a CPR-like dash and slash is replaced", "0101/90-1234", false},
		{"hex over 64 digits is replaced", strings.Repeat("a", 65), false},
		{"hex under 16 digits is replaced", "abcdef0123", false},
		{"a header-injection attempt is replaced", "abcdef0123456789\r\nX-Evil: 1", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var seen string
			h := requestid.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				seen = requestid.From(r.Context())
			}))
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			if tc.sent != "" {
				req.Header[requestid.Header] = []string{tc.sent}
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			echoed := rec.Header().Get(requestid.Header)
			if seen == "" || echoed != seen {
				t.Fatalf("context has %q, response echoes %q; want the same non-empty id", seen, echoed)
			}
			if (seen == tc.sent) != tc.kept {
				t.Errorf("sent %q, got %q; kept = %v, want %v", tc.sent, seen, seen == tc.sent, tc.kept)
			}
			if !requestid.Acceptable(seen) {
				t.Errorf("the id used, %q, is not one the middleware would accept", seen)
			}
		})
	}
}

// Made ids are always acceptable ones: never a run of digits that reads as
// a CPR number, however the random bytes fall.
func TestNewIsAlwaysAcceptable(t *testing.T) {
	for range 10000 {
		if id := requestid.New(); !requestid.Acceptable(id) || len(id) != 24 {
			t.Fatalf("New() = %q: not an acceptable 24-digit id", id)
		}
	}
}
