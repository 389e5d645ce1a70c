package oplimits

import (
	"fmt"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/sundhedsklynge/klynge/internal/schematest"
)

// cprs makes n distinct synthetic CPR strings (day of birth + 60).
func cprs(n int) []any {
	out := make([]any, n)
	for i := range out {
		out[i] = fmt.Sprintf("6%d0170%04d", 1+i%3, i%10000)
	}
	return out
}

func priced(t *testing.T, schema *ast.Schema, query string, vars map[string]any, c Config) int {
	t.Helper()
	doc, errs := gqlparser.LoadQuery(schema, query)
	if errs != nil {
		t.Fatalf("test query does not validate: %v", errs)
	}
	return Cost(schema, doc.Operations[0], doc.Fragments, vars, c)
}

func TestCostFollowsTheSchemasShape(t *testing.T) {
	schema := schematest.Schema()
	cases := []struct {
		name  string
		query string
		vars  map[string]any
		cfg   Config
		want  int
	}{
		{"scalars cost nothing", `{ version }`, nil, Config{}, 0},
		{"one object costs one", `{ citizen(cpr: "6101011234") { cpr name } }`, nil, Config{}, 1},
		{"a list argument multiplies by its length", `{ citizens(cprs: ["6101011234", "6201011234", "6301011234"]) { cpr gp { name } } }`, nil, Config{}, 3 * 2},
		{"a list argument from variables multiplies by its length",
			`query($c: [CPR!]!) { citizens(cprs: $c) { cpr } }`, map[string]any{"c": cprs(500)}, Config{}, 500},
		{"a connection without first costs its default page",
			`{ citizen(cpr: "6101011234") { hospitalEncounters { nodes { id } totalCount } } }`, nil, Config{}, 1 + 1 + 20*1},
		{"first multiplies the connection's selections, nodes are the page",
			`{ citizen(cpr: "6101011234") { hospitalEncounters(first: 5) { nodes { id } pageInfo { hasNextPage } } } }`, nil, Config{}, 1 + 1 + 5*(1+1)},
		{"first from a variable",
			`query($n: Int) { citizen(cpr: "6101011234") { timeline(first: $n) { nodes { summary } } } }`, map[string]any{"n": int64(50)}, Config{}, 1 + 1 + 50},
		{"a list without a size argument takes the assumed size",
			`{ regions { name } }`, nil, Config{AssumedListSize: 7}, 7},
		{"list sizes can be configured per field",
			`{ regions { municipalities { name } } }`, nil, Config{ListSizes: map[string]int{"Query.regions": 5, "Region.municipalities": 30}}, 5 * (1 + 30)},
		{"field costs override the default per field",
			`{ citizen(cpr: "6101011234") { name timeline(first: 1) { totalCount } } }`, nil, Config{FieldCosts: map[string]int{"Citizen.name": 3, "Citizen.timeline": 4}}, 1 + 3 + 4},
		{"fragments count where they are spread",
			`query { a: citizen(cpr: "6101011234") { ...F } b: citizen(cpr: "6201011234") { ...F } } fragment F on Citizen { gp { name } }`, nil, Config{}, 2 * (1 + 1)},
		{"nested connections multiply",
			`query($c: [CPR!]!) { citizens(cprs: $c) { hospitalEncounters(first: 100) { nodes { notifications { sender { name } } } } } }`,
			map[string]any{"c": cprs(500)}, Config{}, 500 * (1 + 1 + 100*(1+10*(1+1)))},
		{"introspection and __typename cost nothing",
			`{ __typename __schema { types { name fields { name } } } }`, nil, Config{}, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := priced(t, schema, tc.query, tc.vars, tc.cfg); got != tc.want {
				t.Errorf("cost %d, want %d", got, tc.want)
			}
		})
	}
}

func TestCostOfABombStopsAtTheCap(t *testing.T) {
	schema := schematest.Schema()
	q := "{ regions { municipalities { " + strings.Repeat("clusters { members { ", 20) + "name" + strings.Repeat(" } }", 20) + " } } }"
	got := priced(t, schema, q, nil, Config{AssumedListSize: 1000})
	if got != int(costCap) {
		t.Fatalf("cost %d, want the cap %d", got, int64(costCap))
	}
}

func BenchmarkCostOf500Citizens(b *testing.B) {
	schema := schematest.Schema()
	doc, errs := gqlparser.LoadQuery(schema, `query($c: [CPR!]!) { citizens(cprs: $c) { cpr name gp { name municipality { name } }
		hospitalEncounters(first: 100) { nodes { id notifications { code sender { name } } } totalCount }
		timeline { nodes { summary } } } }`)
	if errs != nil {
		b.Fatal(errs)
	}
	vars := map[string]any{"c": cprs(500)}
	b.ReportAllocs()
	for b.Loop() {
		Cost(schema, doc.Operations[0], doc.Fragments, vars, Config{})
	}
}
