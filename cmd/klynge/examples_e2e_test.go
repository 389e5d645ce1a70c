package main

import (
	"encoding/json"
	"io/fs"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/sundhedsklynge/klynge/docs/queries"
	"github.com/sundhedsklynge/klynge/sandbox/controls"
)

// exampleHeader is what an example's comment header tells its reader: the
// demo client to run it as, where that client's citizens come from, and the
// variables with placeholders for them.
type exampleHeader struct {
	Role      string
	Citizens  string // a sandbox URL on the default port; "" when the example takes no CPR
	Variables string
}

var (
	headerRole      = regexp.MustCompile(`(?m)^# Role:\s+(\S+)`)
	headerToken     = regexp.MustCompile(`(?m)^# Token:\s+go run \./cmd/klynge token (\S+)$`)
	headerCitizens  = regexp.MustCompile(`(?m)^# Citizens:\s+curl '([^']+)'`)
	headerVariables = regexp.MustCompile(`(?m)^# Variables:\s+(\{.*\})$`)
)

func parseExampleHeader(t *testing.T, name, doc string) exampleHeader {
	t.Helper()
	var h exampleHeader
	role, token, vars := headerRole.FindStringSubmatch(doc), headerToken.FindStringSubmatch(doc), headerVariables.FindStringSubmatch(doc)
	if role == nil || token == nil || vars == nil {
		t.Fatalf("%s: the header must say # Role:, # Token: go run ./cmd/klynge token <client> and # Variables:", name)
	}
	if token[1] != role[1] {
		t.Fatalf("%s: Role %s but Token for %s", name, role[1], token[1])
	}
	h.Role, h.Variables = role[1], vars[1]
	if m := headerCitizens.FindStringSubmatch(doc); m != nil {
		h.Citizens = m[1]
	}
	return h
}

// exampleVariables fills the header's placeholders: a string "<...>" is the
// first sampled CPR, a list holding only "<...>" is every sampled CPR.
func exampleVariables(t *testing.T, name, raw string, cprs []string) map[string]any {
	t.Helper()
	var vars map[string]any
	if err := json.Unmarshal([]byte(raw), &vars); err != nil {
		t.Fatalf("%s: # Variables is not JSON: %v", name, err)
	}
	placeholder := func(v any) bool {
		s, ok := v.(string)
		return ok && strings.HasPrefix(s, "<") && strings.HasSuffix(s, ">")
	}
	for k, v := range vars {
		switch {
		case placeholder(v):
			if len(cprs) == 0 {
				t.Fatalf("%s: $%s needs a CPR but the header names no # Citizens", name, k)
			}
			vars[k] = cprs[0]
		case func() bool { l, ok := v.([]any); return ok && len(l) == 1 && placeholder(l[0]) }():
			vars[k] = cprs
		}
	}
	return vars
}

// TestDocsQueriesRunAsTheirHeadersSay runs every docs/queries example
// exactly as its header tells a reader: a token of the named demo client,
// CPRs from the named sandbox sample (on the test's sandbox instead of port
// 8081), the variables filled with them. No break-the-glass: each must
// return data without an error, FORBIDDEN least of all.
func TestDocsQueriesRunAsTheirHeadersSay(t *testing.T) {
	d := startDemo(t)
	names, err := fs.Glob(queries.Files, "*.graphql")
	if err != nil || len(names) < 4 {
		t.Fatalf("examples %v, %v", names, err)
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			doc := queries.Must(name)
			h := parseExampleHeader(t, name, doc)
			if _, ok := demoClients(t, d.Sandbox)[h.Role]; !ok {
				t.Fatalf("# Role %s is not a demo client", h.Role)
			}
			var cprs []string
			if h.Citizens != "" {
				u, err := url.Parse(h.Citizens)
				if err != nil || u.Scheme+"://"+u.Host != defaultSandboxURL || u.Path != "/_sandbox/citizens" {
					t.Fatalf("# Citizens %q: want %s/_sandbox/citizens?...", h.Citizens, defaultSandboxURL)
				}
				if u.Query().Get("for") != h.Role {
					t.Errorf("# Citizens samples for %q, not for the role %s", u.Query().Get("for"), h.Role)
				}
				sample := sandboxGet[controls.Citizens](t, d, u.Path+"?"+u.RawQuery)
				for _, c := range sample.Citizens {
					cprs = append(cprs, c.CPR)
				}
				if len(cprs) == 0 {
					t.Fatalf("%s sampled no citizen", h.Citizens)
				}
			}
			vars := exampleVariables(t, name, h.Variables, cprs)
			r := queryAs(t, d.GraphQL, demoToken(t, d.Sandbox, h.Role), doc, vars)
			if len(r.Errors) > 0 {
				t.Fatalf("as %s with %d sampled citizens: codes %v, first error %+v", h.Role, len(cprs), r.codes(), r.Errors[0])
			}
			var data map[string]json.RawMessage
			if err := json.Unmarshal(r.Data, &data); err != nil || len(data) == 0 {
				t.Fatalf("data %s", r.Data)
			}
			for field, v := range data {
				var list []json.RawMessage
				if json.Unmarshal(v, &list) != nil {
					list = []json.RawMessage{v}
				}
				for i, item := range list {
					if string(item) == "null" {
						t.Errorf("%s (entry %d of %d) is null", field, i, len(list))
					}
				}
			}
		})
	}
}
