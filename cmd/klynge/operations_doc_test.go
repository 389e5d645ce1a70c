package main

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/sundhedsklynge/klynge/sandbox/controls"
)

// TestOperationsDocMatchesTheMetrics keeps docs/OPERATIONS.md honest: its
// alert rules parse and name only metrics the gateway exposes, and every
// klynge metric the gateway exposes is documented.
func TestOperationsDocMatchesTheMetrics(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "docs", "OPERATIONS.md"))
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	_, after, ok := strings.Cut(doc, "### Example alert rules")
	if !ok {
		t.Fatal("docs/OPERATIONS.md has no section 'Example alert rules'")
	}
	_, block, _ := strings.Cut(after, "```yaml\n")
	block, _, _ = strings.Cut(block, "```")
	var rules struct {
		Groups []struct {
			Rules []struct {
				Alert string `yaml:"alert"`
				Expr  string `yaml:"expr"`
			} `yaml:"rules"`
		} `yaml:"groups"`
	}
	if err := yaml.Unmarshal([]byte(block), &rules); err != nil || len(rules.Groups) == 0 {
		t.Fatalf("the alert rules are not valid YAML: %v", err)
	}

	s := startStack(t, nil)
	cpr := sampleAndBreakGlass(t, s.demo, 1, controls.WithCare)[0]
	grantGlass(t, s.demo, []string{cpr})
	query(t, s.GraphQL, exampleQuery(t, "patient-context.graphql"), map[string]any{"cpr": cpr})
	resp, err := http.Get(s.Metrics)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	exposed := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^# TYPE (\w+) `).FindAllStringSubmatch(string(body), -1) {
		exposed[m[1]] = true
	}

	name := regexp.MustCompile(`klynge_\w+`)
	for _, g := range rules.Groups {
		for _, r := range g.Rules {
			for _, m := range name.FindAllString(r.Expr, -1) {
				base := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(m, "_bucket"), "_count"), "_sum")
				if !exposed[base] {
					t.Errorf("alert %s uses %s, which the gateway does not expose", r.Alert, m)
				}
			}
		}
	}
	for m := range exposed {
		if strings.HasPrefix(m, "klynge_") && !strings.Contains(doc, "`"+m+"`") {
			t.Errorf("the gateway exposes %s, which docs/OPERATIONS.md does not describe", m)
		}
	}
}
