package main

import (
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/sundhedsklynge/klynge/config"
	"github.com/sundhedsklynge/klynge/graph"
	"github.com/sundhedsklynge/klynge/sandbox"
	"github.com/sundhedsklynge/klynge/sandbox/oidc"
	"github.com/sundhedsklynge/klynge/sandbox/population"
	"github.com/sundhedsklynge/klynge/sandbox/sandboxtest"
)

// The red team linked all 99 pathways two integrators saw (they carried
// the upstreams' ids), and `GET /ehospital/fhir/Encounter/enc-000952` on the
// upstream returned the citizen's CPR. These tests read a cluster's
// worklist as two integrators with a query generated from the schema, so
// that a field added later is scanned too.

// scanCluster is the cluster both demo integrators serve.
const scanCluster = "sjaelland-naestved-slagelse"

// pseudonymStack runs the sandbox and a gateway with a pseudonym secret
// nobody knows (the demo's is public), its clock frozen at the sandbox's
// present, and limits that let a query select every field.
func pseudonymStack(t *testing.T, citizens int) (*demo, *population.World, time.Time) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var now time.Time
	st, err := startDemoStack(ctx, sandbox.Config{Population: citizens, Now: sandboxtest.Now(t), Logger: newLogger(&syncBuffer{})}, "127.0.0.1:0", "127.0.0.1:0",
		func(c *config.Config) error {
			c.Access.PseudonymSecret = newChainKey()
			c.Limits.MaxDepth, c.Limits.MaxCost, c.Limits.MaxTokens = 40, -1, 20000
			return nil
		},
		func(sandboxNow time.Time) func() time.Time {
			now = sandboxNow
			return func() time.Time { return sandboxNow }
		})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- st.serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		<-served
		st.gateway.Close()
	})
	return &demo{GraphQL: st.gatewayListener.URL() + "/graphql", Sandbox: st.sandboxListener.URL()}, st.sandbox.World(), now
}

// selection selects every field of typ and, recursively, of the types they
// return: the integrator-visible types, as the schema says they are now.
// A type already on the path (a cycle) is not entered again; Citizen is
// asked only for its CPR, which must come back null.
// Every field selected is added to fields (Type.field).
func selection(s *ast.Schema, typ *ast.Definition, path []string, args map[string]string, fields map[string]bool) string {
	var b strings.Builder
	for _, f := range typ.Fields {
		if strings.HasPrefix(f.Name, "__") || requiredArgs(f) {
			continue
		}
		ft := s.Types[f.Type.Name()]
		fields[typ.Name+"."+f.Name] = true
		b.WriteString(" " + f.Name + args[typ.Name+"."+f.Name])
		switch {
		case ft.Kind == ast.Scalar || ft.Kind == ast.Enum:
		case ft.Name == "Citizen":
			b.WriteString(" { cpr }")
		case slices.Contains(path, ft.Name):
			b.WriteString(" { __typename }")
		case ft.Kind == ast.Object:
			b.WriteString(" {" + selection(s, ft, append(path, ft.Name), args, fields) + " }")
		default: // interfaces and unions
			b.WriteString(" { __typename")
			for _, pt := range s.GetPossibleTypes(ft) {
				b.WriteString(" ... on " + pt.Name + " {" + selection(s, pt, append(path, pt.Name), args, fields) + " }")
			}
			b.WriteString(" }")
		}
	}
	return b.String()
}

func requiredArgs(f *ast.FieldDefinition) bool {
	for _, a := range f.Arguments {
		if a.Type.NonNull && a.DefaultValue == nil {
			return true
		}
	}
	return false
}

// leaf is one scalar or enum value in a response, at its schema path
// (Type.field) with the field's GraphQL type.
type leaf struct {
	path, typ, value string
	row              int // the pathway it belongs to (index in the worklist), -1 outside one
}

// leaves walks data alongside the schema.
func leaves(s *ast.Schema, typ *ast.Definition, data any, row int, out *[]leaf) {
	obj, ok := data.(map[string]any)
	if !ok {
		return
	}
	for name, v := range obj {
		f := typ.Fields.ForName(name)
		if f == nil {
			continue
		}
		ft := s.Types[f.Type.Name()]
		var walk func(v any)
		walk = func(v any) {
			switch x := v.(type) {
			case nil:
				*out = append(*out, leaf{path: typ.Name + "." + name, typ: ft.Name, value: "", row: row})
			case []any:
				for _, e := range x {
					walk(e)
				}
			case map[string]any:
				// The object itself is answered: its field is covered.
				*out = append(*out, leaf{path: typ.Name + "." + name, typ: ft.Name, value: "{}", row: row})
				next := ft
				if tn, ok := x["__typename"].(string); ok && s.Types[tn] != nil {
					next = s.Types[tn]
				}
				leaves(s, next, x, row, out)
			default:
				*out = append(*out, leaf{path: typ.Name + "." + name, typ: ft.Name, value: fmt.Sprint(x), row: row})
			}
		}
		walk(v)
	}
}

// integratorView reads the whole worklist and the statistics of the
// cluster as one integrator, with the query the schema generates, and
// returns every leaf value and every field the query selected.
func integratorView(t *testing.T, d *demo, s *ast.Schema, token, clusterID string, window map[string]any) ([]leaf, map[string]bool) {
	t.Helper()
	args := map[string]string{"Cluster.pathways": "(filter: $filter, first: 100, after: $after)"}
	cluster := s.Types["Cluster"]
	fields := map[string]bool{}
	q := "query($id: ID!, $filter: PathwayFilter, $after: String) { cluster(id: $id) {" + selection(s, cluster, []string{"Query", "Cluster"}, args, fields) + " } }"
	var out []leaf
	var after any
	row := 0
	for page := 0; ; page++ {
		r := queryAs(t, d.GraphQL, token, q, map[string]any{"id": clusterID, "filter": window, "after": after})
		if len(r.Errors) > 0 {
			t.Fatalf("the generated query: %+v", r.Errors)
		}
		var data struct {
			Cluster map[string]any
		}
		if err := json.Unmarshal(r.Data, &data); err != nil {
			t.Fatal(err)
		}
		conn := data.Cluster["pathways"].(map[string]any)
		for _, n := range conn["nodes"].([]any) {
			leaves(s, s.Types["Pathway"], n, row, &out)
			row++
		}
		// The rest of the page (counts, cursors, statistics, the cluster's
		// own fields) belongs to no pathway.
		conn["nodes"] = []any{}
		leaves(s, cluster, data.Cluster, -1, &out)
		info := conn["pageInfo"].(map[string]any)
		if info["hasNextPage"] != true {
			break
		}
		after = info["endCursor"]
	}
	if row < 50 {
		t.Fatalf("%d pathways: too few to show anything", row)
	}
	out = append(out, leaf{path: "PathwayConnection.nodes", typ: "Pathway", value: "{}", row: -1})
	return out, fields
}

// forbiddenValues are what no integrator-visible value may contain: every
// id the upstream systems hold for the cluster's citizens, and every
// citizen's CPR in the forms it is written and hashed in.
func forbiddenValues(w *population.World) (ids map[string]bool, cprForms map[string]bool) {
	ids, cprForms = map[string]bool{}, map[string]bool{}
	for _, c := range w.Citizens() {
		cpr := string(c.CPR)
		s1, s2 := sha256.Sum256([]byte(cpr)), sha1.Sum([]byte(cpr))
		for _, f := range []string{cpr, cpr[:6] + "-" + cpr[6:], hex.EncodeToString(s1[:])[:16], hex.EncodeToString(s2[:])[:16]} {
			cprForms[f] = true
		}
		for _, e := range w.EncountersOf(c.CPR) {
			ids[e.ID] = true
		}
		for _, n := range w.ReceivedNotificationsOf(c.CPR) {
			ids[n.ID], ids[n.MessageID] = true, true
		}
		for _, s := range w.ServicesOf(c.CPR) {
			ids[s.ID] = true
		}
		for _, v := range w.VisitsOf(c.CPR) {
			ids[v.ID] = true
		}
		for _, o := range w.OutOfHoursOf(c.CPR) {
			ids[o.ID] = true
		}
		for _, r := range w.ReferralsOf(c.CPR) {
			ids[r.ID] = true
		}
		for _, g := range w.GPContactsOf(c.CPR) {
			ids[g.ID] = true
		}
	}
	delete(ids, "")
	return ids, cprForms
}

// upstreamID is the shape of every upstream record id the sandbox makes.
var upstreamID = regexp.MustCompile(`(?i)\b(enc|ntf|rcv|svc|vis|ooh|ref|gpc|pat)-[0-9]`)

var token = regexp.MustCompile(`[A-Za-z0-9-]+`)

func TestIntegratorsSeeNoUpstreamIDOrCPR(t *testing.T) {
	d, w, now := pseudonymStack(t, 20000)
	s := graph.NewExecutableSchema(graph.Config{}).Schema()
	window := map[string]any{"dischargedAfter": now.Add(-120 * 24 * time.Hour).Format(time.RFC3339), "dischargedBefore": now.Add(time.Second).Format(time.RFC3339)}
	// Both integrators' worklists of the cluster they share, and the
	// region integrator's of every other cluster (more pathways, more kinds
	// of them), all scanned.
	views := map[string][]leaf{}
	var selected map[string]bool
	for _, client := range []string{oidc.ClientIntegrator, oidc.ClientRegionIntegrator} {
		views[client], selected = integratorView(t, d, s, demoToken(t, d.Sandbox, client), scanCluster, window)
	}
	for _, c := range []string{"sjaelland-holbaek", "sjaelland-nykobing", "sjaelland-roskilde-koge"} {
		views[c], _ = integratorView(t, d, s, demoToken(t, d.Sandbox, oidc.ClientRegionIntegrator), c, window)
	}
	ids, cprForms := forbiddenValues(w)

	t.Run("every field the schema gives integrators is covered", func(t *testing.T) {
		// A field never answered with a value proves nothing about what it
		// would carry: where its type is answered at all, the sample must
		// hold each of its fields with a value at least once. A type never
		// answered (an empty list everywhere: open deadlines are rare on
		// some days) is covered field by field by gate's
		// TestPseudonymisePathwayLeavesNoRecordID instead.
		seen, types := map[string]bool{}, map[string]bool{}
		for _, view := range views {
			for _, l := range view {
				types[strings.Split(l.path, ".")[0]] = true
				if l.value != "" {
					seen[l.path] = true
				}
			}
		}
		for p := range selected {
			typeName, field, _ := strings.Cut(p, ".")
			typ := s.Types[typeName].Fields.ForName(field).Type.Name()
			switch {
			case s.Types[typ].Kind == ast.Enum || typ == "Boolean":
				// The schema's own values only.
			case !types[typeName]:
				t.Logf("%s: no %s in the sample", p, typeName)
			case !seen[p] && p != "Citizen.cpr" && p != "Pathway.citizen":
				t.Errorf("%s never has a value in the sample: the scan cannot vouch for it", p)
			}
		}
		t.Logf("%d fields selected from the schema, %d with values scanned", len(selected), len(seen))
	})

	for client, view := range views {
		t.Run("no upstream id or CPR-derived value for "+client, func(t *testing.T) {
			for _, l := range view {
				if l.path == "Pathway.citizen" || l.path == "Citizen.cpr" {
					if l.value != "" {
						t.Fatalf("%s = %q: an integrator is shown the citizen", l.path, l.value)
					}
					continue
				}
				if upstreamID.MatchString(l.value) {
					t.Errorf("%s = %q carries an upstream id", l.path, l.value)
				}
				for _, tok := range token.FindAllString(l.value, -1) {
					if ids[tok] {
						t.Errorf("%s = %q carries the upstream id %s", l.path, l.value, tok)
					}
					if cprForms[tok] || (len(tok) == 16 && cprForms[strings.ToLower(tok)]) {
						t.Errorf("%s carries a citizen's CPR, or an unkeyed hash of one", l.path)
					}
				}
				if l.path == "Pathway.pseudonym" && !regexp.MustCompile(`^p-[a-z2-7]{26}$`).MatchString(l.value) {
					t.Errorf("pseudonym %q", l.value)
				}
			}
		})
	}

	t.Run("two integrators' worklists of one cluster cannot be joined on any identifier", func(t *testing.T) {
		a, b := views[oidc.ClientIntegrator], views[oidc.ClientRegionIntegrator]
		valuesOf := func(view []leaf) map[string]map[string]bool {
			out := map[string]map[string]bool{}
			for _, l := range view {
				if l.row < 0 || l.value == "" || (l.typ != "ID" && l.path != "Pathway.pseudonym") {
					continue
				}
				if out[l.path] == nil {
					out[l.path] = map[string]bool{}
				}
				out[l.path][l.value] = true
			}
			return out
		}
		va, vb := valuesOf(a), valuesOf(b)
		if len(va) == 0 {
			t.Fatal("no identifier fields found")
		}
		for path, values := range va {
			for v := range values {
				if vb[path][v] {
					t.Errorf("%s = %q is in both integrators' worklists: they can join on it", path, v)
				}
			}
		}
		paths := slices.Sorted(func(yield func(string) bool) {
			for p := range va {
				if !yield(p) {
					return
				}
			}
		})
		t.Logf("identifier fields compared: %v", paths)
		t.Logf("content both see alike (the same stay's facts): %s", contentLinkage(a, b))
	})
}

// contentLinkage measures what per-audience identifiers cannot hide: the
// share of one integrator's pathways that a single content field (a time,
// a place) matches to exactly one pathway of the other's. docs/ACCESS.md
// quotes it in the threat model.
func contentLinkage(a, b []leaf) string {
	byPath := func(view []leaf) map[string]map[string][]int {
		out := map[string]map[string][]int{}
		for _, l := range view {
			if l.row < 0 || strings.Count(l.path, ".") != 1 || !strings.HasPrefix(l.path, "Pathway.") {
				continue
			}
			if out[l.path] == nil {
				out[l.path] = map[string][]int{}
			}
			out[l.path][l.value] = append(out[l.path][l.value], l.row)
		}
		return out
	}
	pa, pb := byPath(a), byPath(b)
	rows := map[int]bool{}
	for _, l := range a {
		if l.row >= 0 {
			rows[l.row] = true
		}
	}
	var parts []string
	for path, vals := range pa {
		unique := 0
		for v, ra := range vals {
			if len(ra) == 1 && len(pb[path][v]) == 1 {
				unique++
			}
		}
		if unique > 0 {
			parts = append(parts, fmt.Sprintf("%s %d%%", strings.TrimPrefix(path, "Pathway."), 100*unique/len(rows)))
		}
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}

// The pseudonyms are the integrator's own: the same secret and subject
// give them back, and a record's pseudonym leads to nothing upstream.
func TestARecordPseudonymOpensNothingUpstream(t *testing.T) {
	d, _, now := pseudonymStack(t, 3000)
	r := queryAs(t, d.GraphQL, demoToken(t, d.Sandbox, oidc.ClientIntegrator),
		`query($f: PathwayFilter) { cluster(id: "`+scanCluster+`") { pathways(filter: $f, first: 1) { nodes { dischargeEncounterId } } } }`,
		map[string]any{"f": map[string]any{"dischargedAfter": now.Add(-120 * 24 * time.Hour).Format(time.RFC3339)}})
	got := decode[struct {
		Cluster struct {
			Pathways struct {
				Nodes []struct{ DischargeEncounterID string }
			}
		}
	}](t, r)
	if len(got.Cluster.Pathways.Nodes) == 0 {
		t.Fatal("no pathway")
	}
	id := got.Cluster.Pathways.Nodes[0].DischargeEncounterID
	resp := send(t, "GET", d.Sandbox+"/ehospital/fhir/Encounter/"+id, nil, "")
	if resp.status != 404 || strings.Contains(resp.body, "identifier") {
		t.Errorf("GET Encounter/%s on eHospitalet: %d %.200s, want 404", id, resp.status, resp.body)
	}
}
