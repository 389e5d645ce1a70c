package upstream

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/sundhedsklynge/klynge/errcode"
)

const syntheticCPR = "6703851234" // day 67: a replacement number, never a real person

func TestResponseSizeLimit(t *testing.T) {
	big := bytes.Repeat([]byte("x"), 2048)
	tests := []struct {
		name    string
		handler func(int, http.ResponseWriter, *http.Request)
	}{
		{"declared length over the limit", func(_ int, w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Length", "2048")
			_, _ = w.Write(big)
		}},
		{"chunked body over the limit", func(_ int, w http.ResponseWriter, _ *http.Request) {
			for i := 0; i < len(big); i += 256 {
				_, _ = w.Write(big[i : i+256])
				http.NewResponseController(w).Flush()
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newCountingServer(t, tt.handler)
			c := newTestClient(t, Options{BaseURL: srv.URL, MaxResponseBytes: 1024})
			_, err := c.Do(context.Background(), Request{Op: "big", Path: "/big"})
			var tl *ResponseTooLargeError
			if !errors.As(err, &tl) || tl.Limit != 1024 || tl.System != "testsys" || tl.Op != "big" {
				t.Fatalf("want *ResponseTooLargeError{testsys, big, 1024}, got %T %v", err, err)
			}
			if _, code, _ := Classify(err); code != errcode.UpstreamBadResponse {
				t.Errorf("Classify code %s, want %s", code, errcode.UpstreamBadResponse)
			}
			if srv.count() != 1 {
				t.Errorf("an oversized answer was retried: %d requests", srv.count())
			}
		})
	}
	t.Run("body at the limit is accepted", func(t *testing.T) {
		srv := newCountingServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(big[:1024]) })
		c := newTestClient(t, Options{BaseURL: srv.URL, MaxResponseBytes: 1024})
		resp, err := c.Do(context.Background(), Request{Path: "/"})
		if err != nil || len(resp.Body) != 1024 {
			t.Fatalf("got %v, %d bytes", err, len(resp.Body))
		}
	})
}

func TestStatusErrorKeepsTheBodyForTheConnector(t *testing.T) {
	outcome := `{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"too-costly"}]}`
	srv := newCountingServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Retry-After", "3")
		w.WriteHeader(http.StatusUnprocessableEntity)
		_, _ = io.WriteString(w, outcome+strings.Repeat(" ", 10<<10))
	})
	c := newTestClient(t, Options{BaseURL: srv.URL})
	_, err := c.Do(context.Background(), Request{Op: "encounter_search", Path: "/Encounter/_search", Method: "POST", Body: []byte("a=b"), Safe: true})
	var se *StatusError
	if !errors.As(err, &se) {
		t.Fatalf("want *StatusError, got %v", err)
	}
	if se.Status != 422 || se.Op != "encounter_search" || se.RetryAfter != 3*time.Second {
		t.Errorf("StatusError = %+v", se)
	}
	if len(se.Body) != 4096 || !bytes.HasPrefix(se.Body, []byte(outcome)) {
		t.Errorf("body kept: %d bytes, want the first 4096", len(se.Body))
	}
	if got := se.Error(); got != "upstream testsys: encounter_search: HTTP 422 Unprocessable Entity" {
		t.Errorf("Error() = %q", got)
	}
}

func TestRedirectsAreNotFollowed(t *testing.T) {
	elsewhere := newCountingServer(t, func(int, http.ResponseWriter, *http.Request) {})
	srv := newCountingServer(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, elsewhere.URL+"/steal", http.StatusFound)
	})
	c := newTestClient(t, Options{BaseURL: srv.URL, Auth: Auth{BearerToken: "secret"}})
	err := get(context.Background(), c, "/r")
	var se *StatusError
	if !errors.As(err, &se) || se.Status != http.StatusFound {
		t.Fatalf("want *StatusError 302, got %v", err)
	}
	if elsewhere.count() != 0 {
		t.Fatal("the redirect was followed to another host")
	}
}

func TestRequestHeadersAndCredentials(t *testing.T) {
	type seen struct{ auth, accept, contentType, userAgent, query, body string }
	var mu sync.Mutex
	var last seen
	srv := newCountingServer(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		last = seen{r.Header.Get("Authorization"), r.Header.Get("Accept"), r.Header.Get("Content-Type"),
			r.Header.Get("User-Agent"), r.URL.RawQuery, string(b)}
		mu.Unlock()
		_, _ = w.Write([]byte(`{}`))
	})
	lastSeen := func() seen { mu.Lock(); defer mu.Unlock(); return last }

	t.Run("static bearer token, JSON defaults and user agent", func(t *testing.T) {
		c := newTestClient(t, Options{BaseURL: srv.URL, UserAgent: "klynge-test", Auth: Auth{BearerToken: "tok-1"}})
		var out struct{}
		if err := c.PostJSON(context.Background(), "search", "/search", map[string]int{"a": 1}, &out); err != nil {
			t.Fatal(err)
		}
		got := lastSeen()
		want := seen{"Bearer tok-1", "application/json", "application/json", "klynge-test", "", `{"a":1}`}
		if got != want {
			t.Errorf("upstream saw %+v, want %+v", got, want)
		}
	})
	t.Run("query added to the path's own query", func(t *testing.T) {
		c := newTestClient(t, Options{BaseURL: srv.URL})
		_, err := c.Do(context.Background(), Request{Path: "/feed?after=c1", Query: url.Values{"limit": {"5"}}, Accept: "application/fhir+json"})
		if err != nil {
			t.Fatal(err)
		}
		if got := lastSeen(); got.query != "after=c1&limit=5" || got.accept != "application/fhir+json" || got.auth != "" {
			t.Errorf("upstream saw %+v", got)
		}
	})
	t.Run("token file is re-read when it changes", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "token")
		if err := os.WriteFile(file, []byte("first\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		c := newTestClient(t, Options{BaseURL: srv.URL, Auth: Auth{BearerTokenFile: file}})
		if err := get(context.Background(), c, "/"); err != nil {
			t.Fatal(err)
		}
		if got := lastSeen().auth; got != "Bearer first" {
			t.Fatalf("Authorization %q, want Bearer first", got)
		}
		if err := os.WriteFile(file, []byte("second-token\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		later := time.Now().Add(time.Minute)
		if err := os.Chtimes(file, later, later); err != nil {
			t.Fatal(err)
		}
		if err := get(context.Background(), c, "/"); err != nil {
			t.Fatal(err)
		}
		if got := lastSeen().auth; got != "Bearer second-token" {
			t.Fatalf("after rotation Authorization %q, want Bearer second-token", got)
		}
	})
}

func TestMetricsRecordCallsAttemptsRetriesAndKeys(t *testing.T) {
	srv := newCountingServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/flaky" && n == 1 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		if r.URL.Path == "/missing" {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		_, _ = w.Write([]byte(`{}`))
	})
	reg := prometheus.NewRegistry()
	c := newTestClient(t, Options{BaseURL: srv.URL, Metrics: mustMetrics(t, reg),
		Retry: RetryOptions{WaitMin: time.Millisecond, WaitMax: time.Millisecond}})
	ctx := context.Background()
	if _, err := c.Do(ctx, Request{Op: "flaky", Path: "/flaky", Keys: 42}); err != nil {
		t.Fatal(err)
	}
	_, _ = c.Do(ctx, Request{Op: "lookup", Path: "/missing"})

	// A second NewMetrics on the same registry is refused with an error.
	if again, err := NewMetrics(reg); err == nil || again != nil {
		t.Error("NewMetrics twice on one registry did not fail")
	}

	checks := []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"klynge_upstream_requests_total", map[string]string{"system": "testsys", "op": "flaky", "outcome": OutcomeOK}, 1},
		{"klynge_upstream_requests_total", map[string]string{"op": "lookup", "outcome": OutcomeStatus4xx}, 1},
		{"klynge_upstream_retries_total", map[string]string{"op": "flaky"}, 1},
		{"klynge_upstream_request_duration_seconds", map[string]string{"op": "flaky"}, 2},
		{"klynge_upstream_call_duration_seconds", map[string]string{"op": "flaky"}, 1},
		{"klynge_upstream_batch_keys", map[string]string{"op": "flaky"}, 1},
		{"klynge_upstream_breaker_state", map[string]string{"system": "testsys"}, 0},
	}
	for _, ck := range checks {
		if got := metricValue(t, reg, ck.name, ck.labels); got != ck.want {
			t.Errorf("%s%v = %v, want %v", ck.name, ck.labels, got, ck.want)
		}
	}
}

func TestDecodeFailureIsABadResponse(t *testing.T) {
	srv := newCountingServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, `{"contacts":[{"cpr":"x"},{"cpr":`+syntheticCPR+`}]}`)
	})
	reg := prometheus.NewRegistry()
	c := newTestClient(t, Options{System: "outofhours", BaseURL: srv.URL, Metrics: mustMetrics(t, reg)})
	var out struct {
		Contacts []struct {
			CPR string `json:"cpr"`
		} `json:"contacts"`
	}
	err := c.PostJSON(context.Background(), "contact_search", "/contacts/search", map[string]any{}, &out)
	var de *DecodeError
	if !errors.As(err, &de) || de.System != "outofhours" || de.Field != "contacts[1].cpr" {
		t.Fatalf("want *DecodeError at contacts[1].cpr, got %v", err)
	}
	if strings.Contains(err.Error(), syntheticCPR) {
		t.Errorf("error message quotes the CPR: %v", err)
	}
	if got := metricValue(t, reg, "klynge_upstream_requests_total", map[string]string{"outcome": OutcomeBadResponse}); got != 1 {
		t.Errorf("bad_response outcomes = %v, want 1", got)
	}
}

func TestLogsNeitherQueryNorBody(t *testing.T) {
	srv := newCountingServer(t, func(n int, w http.ResponseWriter, _ *http.Request) {
		if n == 1 {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		_, _ = io.WriteString(w, `{"cpr":"`+syntheticCPR+`"}`)
	})
	var buf bytes.Buffer
	var mu sync.Mutex
	logger := slog.New(slog.NewJSONHandler(lockedWriter{&mu, &buf}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c := newTestClient(t, Options{BaseURL: srv.URL, Logger: logger,
		Retry: RetryOptions{WaitMin: time.Millisecond, WaitMax: time.Millisecond}})
	var out map[string]any
	if err := c.GetJSON(context.Background(), "patient_read", "/Patient?identifier="+syntheticCPR, &out); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	logged := buf.String()
	mu.Unlock()
	if strings.Contains(logged, syntheticCPR) || strings.Contains(logged, "identifier") {
		t.Errorf("log holds the query or body: %s", logged)
	}
	for _, want := range []string{`"system":"testsys"`, `"op":"patient_read"`, `"attempt":1`, `"attempt":2`, `"status":502`, `"status":200`} {
		if !strings.Contains(logged, want) {
			t.Errorf("log lacks %s: %s", want, logged)
		}
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func TestOffHostNextLinkIsRefusedWithoutARequest(t *testing.T) {
	evil := newCountingServer(t, func(int, http.ResponseWriter, *http.Request) {})
	srv := newCountingServer(t, func(int, http.ResponseWriter, *http.Request) {})
	c := newTestClient(t, Options{BaseURL: srv.URL + "/fhir"})
	err := get(context.Background(), c, evil.URL+"/fhir/Encounter?_page=2&patient.identifier="+syntheticCPR)
	if err == nil {
		t.Fatal("followed a link to another host")
	}
	if evil.count()+srv.count() != 0 {
		t.Fatal("a request was sent")
	}
	if strings.Contains(err.Error(), syntheticCPR) {
		t.Errorf("error quotes the link: %v", err)
	}
}

func TestUnreachableUpstreamIsUnavailable(t *testing.T) {
	srv := newCountingServer(t, func(int, http.ResponseWriter, *http.Request) {})
	addr := srv.URL
	srv.Close() // nothing listens there any more
	c := newTestClient(t, Options{System: "municipal/330", BaseURL: addr,
		Retry: RetryOptions{WaitMin: time.Millisecond, WaitMax: time.Millisecond}})
	err := get(context.Background(), c, "/")
	var ue *UnavailableError
	if !errors.As(err, &ue) {
		t.Fatalf("want *UnavailableError, got %T %v", err, err)
	}
	if sys, code, ok := Classify(err); !ok || sys != "municipal/330" || code != errcode.UpstreamUnavailable {
		t.Errorf("Classify = %s %s %v", sys, code, ok)
	}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		name     string
		err      error
		wantSys  string
		wantCode string
		wantOK   bool
	}{
		{"nil", nil, "", "", false},
		{"a plain error is not an upstream's", errors.New("boom"), "", "", false},
		{"caller cancelled", fmt.Errorf("x: %w", context.Canceled), "", "", false},
		{"timeout", &TimeoutError{System: "ehospital"}, "ehospital", errcode.UpstreamTimeout, true},
		{"wrapped unavailable", fmt.Errorf("outofhours: search contacts: %w", &UnavailableError{System: "outofhours", Err: ErrBreakerOpen}), "outofhours", errcode.UpstreamUnavailable, true},
		{"decode", &DecodeError{System: "gpreferral", Field: "referrals[0].sentAt"}, "gpreferral", errcode.UpstreamBadResponse, true},
		{"too large", &ResponseTooLargeError{System: "ehospital"}, "ehospital", errcode.UpstreamBadResponse, true},
		{"503", &StatusError{System: "municipal/330", Status: 503}, "municipal/330", errcode.UpstreamUnavailable, true},
		{"429", &StatusError{System: "s", Status: 429}, "s", errcode.UpstreamUnavailable, true},
		{"401 refused credentials", &StatusError{System: "s", Status: 401}, "s", errcode.UpstreamUnavailable, true},
		{"504", &StatusError{System: "s", Status: 504}, "s", errcode.UpstreamTimeout, true},
		{"400", &StatusError{System: "s", Status: 400}, "s", errcode.UpstreamBadResponse, true},
		{"302", &StatusError{System: "s", Status: 302}, "s", errcode.UpstreamBadResponse, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sys, code, ok := Classify(tt.err)
			if sys != tt.wantSys || code != tt.wantCode || ok != tt.wantOK {
				t.Errorf("Classify = %q %q %v, want %q %q %v", sys, code, ok, tt.wantSys, tt.wantCode, tt.wantOK)
			}
		})
	}
}

// roundTripFunc adapts a function to http.RoundTripper.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestWrapSeesTheWholeCallOnce(t *testing.T) {
	srv := newCountingServer(t, func(n int, w http.ResponseWriter, _ *http.Request) {
		if n < 3 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte(`{}`))
	})
	var wrapped atomic.Int32
	var finalStatus atomic.Int32
	c := newTestClient(t, Options{BaseURL: srv.URL, Retry: RetryOptions{WaitMin: time.Millisecond, WaitMax: time.Millisecond},
		Wrap: func(next http.RoundTripper) http.RoundTripper {
			return roundTripFunc(func(r *http.Request) (*http.Response, error) {
				wrapped.Add(1)
				resp, err := next.RoundTrip(r)
				if resp != nil {
					finalStatus.Store(int32(resp.StatusCode))
				}
				return resp, err
			})
		}})
	if err := get(context.Background(), c, "/"); err != nil {
		t.Fatal(err)
	}
	if wrapped.Load() != 1 || srv.count() != 3 || finalStatus.Load() != 200 {
		t.Errorf("Wrap saw %d calls ending in %d for %d attempts; want 1 call ending in 200 for 3", wrapped.Load(), finalStatus.Load(), srv.count())
	}
}
