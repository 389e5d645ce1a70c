package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestServeAgainstASeparateSandbox runs `klynge sandbox` and `klynge serve`
// as two processes, the gateway configured by klynge.example.yaml (so the
// example cannot rot), and asks the gateway for a citizen.
func TestServeAgainstASeparateSandbox(t *testing.T) {
	_, printed := startProcess(t, nil, "sandbox", "-addr", "127.0.0.1:0", "-population", "2000", "-now", testNow(t))
	var sandboxURL string
	for _, line := range printed {
		if v, ok := strings.CutPrefix(line, "controls:"); ok {
			sandboxURL = strings.TrimSuffix(strings.TrimSpace(v), "/_sandbox")
		}
	}
	if sandboxURL == "" {
		t.Fatalf("sandbox printed no controls URL: %q", printed)
	}

	example, err := os.ReadFile(filepath.Join("..", "..", "klynge.example.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := strings.ReplaceAll(string(example), "http://127.0.0.1:8081", sandboxURL)
	cfg = strings.Replace(cfg, "listen: 127.0.0.1:8080", "listen: 127.0.0.1:0", 1)
	cfg = strings.Replace(cfg, "listen: 127.0.0.1:9464", "listen: 127.0.0.1:0", 1)
	path := filepath.Join(t.TempDir(), "klynge.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	_, printed = startProcess(t, []string{
		"KLYNGE_AUDIT_SQLITE=" + filepath.Join(t.TempDir(), "audit.db"),
		"KLYNGE_ALERTS_SQLITE=" + filepath.Join(t.TempDir(), "alerts.db"),
		"KLYNGE_AUDIT_CHAINKEY=" + newChainKey(),
	}, "serve", "-config", path)
	graphqlURL := strings.TrimPrefix(printed[len(printed)-1], "ready: ")

	d := &demo{GraphQL: graphqlURL, Sandbox: sandboxURL}
	cpr := sampleAndBreakGlass(t, d, 1, "care")[0]
	got := decode[struct {
		Citizen struct {
			Name    string
			Sources []struct {
				System string
				Ok     bool
			}
		}
	}](t, query(t, graphqlURL, `query($cpr: CPR!) { citizen(cpr: $cpr) { name careServices { totalCount } sources { system ok } } }`, map[string]any{"cpr": cpr}))
	if got.Citizen.Name == "" || len(got.Citizen.Sources) < 2 {
		t.Fatalf("citizen from serve = %+v", got.Citizen)
	}
	for _, s := range got.Citizen.Sources {
		if !s.Ok {
			t.Errorf("%s did not answer serve", s.System)
		}
	}
}

func TestServeRefusesABadConfigurationNamingTheKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "klynge.yaml")
	os.WriteFile(path, []byte("upstreams:\n  ehospital: {baseURL: ehospital.local}\n"), 0o600)
	var stderr syncBuffer
	code := Main(t.Context(), []string{"serve", "-config", path}, &syncBuffer{}, &stderr)
	if code != 1 || !strings.Contains(stderr.String(), `upstreams.ehospital.baseURL: must be an absolute http(s) URL, got "ehospital.local"`) {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr.String())
	}
}
