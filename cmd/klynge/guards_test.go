package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sundhedsklynge/klynge/config"
	"github.com/sundhedsklynge/klynge/errcode"
	"github.com/sundhedsklynge/klynge/internal/schematest"
	"github.com/sundhedsklynge/klynge/server"
	"github.com/sundhedsklynge/klynge/server/trusted"
)

const listed = `query Version { version }`

// replica builds a gateway from cfg, as `klynge serve` would, over the test
// schema.
func replica(t *testing.T, cfg *config.Config) (*httptest.Server, *schematest.Executable) {
	t.Helper()
	g, closeGuards, err := guardsFromConfig(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { closeGuards() })
	es := schematest.New()
	ts := httptest.NewServer(server.New(server.Options{Schema: es, Guards: g}))
	t.Cleanup(ts.Close)
	return ts, es
}

func guardConfig(t *testing.T, yaml string) *config.Config {
	t.Helper()
	p := filepath.Join(t.TempDir(), "klynge.yaml")
	base := `
auth: {issuer: "https://idp.example/realms/klynge"}
upstreams:
  ehospital: {baseURL: "http://127.0.0.1:1/ehospital/fhir"}
  outofhours: {baseURL: "http://127.0.0.1:1/outofhours/api/v1"}
  gpreferral: {baseURL: "http://127.0.0.1:1/gpreferral"}
  municipal: {baseURLTemplate: "http://127.0.0.1:1/municipal/{code}/api", codes: [330]}
`
	if err := os.WriteFile(p, []byte(base+yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(p, nil)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

type result struct {
	status int
	code   string
	header http.Header
}

func post(t *testing.T, url string, body map[string]any) result {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", url+"/graphql", bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Errors []struct{ Extensions struct{ Code string } }
	}
	_ = json.NewDecoder(resp.Body).Decode(&out)
	r := result{status: resp.StatusCode, header: resp.Header}
	if len(out.Errors) > 0 {
		r.code = out.Errors[0].Extensions.Code
	}
	return r
}

func TestGuardsFromConfigEnforceTheManifest(t *testing.T) {
	manifest := filepath.Join(t.TempDir(), "persisted-documents.json")
	if err := os.WriteFile(manifest, []byte(`{"`+trusted.Hash(listed)+`": "`+listed+`"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	ts, es := replica(t, guardConfig(t, "trustedDocuments: {manifest: "+manifest+", enforce: true}\n"))
	if r := post(t, ts.URL, map[string]any{"documentId": "sha256:" + trusted.Hash(listed)}); r.status != 200 || r.code != "" {
		t.Fatalf("manifest operation: %+v", r)
	}
	if r := post(t, ts.URL, map[string]any{"query": "{ regions { name } }"}); r.code != errcode.OperationNotTrusted {
		t.Fatalf("unlisted operation: %+v", r)
	}
	if es.Executions.Load() != 1 {
		t.Fatalf("%d executions, want 1", es.Executions.Load())
	}
}

func TestGuardsFromConfigRefuseABadManifest(t *testing.T) {
	manifest := filepath.Join(t.TempDir(), "m.json")
	os.WriteFile(manifest, []byte(`{"`+strings.Repeat("0", 64)+`": "{ version }"}`), 0o600)
	cfg := guardConfig(t, "trustedDocuments: {manifest: "+manifest+"}\n")
	if _, _, err := guardsFromConfig(context.Background(), cfg, nil); err == nil || !strings.Contains(err.Error(), "trustedDocuments.manifest") {
		t.Fatalf("err = %v", err)
	}
}

func TestRateLimitFromConfig(t *testing.T) {
	ts, _ := replica(t, guardConfig(t, "rateLimit: {requestsPerSecond: 0.1, burst: 2}\n"))
	for i := range 2 {
		if r := post(t, ts.URL, map[string]any{"query": "{ version }"}); r.status != 200 {
			t.Fatalf("request %d: %+v", i+1, r)
		}
	}
	r := post(t, ts.URL, map[string]any{"query": "{ version }"})
	if r.status != 429 || r.code != "RATE_LIMITED" || r.header.Get("Retry-After") == "" {
		t.Fatalf("past the burst: %+v", r)
	}
}

// TestReplicasShareRedis runs two replicas on one Redis: a document one
// registers by APQ runs by hash on the other, and they share one budget.
func TestReplicasShareRedis(t *testing.T) {
	addr := os.Getenv("KLYNGE_TEST_REDIS_ADDR")
	if addr == "" {
		t.Skip("KLYNGE_TEST_REDIS_ADDR is not set (scripts/redis-start.sh)")
	}
	prefix := fmt.Sprintf("klynge-test-%d:", time.Now().UnixNano())
	cfg := guardConfig(t, "redis: {addr: \""+addr+"\", keyPrefix: \""+prefix+"\"}\nrateLimit: {requestsPerSecond: 0.01, burst: 3}\n")
	a, _ := replica(t, cfg)
	b, _ := replica(t, cfg)
	q := `query Regions { regions { name } }`
	apq := map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": trusted.Hash(q)}}
	if r := post(t, a.URL, map[string]any{"query": q, "extensions": apq}); r.status != 200 || r.code != "" {
		t.Fatalf("registration on a: %+v", r)
	}
	if r := post(t, b.URL, map[string]any{"extensions": apq}); r.status != 200 || r.code != "" {
		t.Fatalf("hash on b: %+v", r)
	}
	if r := post(t, b.URL, map[string]any{"query": "{ version }"}); r.status != 200 {
		t.Fatalf("third request: %+v", r)
	}
	if r := post(t, a.URL, map[string]any{"query": "{ version }"}); r.status != 429 {
		t.Fatalf("fourth request across replicas: %+v, want 429", r)
	}
}

func TestGuardsFromConfigFailWhenRedisDoesNotAnswer(t *testing.T) {
	cfg := guardConfig(t, "redis: {addr: \"127.0.0.1:1\"}\n")
	if _, _, err := guardsFromConfig(context.Background(), cfg, nil); err == nil || !strings.Contains(err.Error(), "redis.addr") {
		t.Fatalf("err = %v", err)
	}
}
