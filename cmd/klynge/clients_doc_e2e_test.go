package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/sundhedsklynge/klynge/sandbox/controls"
	"github.com/sundhedsklynge/klynge/sandbox/oidc"
)

// clientsDoc is where docs/CLIENTS.md's examples live as files.
var clientsDoc = filepath.Join("..", "..", "scripts", "clients-doc")

// TestClientsDocShowsTheFilesItRuns: every example block of docs/CLIENTS.md
// is the file it names, byte for byte, so the test below runs what the
// page shows.
func TestClientsDocShowsTheFilesItRuns(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "CLIENTS.md"))
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)<!-- example: scripts/clients-doc/(\\S+) -->\n```[a-z]*\n(.*?)```\n").FindAllSubmatch(doc, -1)
	if len(blocks) < 4 {
		t.Fatalf("docs/CLIENTS.md shows %d example files, want at least 4", len(blocks))
	}
	for _, b := range blocks {
		file, err := os.ReadFile(filepath.Join(clientsDoc, string(b[1])))
		if err != nil {
			t.Errorf("docs/CLIENTS.md shows %s: %v", b[1], err)
			continue
		}
		if !bytes.Equal(file, b[2]) {
			t.Errorf("docs/CLIENTS.md's copy of %s differs from the file", b[1])
		}
	}
}

// clientsDocTool runs a command in scripts/clients-doc (node, or a binary
// of its node_modules) with env added, and returns its output.
func clientsDocTool(t *testing.T, env []string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = clientsDoc
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
	return string(out)
}

// TestClientsDocExamples runs docs/CLIENTS.md's examples as a portal team
// would: Apollo Client and urql against the demo, each with the token of the
// role the page names, and GraphQL Codegen from `klynge schema` to typed
// operations (type-checked by tsc) and a manifest the demo then enforces.
func TestClientsDocExamples(t *testing.T) {
	nodeScript(t, "clients-doc", "--version") // node and node_modules, or skip/fail as CI says
	bin := func(name string) string { return filepath.Join("node_modules", ".bin", name) }

	d := startDemo(t)
	t.Run("Apollo Client pages a timeline and reports FORBIDDEN", func(t *testing.T) {
		cpr := readableCPRs(t, d, oidc.ClientGP, 1, controls.WithDischarge)[0]
		out := clientsDocTool(t, []string{"KLYNGE_TOKEN=" + demoToken(t, d.Sandbox, oidc.ClientGP)},
			"node", "apollo.mjs", d.GraphQL, cpr, "6101011234")
		m := regexp.MustCompile(`timeline: (\d+) of (\d+) events in (\d+) pages`).FindStringSubmatch(out)
		if m == nil || m[1] != m[2] || m[1] == "0" {
			t.Fatalf("the merged timeline is not whole:\n%s", out)
		}
		if n, _ := strconv.Atoi(m[1]); n > 5 && m[3] == "1" {
			t.Errorf("%s events in one page of 5:\n%s", m[1], out)
		}
		if !strings.Contains(out, "other citizen: null, FORBIDDEN: forbidden: no care relationship") {
			t.Errorf("no FORBIDDEN for a citizen the GP has not listed:\n%s", out)
		}
	})
	t.Run("urql pages a worklist and reports an unknown cluster", func(t *testing.T) {
		out := clientsDocTool(t, []string{"KLYNGE_TOKEN=" + demoToken(t, d.Sandbox, oidc.ClientIntegrator)},
			"node", "urql.mjs", d.GraphQL, "sjaelland-naestved-slagelse")
		m := regexp.MustCompile(`worklist: (\d+) of (\d+) pathways`).FindStringSubmatch(out)
		if m == nil || m[1] != m[2] {
			t.Fatalf("the worklist was not read whole:\n%s", out)
		}
		if !strings.Contains(out, `unknown cluster: BAD_USER_INPUT (id): id: "no-such-cluster" is not a cluster id`) {
			t.Errorf("no input error for an unknown cluster:\n%s", out)
		}
	})
	t.Run("GraphQL Codegen's typed operation runs by id under an enforced manifest", func(t *testing.T) {
		code, sdl, errOut := run(t, "schema")
		if code != 0 {
			t.Fatalf("klynge schema: %s", errOut)
		}
		if err := os.WriteFile(filepath.Join(clientsDoc, "schema.graphql"), []byte(sdl), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, dir := range []string{"src/gql", "dist"} {
			if err := os.RemoveAll(filepath.Join(clientsDoc, dir)); err != nil {
				t.Fatal(err)
			}
		}
		clientsDocTool(t, nil, bin("graphql-codegen"), "--config", "codegen.ts")
		clientsDocTool(t, nil, bin("tsc"), "-p", "tsconfig.json")
		manifest, err := filepath.Abs(filepath.Join(clientsDoc, "src", "gql", "persisted-documents.json"))
		if err != nil {
			t.Fatal(err)
		}
		trusted := startDemo(t, "-trusted-documents", manifest)
		cpr := readableCPRs(t, trusted, oidc.ClientClinicianSlagelse, 1, "")[0]
		out := clientsDocTool(t, []string{"KLYNGE_TOKEN=" + demoToken(t, trusted.Sandbox, oidc.ClientClinicianSlagelse)},
			"node", filepath.Join("dist", "citizen-card.js"), trusted.GraphQL, cpr)
		if !regexp.MustCompile(`citizen card: \S[^,]*, \d+, `).MatchString(out) {
			t.Fatalf("the typed operation answered:\n%s", out)
		}
		// The manifest is enforced: a document outside it is refused.
		r := queryAs(t, trusted.GraphQL, demoToken(t, trusted.Sandbox, oidc.ClientClinicianSlagelse), `{ version }`, nil)
		if len(r.Errors) == 0 || r.codes()[0] != "OPERATION_NOT_TRUSTED" {
			t.Errorf("an operation outside the manifest answered %d %+v", r.Status, r.Errors)
		}
	})
}
