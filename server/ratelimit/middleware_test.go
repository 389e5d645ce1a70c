package ratelimit_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/sundhedsklynge/klynge/errcode"
	"github.com/sundhedsklynge/klynge/server/ratelimit"
)

func TestMiddlewareAnswers429WithRetryAfter(t *testing.T) {
	l := ratelimit.NewMemory(ratelimit.Rate{PerSecond: 0.25, Burst: 1})
	ts := httptest.NewServer(ratelimit.Middleware(l, nil, nil, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
	})))
	defer ts.Close()
	do := func(token string) *http.Response {
		req, _ := http.NewRequest("POST", ts.URL, nil)
		req.Header.Set("Accept", "application/graphql-response+json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	if resp := do(""); resp.StatusCode != 200 {
		t.Fatalf("first request: %d", resp.StatusCode)
	}
	resp := do("")
	defer resp.Body.Close()
	var body struct {
		Data   any
		Errors []struct {
			Message    string
			Extensions struct{ Code string }
		}
	}
	_ = json.NewDecoder(resp.Body).Decode(&body)
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "4" {
		t.Fatalf("second request: %d Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/graphql-response+json") || body.Data != nil ||
		len(body.Errors) != 1 || body.Errors[0].Extensions.Code != errcode.RateLimited || !strings.Contains(body.Errors[0].Message, "rateLimit.burst") {
		t.Fatalf("429 body: %+v", body)
	}
	if resp := do("a-token"); resp.StatusCode != 200 {
		t.Fatalf("a bearer token has its own bucket, got %d", resp.StatusCode)
	}
}

func TestClientKey(t *testing.T) {
	a := httptest.NewRequest("GET", "/", nil)
	a.RemoteAddr = "192.0.2.1:5000"
	b := httptest.NewRequest("GET", "/", nil)
	b.RemoteAddr = "192.0.2.1:6000"
	b.Header.Set("X-Forwarded-For", "198.51.100.7")
	if ratelimit.ClientKey(a) != ratelimit.ClientKey(b) {
		t.Error("the port or a forged X-Forwarded-For changed the key")
	}
	a.Header.Set("Authorization", "Bearer secret-token")
	if k := ratelimit.ClientKey(a); strings.Contains(k, "secret-token") || !strings.HasPrefix(k, "token:") {
		t.Errorf("token key %q", k)
	}
}
