package sandbox

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestOpenAPIDescribesExactlyTheRegisteredRoutes fetches each system's
// document over HTTP and compares it with what was registered on the mux;
// then it calls every described operation to show that something serves it.
func TestOpenAPIDescribesExactlyTheRegisteredRoutes(t *testing.T) {
	sb, err := New(Config{Population: 500, Now: time.Date(2025, 11, 20, 12, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sb.Handler())
	defer srv.Close()

	var described []string
	for _, prefix := range []string{"/ehospital", "/outofhours", "/municipal", "/gpreferral"} {
		resp, err := http.Get(srv.URL + prefix + "/openapi.json")
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			OpenAPI string `json:"openapi"`
			Servers []struct {
				URL string `json:"url"`
			} `json:"servers"`
			Paths map[string]map[string]struct {
				OperationID string `json:"operationId"`
				Parameters  []struct {
					Name string `json:"name"`
					In   string `json:"in"`
				} `json:"parameters"`
				Responses map[string]json.RawMessage `json:"responses"`
			} `json:"paths"`
			Components struct {
				Schemas map[string]json.RawMessage `json:"schemas"`
			} `json:"components"`
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err := json.Unmarshal(body, &doc); err != nil {
			t.Fatalf("%s/openapi.json: %v", prefix, err)
		}
		if !strings.HasPrefix(doc.OpenAPI, "3.") || doc.Servers[0].URL != prefix {
			t.Errorf("%s: openapi %q servers %+v", prefix, doc.OpenAPI, doc.Servers)
		}
		ids := map[string]bool{}
		for path, ops := range doc.Paths {
			for method, op := range ops {
				described = append(described, strings.ToUpper(method)+" "+prefix+path)
				if ids[op.OperationID] || op.OperationID == "" {
					t.Errorf("%s %s: operationId %q missing or repeated", method, path, op.OperationID)
				}
				ids[op.OperationID] = true
				if _, ok := op.Responses["200"]; !ok {
					t.Errorf("%s %s%s documents no 200", method, prefix, path)
				}
				for _, v := range pathVars(path) {
					if !slices.ContainsFunc(op.Parameters, func(p struct {
						Name string `json:"name"`
						In   string `json:"in"`
					}) bool {
						return p.Name == v && p.In == "path"
					}) {
						t.Errorf("%s %s%s: path variable {%s} is not a declared path parameter", method, prefix, path, v)
					}
				}
			}
		}
		for _, ref := range refs(body) {
			if _, ok := doc.Components.Schemas[ref]; !ok {
				t.Errorf("%s: $ref to missing schema %q", prefix, ref)
			}
		}
	}

	var registered []string
	for _, r := range sb.registered {
		registered = append(registered, strings.ReplaceAll(r, "{$}", ""))
	}
	slices.Sort(registered)
	slices.Sort(described)
	for _, r := range registered {
		if !slices.Contains(described, r) {
			t.Errorf("registered route %s is not described", r)
		}
	}
	for _, d := range described {
		if !slices.Contains(registered, d) {
			t.Errorf("described route %s is not registered", d)
		}
	}

	// And every described operation reaches a route (not the mux's own 404
	// or 405).
	fill := strings.NewReplacer("{code}", "330", "{id}", "x", "{ydernummer}", "000000")
	for _, d := range described {
		method, path, _ := strings.Cut(d, " ")
		req, _ := http.NewRequest(method, srv.URL+fill.Replace(path), strings.NewReader("{}"))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == http.StatusMethodNotAllowed || strings.Contains(string(body), "no route for") {
			t.Errorf("described %s is not served: %d %s", d, resp.StatusCode, body)
		}
	}
}

func pathVars(path string) []string {
	var out []string
	for rest := path; ; {
		i := strings.Index(rest, "{")
		if i < 0 {
			return out
		}
		j := strings.Index(rest[i:], "}")
		out = append(out, rest[i+1:i+j])
		rest = rest[i+j:]
	}
}

func refs(doc []byte) []string {
	var out []string
	const marker = `"$ref": "#/components/schemas/`
	for rest := string(doc); ; {
		i := strings.Index(rest, marker)
		if i < 0 {
			return out
		}
		rest = rest[i+len(marker):]
		out = append(out, rest[:strings.Index(rest, `"`)])
	}
}
