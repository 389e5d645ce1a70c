package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sundhedsklynge/klynge/sandbox/oidc"
)

// TestReadmeQuickStart runs the README's first GraphQL example exactly as a
// newcomer would: a token for clinician-slagelse and the citizen that
// `klynge token` suggests for it.
func TestReadmeQuickStart(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(readme), "```graphql\n")
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
}
