package gqlhttp_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/sundhedsklynge/klynge/errcode"
	"github.com/sundhedsklynge/klynge/server/gqlhttp"
)

func TestBoundRefusesOversizedRequestsBeforeTheHandler(t *testing.T) {
	reached := 0
	inner := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reached++
		if _, err := io.ReadAll(r.Body); err != nil {
			gqlhttp.WriteError(w, r, errcode.RequestTooLarge, err.Error())
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	ts := httptest.NewServer(gqlhttp.Bound(1000, 2000, inner))
	defer ts.Close()

	cases := []struct {
		name    string
		req     func() *http.Request
		status  int
		reached bool
	}{
		{"a small request passes", func() *http.Request {
			r, _ := http.NewRequest("POST", ts.URL, strings.NewReader(`{"query":"{ version }"}`))
			return r
		}, 204, true},
		{"a body declared too large is refused unread", func() *http.Request {
			r, _ := http.NewRequest("POST", ts.URL, strings.NewReader(strings.Repeat("x", 1001)))
			return r
		}, 413, false},
		{"a chunked body that grows too large is cut off", func() *http.Request {
			r, _ := http.NewRequest("POST", ts.URL, io.MultiReader(strings.NewReader(strings.Repeat("x", 3000))))
			r.ContentLength = -1
			return r
		}, 413, true},
		{"headers over the limit are 431", func() *http.Request {
			r, _ := http.NewRequest("GET", ts.URL, nil)
			r.Header.Set("X-Padding", strings.Repeat("y", 2500))
			return r
		}, 431, false},
		{"a query string over the header limit is 431", func() *http.Request {
			r, _ := http.NewRequest("GET", ts.URL+"?query="+strings.Repeat("z", 2500), nil)
			return r
		}, 431, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := reached
			resp, err := http.DefaultClient.Do(tc.req())
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Errorf("status %d, want %d", resp.StatusCode, tc.status)
			}
			if (reached > before) != tc.reached {
				t.Errorf("handler reached = %v, want %v", reached > before, tc.reached)
			}
		})
	}
}
