package browser_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/sundhedsklynge/klynge/server/browser"
)

func start(t *testing.T, opts browser.Options) (*httptest.Server, *int) {
	t.Helper()
	reached := new(int)
	ts := httptest.NewServer(browser.Guard(opts, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		*reached++
		w.WriteHeader(http.StatusOK)
	})))
	t.Cleanup(ts.Close)
	return ts, reached
}

func TestCSRF(t *testing.T) {
	ts, reached := start(t, browser.Options{AllowedOrigins: []string{"https://portal.example.dk"}})
	host := strings.TrimPrefix(ts.URL, "http://")
	cases := []struct {
		name    string
		method  string
		headers map[string]string
		refused bool
	}{
		{"a GET from a non-browser client passes", "GET", nil, false},
		{"a GET the user typed into the address bar passes", "GET", map[string]string{"Sec-Fetch-Site": "none"}, false},
		{"a GET from the API's own page passes", "GET", map[string]string{"Sec-Fetch-Site": "same-origin", "Origin": "http://" + host}, false},
		{"a cross-site GET (an <img> on another site) is refused", "GET", map[string]string{"Sec-Fetch-Site": "cross-site"}, true},
		{"a same-site GET from a sibling subdomain is refused", "GET", map[string]string{"Sec-Fetch-Site": "same-site"}, true},
		{"a GET with a foreign Origin is refused", "GET", map[string]string{"Origin": "https://evil.example"}, true},
		{"a GET with the opaque origin null is refused", "GET", map[string]string{"Origin": "null"}, true},
		{"a cross-site GET from an allowed portal passes", "GET", map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://portal.example.dk"}, false},
		{"a cross-site GET with a preflight header passes", "GET", map[string]string{"Sec-Fetch-Site": "cross-site", "Apollo-Require-Preflight": "true"}, false},
		{"a cross-site form POST is refused", "POST", map[string]string{"Sec-Fetch-Site": "cross-site", "Content-Type": "application/x-www-form-urlencoded"}, true},
		{"a cross-site text/plain POST is refused", "POST", map[string]string{"Origin": "https://evil.example", "Content-Type": "text/plain"}, true},
		{"a cross-site POST without Content-Type is refused", "POST", map[string]string{"Sec-Fetch-Site": "cross-site"}, true},
		{"a JSON POST is not simple: the preflight decides", "POST", map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example", "Content-Type": "application/json"}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := *reached
			req, _ := http.NewRequest(tc.method, ts.URL, nil)
			for k, v := range tc.headers {
				req.Header.Set(k, v)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			refused := resp.StatusCode == http.StatusForbidden
			if refused != tc.refused || (*reached > before) == tc.refused {
				t.Fatalf("status %d, handler reached %v; want refused %v", resp.StatusCode, *reached > before, tc.refused)
			}
		})
	}
}

func TestStrictCSRFWantsAPreflightHeaderEverywhere(t *testing.T) {
	ts, _ := start(t, browser.Options{Strict: true})
	for headers, want := range map[string]int{"": 403, "X-Requested-With": 200} {
		req, _ := http.NewRequest("GET", ts.URL, nil)
		if headers != "" {
			req.Header.Set(headers, "1")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("strict GET with %q: %d, want %d", headers, resp.StatusCode, want)
		}
	}
}

func TestCORS(t *testing.T) {
	ts, reached := start(t, browser.Options{AllowedOrigins: []string{"https://portal.example.dk"}, AllowCredentials: true})
	preflight := func(origin string) *http.Response {
		req, _ := http.NewRequest("OPTIONS", ts.URL, nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", "POST")
		req.Header.Set("Access-Control-Request-Headers", "content-type, authorization")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	t.Run("an allowed origin's preflight is answered", func(t *testing.T) {
		resp := preflight("https://portal.example.dk")
		h := resp.Header
		if resp.StatusCode != 204 || h.Get("Access-Control-Allow-Origin") != "https://portal.example.dk" ||
			h.Get("Access-Control-Allow-Credentials") != "true" || !strings.Contains(h.Get("Access-Control-Allow-Methods"), "POST") ||
			h.Get("Access-Control-Allow-Headers") != "content-type, authorization" || h.Get("Access-Control-Max-Age") != "600" {
			t.Fatalf("preflight: %d %v", resp.StatusCode, h)
		}
	})
	t.Run("another origin's preflight is refused", func(t *testing.T) {
		resp := preflight("https://evil.example")
		if resp.StatusCode != 403 || resp.Header.Get("Access-Control-Allow-Origin") != "" {
			t.Fatalf("preflight: %d %v", resp.StatusCode, resp.Header)
		}
	})
	t.Run("an allowed origin's request may read the answer", func(t *testing.T) {
		before := *reached
		req, _ := http.NewRequest("POST", ts.URL, strings.NewReader("{}"))
		req.Header.Set("Origin", "https://portal.example.dk")
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if *reached != before+1 || resp.Header.Get("Access-Control-Allow-Origin") != "https://portal.example.dk" || !strings.Contains(resp.Header.Get("Vary"), "Origin") {
			t.Fatalf("actual request: %v", resp.Header)
		}
	})
}
