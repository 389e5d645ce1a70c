package sandbox_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sundhedsklynge/klynge/domain"
	"github.com/sundhedsklynge/klynge/sandbox"
	"github.com/sundhedsklynge/klynge/sandbox/sandboxtest"
)

// testNow is the fixed present of every test sandbox.
var testNow = time.Date(2025, 11, 20, 12, 0, 0, 0, time.UTC)

// start serves a small world (4,000 citizens): enough of everything, fast
// under -race.
func start(t *testing.T) *sandboxtest.Server {
	t.Helper()
	return sandboxtest.Start(t, sandbox.Config{Population: 4000, Seed: 1, Now: testNow})
}

type answer struct {
	status int
	header http.Header
	body   []byte
}

func (a answer) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(a.body, v); err != nil {
		t.Fatalf("decode %T: %v\n%s", v, err, a.body)
	}
}

// call sends one request; a string body is sent as is, anything else as JSON.
func call(t *testing.T, method, url, contentType string, body any) answer {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(data)
		if contentType == "" {
			contentType = "application/json"
		}
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read: %v", method, url, err)
	}
	return answer{status: resp.StatusCode, header: resp.Header, body: data}
}

func postJSON(t *testing.T, url string, body any) answer {
	t.Helper()
	return call(t, http.MethodPost, url, "application/json", body)
}

func get(t *testing.T, url string) answer {
	t.Helper()
	return call(t, http.MethodGet, url, "", nil)
}

// wantStatus fails unless the answer has the status and, for errors, a
// message containing every fragment.
func wantStatus(t *testing.T, a answer, status int, fragments ...string) {
	t.Helper()
	if a.status != status {
		t.Fatalf("status %d, want %d: %s", a.status, status, a.body)
	}
	body := strings.ReplaceAll(string(a.body), `\"`, `"`) // fragments quote as people read them
	for _, f := range fragments {
		if !strings.Contains(body, f) {
			t.Fatalf("answer does not mention %q: %s", f, a.body)
		}
	}
}

// cprList makes n CPR strings of the world's first citizens.
func cprList(s *sandboxtest.Server, n int) []string {
	out := make([]string, n)
	for i := range n {
		out[i] = string(s.Sandbox.World().Citizens()[i%len(s.Sandbox.World().Citizens())].CPR)
	}
	return out
}

func domainCPR(s string) domain.CPR { return domain.CPR(s) }
