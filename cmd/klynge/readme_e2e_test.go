package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/sundhedsklynge/klynge/sandbox/oidc"
)

// TestReadmeQuickStart runs the README's examples as a newcomer would, with
// no break-the-glass: the playground's query with the citizen the Demo tokens
// panel suggests for clinician-slagelse (the browser test clicks through the
// same), and the terminal's curl with the token and CPR that `klynge token`
// and `klynge token -citizen` print.
func TestReadmeQuickStart(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	_, rest, ok := strings.Cut(readme, "```graphql\n")
	if !ok {
		t.Fatal("README has no graphql example")
	}
	example, _, _ := strings.Cut(rest, "```")

	d := startDemo(t)
	client := demoClients(t, d.Sandbox)[oidc.ClientClinicianSlagelse]
	if client.ExampleCitizen == "" {
		t.Fatal("the demo suggests no citizen for clinician-slagelse")
	}
	token := demoToken(t, d.Sandbox, oidc.ClientClinicianSlagelse)
	t.Run("the playground's query", func(t *testing.T) {
		got := decode[struct {
			Citizen struct {
				Name    string
				Sources []struct{ Ok bool }
			}
		}](t, queryAs(t, d.GraphQL, token, example, map[string]any{"cpr": client.ExampleCitizen}))
		if got.Citizen.Name == "" || len(got.Citizen.Sources) != 4 {
			t.Fatalf("README example answered %+v", got.Citizen)
		}
		for i, s := range got.Citizen.Sources {
			if !s.Ok {
				t.Errorf("source %d did not answer", i)
			}
		}
	})
	t.Run("the terminal's curl", func(t *testing.T) {
		if !strings.Contains(readme, "TOKEN=$(go run ./cmd/klynge token clinician-slagelse)") ||
			!strings.Contains(readme, "CPR=$(go run ./cmd/klynge token -citizen clinician-slagelse)") {
			t.Fatal("README no longer gets the token and the CPR with klynge token")
		}
		code, out, errOut := run(t, "token", "-citizen", "-sandbox", d.Sandbox, oidc.ClientClinicianSlagelse)
		if code != 0 {
			t.Fatalf("token -citizen: exit %d: %s", code, errOut)
		}
		m := regexp.MustCompile(`(?s)-d '(\{.*?\})'\n`).FindStringSubmatch(readme)
		if m == nil {
			t.Fatal("README's curl has no -d '{...}' body")
		}
		body := strings.ReplaceAll(m[1], `"'"$CPR"'"`, `"`+strings.TrimSpace(out)+`"`)
		var req struct {
			Query     string         `json:"query"`
			Variables map[string]any `json:"variables"`
		}
		if err := json.Unmarshal([]byte(body), &req); err != nil {
			t.Fatalf("README's curl body is not JSON once the shell has put the CPR in: %v\n%s", err, body)
		}
		got := decode[struct{ Citizen struct{ Name string } }](t, queryAs(t, d.GraphQL, token, req.Query, req.Variables))
		if got.Citizen.Name == "" {
			t.Fatal("README's curl answered no name")
		}
	})
}
