package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sundhedsklynge/klynge/sandbox/oidc"
)

// TestAlertsDocExamples runs docs/ALERTS.md's examples — graphql-ws from a
// server, graphql-sse from a browser, urql with graphql-ws — with the real
// npm clients against a gateway whose world runs on (an hour every half
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
	s, sb := startAlertStack(t, nil)
	awaitWatcher(t, alertCluster, s.Metrics)
	t.Setenv("KLYNGE_TEST_INTEGRATOR_TOKEN", demoToken(t, s.Sandbox, oidc.ClientIntegrator))
	t.Setenv("KLYNGE_TEST_NURSE_TOKEN", demoToken(t, s.Sandbox, oidc.ClientNurseSlagelse))
	// Time passes while the examples listen: an hour of the world every
	// half second, driven rather than slept through.
	stop := make(chan struct{})
	ticked := make(chan struct{})
	go func() {
		defer close(ticked)
		for at := sb.Clock(); ; {
			select {
			case <-stop:
				return
			case <-time.After(500 * time.Millisecond):
			}
			if at = at.Add(time.Hour); at.After(sb.Timeline().Now()) {
				return
			}
			if err := moveClock(s.Sandbox, at); err != nil {
				t.Errorf("the world's clock: %v", err)
				return
			}
		}
	}()
	// Stopped before the stack is (cleanups run last first), also when
	// the examples fail the test.
	var once sync.Once
	halt := func() { once.Do(func() { close(stop); <-ticked }) }
	t.Cleanup(halt)
	out := nodeScript(t, "alerts", "check.mjs", s.GraphQL, alertCluster)
	halt()
	m := regexp.MustCompile(`(?m)^(\d+) passed, (\d+) failed$`).FindStringSubmatch(out)
	if m == nil || m[2] != "0" || m[1] == "0" {
		t.Fatalf("examples failed:\n%s", out)
	}
	t.Logf("alerts examples: %s passed\n%s", m[1], out)
}
