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
		{"a plain id is kept", "portal-42.a_b", true},
		{"none is made", "", false},
		{"one with a space is replaced", "a b", false},
		{"one with a CPR-like dash and slash is replaced", "0101/90-1234", false},
		{"one over 64 bytes is replaced", strings.Repeat("a", 65), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var seen string
			h := requestid.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				seen = requestid.From(r.Context())
			}))
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			if tc.sent != "" {
				req.Header.Set(requestid.Header, tc.sent)
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
		})
	}
}
