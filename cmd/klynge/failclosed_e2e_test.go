package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/sundhedsklynge/klynge/sandbox"
	"github.com/sundhedsklynge/klynge/sandbox/controls"
	"github.com/sundhedsklynge/klynge/sandbox/sandboxtest"
)

// TestNoDataWithoutTheAccessLog: when the access log cannot be written, a
// read that would disclose a citizen's data gets 503 and no data, and the
// gateway reports itself not ready.
func TestNoDataWithoutTheAccessLog(t *testing.T) {
	var logs syncBuffer
	st, err := startDemoStack(t.Context(), sandbox.Config{Population: 2000, Now: sandboxtest.Now(t), Logger: newLogger(&logs)}, "127.0.0.1:0", "127.0.0.1:0", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.gateway.Close() })
	go st.serve(t.Context())
	d := &demo{GraphQL: st.gatewayListener.URL() + "/graphql", Sandbox: st.sandboxListener.URL(), Output: &logs}
	useDefaultToken(t, d)
	// A citizen the GP reads by relationship, so that the decision needs no
	// grant from the (soon closed) log and only the append can fail.
	cpr := demoClients(t, d.Sandbox)[defaultClient].ExampleCitizen
	read := `query($cpr: CPR!) { citizen(cpr: $cpr) { name } }`

	if r := query(t, d.GraphQL, read, map[string]any{"cpr": cpr}); len(r.Errors) > 0 || !strings.Contains(string(r.Data), "name") {
		t.Fatalf("with the log working: %+v %s", r.Errors, r.Data)
	}
	if err := st.gateway.access.log.Close(); err != nil { // the database goes away
		t.Fatal(err)
	}
	resetStats(t, d)

	for _, accept := range []string{"application/json", "application/graphql-response+json"} {
		t.Run("answered as "+accept, func(t *testing.T) {
			body, _ := json.Marshal(map[string]any{"query": read, "variables": map[string]any{"cpr": cpr}})
			req, _ := http.NewRequest(http.MethodPost, d.GraphQL, bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Accept", accept)
			req.Header.Set("Authorization", "Bearer "+bearerFor(d.GraphQL))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			raw, _ := io.ReadAll(resp.Body)
			var out struct {
				Data   json.RawMessage `json:"data"`
				Errors []gqlError      `json:"errors"`
			}
			json.Unmarshal(raw, &out)
			if resp.StatusCode != http.StatusServiceUnavailable || len(out.Data) != 0 || len(out.Errors) != 1 ||
				out.Errors[0].Extensions["code"] != "ACCESS_LOG_UNAVAILABLE" {
				t.Fatalf("status %d body %s: want 503 ACCESS_LOG_UNAVAILABLE and no data", resp.StatusCode, raw)
			}
			if strings.Contains(string(raw), cpr) {
				t.Fatalf("the refusal names the citizen: %s", raw)
			}
			if secs, err := strconv.Atoi(resp.Header.Get("Retry-After")); err != nil || secs < 1 {
				t.Errorf("Retry-After %q on ACCESS_LOG_UNAVAILABLE, want whole seconds", resp.Header.Get("Retry-After"))
			}
		})
	}
	t.Run("nothing is read that could not be recorded", func(t *testing.T) {
		if n := sandboxGet[controls.Stats](t, d, "/_sandbox/stats").TotalRequests(); n != 0 {
			t.Errorf("%d upstream requests for reads the access log could not record, want 0", n)
		}
	})
	t.Run("not ready", func(t *testing.T) {
		resp, err := http.Get(st.gatewayListener.URL() + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var rep readinessReport
		json.NewDecoder(resp.Body).Decode(&rep)
		if resp.StatusCode != http.StatusServiceUnavailable || !slices.Contains(rep.Failing, "accessLog") {
			t.Fatalf("/readyz = %d %+v with the access log down, want 503 naming accessLog", resp.StatusCode, rep)
		}
	})
	t.Run("operations that disclose nothing still run", func(t *testing.T) {
		if r := query(t, d.GraphQL, `{ version me { role } }`, nil); len(r.Errors) > 0 {
			t.Fatalf("%+v", r.Errors)
		}
	})
	assertLogsClean(t, d.GraphQL, logs.String())
}
