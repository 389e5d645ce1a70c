package oplimits_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql/handler"

	"github.com/sundhedsklynge/klynge/errcode"
	"github.com/sundhedsklynge/klynge/internal/schematest"
	"github.com/sundhedsklynge/klynge/server/gqlhttp"
	"github.com/sundhedsklynge/klynge/server/oplimits"
)

type gqlError struct {
	Message    string
	Extensions struct {
		Code  string
		Limit struct {
			Key    string
			Max    int
			Actual int
		}
	}
}

func serve(t testing.TB, cfg oplimits.Config) (*httptest.Server, *schematest.Executable) {
	t.Helper()
	es := schematest.New()
	srv := handler.New(es)
	srv.AddTransport(gqlhttp.Transport{MaxBodyBytes: 8 << 20})
	srv.Use(oplimits.New(cfg))
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return ts, es
}

func post(t testing.TB, url, query string, vars map[string]any) (int, []gqlError) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest("POST", url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", gqlhttp.MediaGraphQLResponse)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct{ Errors []gqlError }
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("body: %v", err)
	}
	return resp.StatusCode, out.Errors
}

func nest(levels int) string {
	// regions { municipalities { region { municipalities { ... name } } } }
	var b strings.Builder
	b.WriteString("{ regions { ")
	for i := 1; i < levels-1; i++ {
		if i%2 == 1 {
			b.WriteString("municipalities { ")
		} else {
			b.WriteString("region { ")
		}
	}
	b.WriteString("name")
	b.WriteString(strings.Repeat(" }", levels-1))
	b.WriteString(" }")
	return b.String()
}

func aliases(n int) string {
	var b strings.Builder
	b.WriteString(`{ citizen(cpr: "6101011234") { `)
	for i := range n {
		fmt.Fprintf(&b, "a%d: name ", i)
	}
	b.WriteString("} }")
	return b.String()
}

func syntheticCPRs(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("6%d0170%04d", 1+i%3, i%10000)
	}
	return out
}

func TestLimitsRefuseBeforeAnythingRuns(t *testing.T) {
	ts, es := serve(t, oplimits.Config{})
	cases := []struct {
		name  string
		query string
		vars  map[string]any
		code  string
		key   string
	}{
		{"a 100-level deep query", nest(100), nil, errcode.DepthLimitExceeded, "limits.maxDepth"},
		{"depth reached through fragments", `{ regions { ...R } } fragment R on Region { municipalities { ...M } } fragment M on Municipality { region { municipalities { region { municipalities { region { municipalities { region { municipalities { region { municipalities { name } } } } } } } } } } }`, nil, errcode.DepthLimitExceeded, "limits.maxDepth"},
		{"10,000 aliases", aliases(10000), nil, errcode.AliasLimitExceeded, "limits.maxAliases"},
		{"31 aliases", aliases(31), nil, errcode.AliasLimitExceeded, "limits.maxAliases"},
		{"21 root fields", "{ " + strings.Repeat("version ", 21) + "}", nil, errcode.RootFieldLimitExceeded, "limits.maxRootFields"},
		{"root fields counted through fragments", "query { ...A ...A } fragment A on Query { " + strings.Repeat("version ", 11) + "}", nil, errcode.RootFieldLimitExceeded, "limits.maxRootFields"},
		{"6 directives on one field", `{ version @skip(if: false) @include(if: true) @skip(if: false) @include(if: true) @skip(if: false) @include(if: true) }`, nil, errcode.DirectiveLimitExceeded, "limits.maxDirectivesPerField"},
		{"a document over 64 KiB", "{ version " + strings.Repeat(" ", 70<<10) + "}", nil, errcode.DocumentTooLarge, "limits.maxDocumentBytes"},
		{"more than 5000 tokens", "{ " + strings.Repeat("version ", 5001) + "}", nil, errcode.TokenLimitExceeded, "limits.maxTokens"},
		{"a list argument of 100,000 CPRs", `query($c: [CPR!]!) { citizens(cprs: $c) { cpr } }`, map[string]any{"c": syntheticCPRs(100000)}, errcode.CostLimitExceeded, "limits.maxCost"},
		{"a cost bomb through nested connections", `query($c: [CPR!]!) { citizens(cprs: $c) { hospitalEncounters(first: 100) { nodes { notifications { sender { name } } } } timeline(first: 100) { nodes { summary } } } }`, map[string]any{"c": syntheticCPRs(500)}, errcode.CostLimitExceeded, "limits.maxCost"},
		{"a fragment cycle does not hang the checks", `{ regions { ...A } } fragment A on Region { municipalities { region { ...A } } }`, nil, "GRAPHQL_VALIDATION_FAILED", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := es.Executions.Load()
			status, errs := post(t, ts.URL, tc.query, tc.vars)
			if status != http.StatusBadRequest || len(errs) != 1 {
				t.Fatalf("status %d, errors %+v; want 400 and one error", status, errs)
			}
			e := errs[0]
			if e.Extensions.Code != tc.code {
				t.Fatalf("code %q, want %q (%s)", e.Extensions.Code, tc.code, e.Message)
			}
			if tc.key != "" {
				if e.Extensions.Limit.Key != tc.key || !strings.Contains(e.Message, tc.key) || !strings.Contains(e.Message, fmt.Sprint(e.Extensions.Limit.Max)) {
					t.Errorf("error does not name the limit %s and its value: %+v", tc.key, e)
				}
			}
			if es.Executions.Load() != before {
				t.Error("the operation ran")
			}
		})
	}
}

func TestOrdinaryQueriesPass(t *testing.T) {
	ts, es := serve(t, oplimits.Config{})
	for name, q := range map[string]string{
		"a citizen page":                    `{ citizen(cpr: "6101011234") { cpr name gp { name municipality { name } } hospitalEncounters { nodes { id notifications { code sender { name } } } totalCount } timeline { nodes { summary } } } }`,
		"200 citizens briefly":              `query($c: [CPR!]!) { citizens(cprs: $c) { cpr name gp { name } } }`,
		"30 aliases":                        aliases(30),
		"aliased arguments are not aliases": `{ citizen(cpr: "6101011234") { hospitalEncounters(first: 1, status: ["a"]) { totalCount } } }`,
	} {
		t.Run(name, func(t *testing.T) {
			before := es.Executions.Load()
			status, errs := post(t, ts.URL, q, map[string]any{"c": syntheticCPRs(200)})
			if status != http.StatusOK || len(errs) != 0 || es.Executions.Load() != before+1 {
				t.Fatalf("status %d errors %+v", status, errs)
			}
		})
	}
}

func TestLimitsAreConfigurable(t *testing.T) {
	ts, _ := serve(t, oplimits.Config{MaxDepth: 3, MaxAliases: oplimits.Unlimited, MaxTokens: oplimits.Unlimited})
	if _, errs := post(t, ts.URL, nest(4), nil); len(errs) != 1 || errs[0].Extensions.Limit.Max != 3 {
		t.Errorf("depth 4 under maxDepth 3: %+v", errs)
	}
	if status, errs := post(t, ts.URL, nest(3), nil); status != 200 || len(errs) != 0 {
		t.Errorf("depth 3 under maxDepth 3: %d %+v", status, errs)
	}
	if status, errs := post(t, ts.URL, aliases(100), nil); status != 200 || len(errs) != 0 {
		t.Errorf("100 aliases with the alias limit off: %d %+v", status, errs)
	}
}

// BenchmarkRefuse10000Aliases shows the cost of refusing the alias bomb:
// the token count stops at the limit, so it never reaches the parser.
func BenchmarkRefuse10000Aliases(b *testing.B) {
	ts, _ := serve(b, oplimits.Config{})
	q := aliases(10000)
	for b.Loop() {
		post(b, ts.URL, q, nil)
	}
}

// BenchmarkRefuse100000CPRs shows the cost of refusing a 100,000-CPR list
// argument by cost (with the body limit raised so that it gets that far).
func BenchmarkRefuse100000CPRs(b *testing.B) {
	ts, _ := serve(b, oplimits.Config{})
	vars := map[string]any{"c": syntheticCPRs(100000)}
	for b.Loop() {
		post(b, ts.URL, `query($c: [CPR!]!) { citizens(cprs: $c) { cpr } }`, vars)
	}
}
