package trusted

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"
)

const (
	citizenQuery = `query CitizenName($cpr: CPR!) { citizen(cpr: $cpr) { cpr name } }`
	versionQuery = `query Version { version }`
)

func apolloManifest(ops ...Operation) []byte {
	type op struct {
		ID   string `json:"id"`
		Name string `json:"name"`
		Type string `json:"type"`
		Body string `json:"body"`
	}
	doc := struct {
		Format     string `json:"format"`
		Version    int    `json:"version"`
		Operations []op   `json:"operations"`
	}{Format: "apollo-persisted-query-manifest", Version: 1}
	for _, o := range ops {
		doc.Operations = append(doc.Operations, op{o.ID, o.Name, o.Type, o.Body})
	}
	b, _ := json.Marshal(doc)
	return b
}

func TestParseManifest(t *testing.T) {
	good := []struct {
		name string
		data []byte
	}{
		{"an Apollo manifest", apolloManifest(
			Operation{ID: Hash(citizenQuery), Name: "CitizenName", Type: "query", Body: citizenQuery},
			Operation{ID: Hash(versionQuery), Name: "Version", Type: "query", Body: versionQuery})},
		{"a GraphQL Codegen manifest", []byte(`{"` + Hash(citizenQuery) + `": ` + quote(citizenQuery) + `, "sha256:` + strings.ToUpper(Hash(versionQuery)) + `": ` + quote(versionQuery) + `}`)},
	}
	for _, tc := range good {
		t.Run(tc.name, func(t *testing.T) {
			m, err := ParseManifest(tc.data)
			if err != nil {
				t.Fatal(err)
			}
			op, ok := m.Lookup(Hash(citizenQuery))
			if !ok || op.Body != citizenQuery || m.Len() != 2 {
				t.Fatalf("lookup = %+v, %v; len %d", op, ok, m.Len())
			}
		})
	}
	bad := []struct {
		name string
		data []byte
		want string
	}{
		{"an id that is not the body's sha256", apolloManifest(Operation{ID: Hash(versionQuery), Name: "CitizenName", Body: citizenQuery}), "operations[0] (CitizenName): id"},
		{"a Relay manifest with md5 ids", []byte(`{"0123456789abcdef0123456789abcdef": "query Q { version }"}`), "64 hex digits"},
		{"an unknown format", []byte(`{"format":"relay","version":1,"operations":[]}`), "format: must be"},
		{"another version", []byte(`{"format":"apollo-persisted-query-manifest","version":2,"operations":[]}`), "version: must be 1"},
		{"an operation without a body", apolloManifest(Operation{ID: Hash(""), Name: "Empty"}), "body is required"},
		{"no operations", []byte(`{}`), "no operations"},
		{"not JSON", []byte(`operations:`), "must be a JSON object"},
		{"a Codegen value that is not a string", []byte(`{"` + Hash(versionQuery) + `": 1}`), "must be a string"},
	}
	for _, tc := range bad {
		t.Run(tc.name+" is refused", func(t *testing.T) {
			_, err := ParseManifest(tc.data)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func TestNormaliseID(t *testing.T) {
	h := Hash(versionQuery)
	for _, in := range []string{h, strings.ToUpper(h), "sha256:" + h} {
		if got, err := NormaliseID(in); err != nil || got != h {
			t.Errorf("NormaliseID(%q) = %q, %v", in, got, err)
		}
	}
	for _, in := range []string{"", "md5:" + h, h[:63], h + "0", strings.Repeat("g", 64)} {
		if _, err := NormaliseID(in); err == nil {
			t.Errorf("NormaliseID(%q) accepted", in)
		}
	}
}

func TestManifestOperationNames(t *testing.T) {
	codegen := `query PatientContext($cpr: CPR!) { citizen(cpr: $cpr) { name } }`
	anonymous := `{ version }`
	m, err := ParseManifest([]byte(`{"` + Hash(codegen) + `": ` + strconv.Quote(codegen) +
		`, "` + Hash(anonymous) + `": ` + strconv.Quote(anonymous) + `}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := m.OperationNames(); !slices.Equal(got, []string{"PatientContext"}) {
		t.Errorf("OperationNames() = %q, want [PatientContext]", got)
	}
}
