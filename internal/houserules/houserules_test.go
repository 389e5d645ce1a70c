package houserules

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/sundhedsklynge/klynge"

// rule says which of the project's packages a package may import (its
// production code; tests may import more), and which standard-library
// packages it must not. Patterns are package paths relative to the module;
// "x/..." matches x and everything under it.
type rule struct {
	pkg     string
	allow   []string
	denyStd []string
	why     string
}

// rules, most specific first: the first whose pkg matches a package is its
// rule. A package no rule matches fails the test, so a new package gets a
// rule (and a line in docs/ARCHITECTURE.md) when it is made.
var rules = []rule{
	{pkg: "domain", why: "the shared vocabulary imports nothing of the project"},
	{pkg: "pathway", allow: []string{"domain"}, why: "the medicine: pure functions over domain"},
	{pkg: "access", allow: []string{"domain"}, why: "who may see what: pure rules over domain"},
	{pkg: "disclosure/lp", why: "a small dense simplex: pure arithmetic"},
	{pkg: "disclosure", allow: []string{"disclosure/lp"}, why: "statistical disclosure control: pure functions over tables of counts"},
	{pkg: "statistics", allow: []string{"disclosure", "domain", "pathway"}, why: "reporting periods and protected tables of pathways; pure functions"},
	{pkg: "errcode/internal/errorsdoc", allow: []string{"errcode"}, why: "writes docs/ERRORS.md"},
	{pkg: "errcode", why: "a leaf every layer may use"},
	{pkg: "requestid", why: "a leaf every layer may use"},
	{pkg: "logthrottle", why: "a leaf every layer may use"},
	{pkg: "workers", why: "a leaf: goroutines kept between fetches"},
	{pkg: "config", why: "configuration is data; cmd/klynge turns it into components"},
	{pkg: "registry", allow: []string{"domain"}, why: "an embedded reference-data snapshot"},
	{pkg: "audit/sqlite", allow: []string{"audit", "domain"}, why: "one package per database"},
	{pkg: "audit/postgres", allow: []string{"audit", "domain"}, why: "one package per database"},
	{pkg: "audit", allow: []string{"domain", "logthrottle"}, why: "the access log decides nothing about access"},
	{pkg: "connectors/upstream", allow: []string{"domain", "errcode", "logthrottle"}, why: "shared HTTP plumbing of the connectors"},
	{pkg: "stream", why: "a leaf shared by streaming transports and subscription resolvers"},
	{pkg: "alerts/sqlite", allow: []string{"alerts", "domain"}, why: "one package per database"},
	{pkg: "alerts/postgres", allow: []string{"alerts", "domain"}, why: "one package per database"},
	{pkg: "alerts/alertstest", allow: []string{"alerts", "domain"}, why: "the event log contract, for each store's tests"},
	{pkg: "alerts/watch", allow: []string{"alerts", "connectors/...", "domain", "loaders", "pathway", "registry"},
		denyStd: []string{"net/http"}, why: "watchers read upstreams through connectors and loaders, and decide nothing about access"},
	{pkg: "alerts", allow: []string{"domain", "pathway"}, why: "alert detection is pure; the hub knows the log only by its contract"},
	{pkg: "connectors/...", allow: []string{"connectors/...", "domain", "errcode"},
		why: "a connector knows its upstream's wire format and nothing of GraphQL, the server or the sandbox"},
	{pkg: "loaders", allow: []string{"connectors/...", "domain", "errcode", "workers"}, why: "loaders ask connectors"},
	{pkg: "gate", allow: []string{"access", "audit", "domain", "errcode", "graph/model", "loaders", "logthrottle", "requestid"},
		denyStd: []string{"net/http", "net"}, why: "access enforcement reads through loaders and never does HTTP"},
	{pkg: "resolvers/scalars", allow: []string{"domain"}, why: "scalars parse values"},
	{pkg: "resolvers", allow: []string{"access", "audit", "domain", "errcode", "gate", "graph", "graph/model", "loaders", "pathway", "registry", "resolvers/scalars", "disclosure", "statistics", "alerts", "stream"},
		denyStd: []string{"net/http", "net"}, why: "resolvers never do HTTP: they ask loaders; loaders ask connectors"},
	{pkg: "observe", allow: []string{"connectors/upstream", "errcode", "loaders", "requestid"}, why: "instruments operations, loaders and upstream calls"},
	{pkg: "server/...", allow: []string{"access", "domain", "errcode", "logthrottle", "requestid", "server/...", "stream"},
		why: "the HTTP surface holds no business rules and reads no configuration"},
	{pkg: "graph/...", allow: []string{"domain", "graph/...", "registry", "resolvers/scalars"}, why: "generated from schema/ and gqlgen.yml"},
	{pkg: "sandbox/...", allow: []string{"access", "connectors/ehospital/fhir", "connectors/*/*api", "domain", "pathway", "registry", "sandbox/..."},
		why: "a separate world: it serves the connectors' wire contracts and shares nothing else of the gateway but data (the demo issuer's claims, the rule sets its truth follows)"},
	{pkg: "docs/queries", why: "embedded example operations"},
	{pkg: "internal/sdcattack", allow: []string{"disclosure/lp"}, why: "the attacker bounds hidden cells with disclosure's simplex, cross-checked against Gonum's"},
	{pkg: "internal/...", why: "test helpers"},
	{pkg: "cmd/...", allow: []string{"..."}, why: "the binary wires everything"},
}

// importedOnlyBy: packages whose importers (outside tests) are limited.
var importedOnlyBy = []struct {
	pkg, why string
	by       []string
}{
	{"sandbox/...", "only cmd and tests import the sandbox", []string{"cmd/...", "sandbox/..."}},
	{"internal/metricstest", "a test helper", nil},
	{"internal/schematest", "a test helper", nil},
	{"internal/houserules", "a test", nil},
}

type listedPackage struct {
	ImportPath string
	Imports    []string
	Error      *struct{ Err string }
}

func TestHouseRules(t *testing.T) {
	pkgs := listPackages(t, "")
	if len(pkgs) < 40 {
		t.Fatalf("go list found %d packages; is it run in the module?", len(pkgs))
	}
	for _, v := range violations(pkgs) {
		t.Error(v)
	}
}

// TestHouseRulesCatchAPlantedImport plants forbidden imports (as go list
// overlays, so no file in the tree changes) and requires each to fail.
func TestHouseRulesCatchAPlantedImport(t *testing.T) {
	root := moduleRoot(t)
	plants := map[string]struct{ src, want string }{
		"pathway/zz_planted.go": {"package pathway\n\nimport _ \"" + module + "/registry\"\n",
			"pathway imports registry"},
		"connectors/outofhours/zz_planted.go": {"package outofhours\n\nimport _ \"" + module + "/server/gqlhttp\"\n",
			"connectors/outofhours imports server/gqlhttp"},
		"resolvers/zz_planted.go": {"package resolvers\n\nimport _ \"net/http\"\n",
			"resolvers imports net/http"},
		"server/zz_planted.go": {"package server\n\nimport _ \"" + module + "/sandbox/controls\"\n",
			"server imports sandbox/controls"},
	}
	dir := t.TempDir()
	overlay := map[string]map[string]string{"Replace": {}}
	for rel, p := range plants {
		f := filepath.Join(dir, strings.ReplaceAll(rel, "/", "_"))
		if err := os.WriteFile(f, []byte(p.src), 0o600); err != nil {
			t.Fatal(err)
		}
		overlay["Replace"][filepath.Join(root, rel)] = f
	}
	b, _ := json.Marshal(overlay)
	overlayFile := filepath.Join(dir, "overlay.json")
	if err := os.WriteFile(overlayFile, b, 0o600); err != nil {
		t.Fatal(err)
	}
	got := strings.Join(violations(listPackages(t, overlayFile)), "\n")
	for _, p := range plants {
		if !strings.Contains(got, p.want) {
			t.Errorf("the planted import %q was not reported; violations:\n%s", p.want, got)
		}
	}
}

func violations(pkgs []listedPackage) []string {
	var out []string
	for _, p := range pkgs {
		if p.Error != nil {
			out = append(out, fmt.Sprintf("%s: %s", p.ImportPath, p.Error.Err))
		}
		rel, ok := relative(p.ImportPath)
		if !ok {
			continue
		}
		r, ok := ruleFor(rel)
		if !ok {
			out = append(out, fmt.Sprintf("%s has no house rule: add one to internal/houserules and docs/ARCHITECTURE.md", rel))
			continue
		}
		for _, imp := range p.Imports {
			dep, inProject := relative(imp)
			switch {
			case !inProject && slices.Contains(r.denyStd, imp):
				out = append(out, fmt.Sprintf("%s imports %s: %s", rel, imp, r.why))
			case inProject && !matchesAny(dep, r.allow):
				out = append(out, fmt.Sprintf("%s imports %s: %s", rel, dep, r.why))
			}
			if inProject {
				for _, lim := range importedOnlyBy {
					if match(lim.pkg, dep) && !matchesAny(rel, lim.by) {
						out = append(out, fmt.Sprintf("%s imports %s: %s", rel, dep, lim.why))
					}
				}
			}
		}
	}
	return out
}

func ruleFor(rel string) (rule, bool) {
	for _, r := range rules {
		if match(r.pkg, rel) {
			return r, true
		}
	}
	return rule{}, false
}

func matchesAny(rel string, patterns []string) bool {
	return slices.ContainsFunc(patterns, func(p string) bool { return match(p, rel) })
}

// match: "..." matches everything, "x/..." x and below, "*" one path
// element (a "*api" element one that ends in api), otherwise the path.
func match(pattern, rel string) bool {
	if pattern == "..." {
		return true
	}
	if prefix, ok := strings.CutSuffix(pattern, "/..."); ok {
		return rel == prefix || strings.HasPrefix(rel, prefix+"/")
	}
	ok, _ := filepath.Match(pattern, rel)
	return ok
}

func relative(importPath string) (string, bool) {
	if importPath == module {
		return "", true
	}
	rel, ok := strings.CutPrefix(importPath, module+"/")
	return rel, ok
}

func moduleRoot(t *testing.T) string {
	t.Helper()
	out, err := exec.Command(goBinary(), "list", "-m", "-f", "{{.Dir}}").Output()
	if err != nil {
		t.Fatalf("go list -m: %v", err)
	}
	return strings.TrimSpace(string(out))
}

func listPackages(t *testing.T, overlay string) []listedPackage {
	t.Helper()
	args := []string{"list", "-e", "-json=ImportPath,Imports,Error"}
	if overlay != "" {
		args = append(args, "-overlay", overlay)
	}
	cmd := exec.Command(goBinary(), append(args, module+"/...")...)
	cmd.Dir = moduleRoot(t)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	var pkgs []listedPackage
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p listedPackage
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}

func goBinary() string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	return filepath.Join(runtime.GOROOT(), "bin", "go")
}
