package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/sundhedsklynge/klynge/sandbox/oidc"
)

// TestAlertsDocExamples runs docs/ALERTS.md's examples — graphql-ws from a
// server, graphql-sse from a browser, urql with graphql-ws — with the real
// npm clients against a demo whose world runs on (two simulated hours a
// second), and checks that the page shows each example as the file that
// ran.
func TestAlertsDocExamples(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "ALERTS.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"alerts.graphql.mjs", "server-ws.mjs", "browser-sse.mjs", "urql.mjs"} {
		src, err := os.ReadFile(filepath.Join("..", "..", "scripts", "alerts", f))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(doc), strings.TrimSpace(string(src))) {
			t.Errorf("docs/ALERTS.md does not show scripts/alerts/%s as it is", f)
		}
	}
	d := startDemo(t, "-population", "20000", "-speed", "7200")
	t.Setenv("KLYNGE_TEST_INTEGRATOR_TOKEN", demoToken(t, d.Sandbox, oidc.ClientIntegrator))
	t.Setenv("KLYNGE_TEST_NURSE_TOKEN", demoToken(t, d.Sandbox, oidc.ClientNurseSlagelse))
	out := nodeScript(t, "alerts", "check.mjs", d.GraphQL, alertCluster)
	m := regexp.MustCompile(`(?m)^(\d+) passed, (\d+) failed$`).FindStringSubmatch(out)
	if m == nil || m[2] != "0" || m[1] == "0" {
		t.Fatalf("examples failed:\n%s", out)
	}
	t.Logf("alerts examples: %s passed\n%s", m[1], out)
}
