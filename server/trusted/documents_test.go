package trusted_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/lru"

	"github.com/sundhedsklynge/klynge/errcode"
	"github.com/sundhedsklynge/klynge/internal/schematest"
	"github.com/sundhedsklynge/klynge/server/gqlhttp"
	"github.com/sundhedsklynge/klynge/server/oplimits"
	"github.com/sundhedsklynge/klynge/server/trusted"
)

const (
	listed   = `query Version { version }`
	unlisted = `query Regions { regions { name } }`
)

func manifest(t *testing.T) *trusted.Manifest {
	t.Helper()
	m, err := trusted.ParseManifest([]byte(`{"` + trusted.Hash(listed) + `": "query Version { version }"}`))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func serve(t *testing.T, opts trusted.Options) (*httptest.Server, *schematest.Executable) {
	t.Helper()
	docs, err := trusted.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	es := schematest.New()
	srv := handler.New(es)
	srv.AddTransport(gqlhttp.Transport{})
	srv.Use(docs)
	srv.Use(oplimits.New(oplimits.Config{}))
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return ts, es
}

func apq(hash string) map[string]any {
	return map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hash}}
}

type reply struct {
	status int
	code   string
	data   bool
}

func call(t *testing.T, url string, body map[string]any) reply {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", url, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Data   json.RawMessage
		Errors []struct{ Extensions struct{ Code string } }
	}
	_ = json.NewDecoder(resp.Body).Decode(&out)
	r := reply{status: resp.StatusCode, data: len(out.Data) > 0}
	if len(out.Errors) > 0 {
		r.code = out.Errors[0].Extensions.Code
	}
	return r
}

func TestEnforcedManifest(t *testing.T) {
	ts, es := serve(t, trusted.Options{Manifest: manifest(t), Enforce: true})
	cases := []struct {
		name string
		body map[string]any
		code string
	}{
		{"a manifest operation runs by APQ hash", map[string]any{"extensions": apq(trusted.Hash(listed))}, ""},
		{"a manifest operation runs by documentId", map[string]any{"documentId": "sha256:" + trusted.Hash(listed)}, ""},
		{"a manifest operation sent as text runs", map[string]any{"query": listed}, ""},
		{"an unlisted document is refused", map[string]any{"query": unlisted}, errcode.OperationNotTrusted},
		{"an unknown id is not found", map[string]any{"extensions": apq(trusted.Hash(unlisted))}, errcode.PersistedQueryNotFound},
		{"an APQ registration is refused", map[string]any{"query": unlisted, "extensions": apq(trusted.Hash(unlisted))}, errcode.OperationNotTrusted},
		{"a listed id with another document is refused", map[string]any{"query": unlisted, "extensions": apq(trusted.Hash(listed))}, errcode.PersistedQueryHashMismatch},
		{"a malformed id is refused", map[string]any{"documentId": "md5:abc"}, errcode.BadPersistedQuery},
		{"an APQ extension of another version is refused", map[string]any{"extensions": map[string]any{"persistedQuery": map[string]any{"version": 2, "sha256Hash": trusted.Hash(listed)}}}, errcode.BadPersistedQuery},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := es.Executions.Load()
			r := call(t, ts.URL, tc.body)
			if r.code != tc.code {
				t.Fatalf("code %q, want %q (status %d)", r.code, tc.code, r.status)
			}
			ran := es.Executions.Load() > before
			if ran != (tc.code == "") || r.data != ran {
				t.Errorf("ran = %v, data = %v", ran, r.data)
			}
		})
	}
}

func TestRequireID(t *testing.T) {
	ts, _ := serve(t, trusted.Options{Manifest: manifest(t), Enforce: true, RequireID: true})
	if r := call(t, ts.URL, map[string]any{"query": listed}); r.code != errcode.OperationNotTrusted {
		t.Fatalf("a listed document sent as text under requireId: %+v", r)
	}
}

func TestAutomaticPersistedQueries(t *testing.T) {
	ts, es := serve(t, trusted.Options{APQ: lru.New[string](10)})
	hash := trusted.Hash(unlisted)
	steps := []struct {
		name string
		body map[string]any
		code string
	}{
		{"an unknown hash asks for the document", map[string]any{"extensions": apq(hash)}, errcode.PersistedQueryNotFound},
		{"a document that does not match its hash is refused", map[string]any{"query": listed, "extensions": apq(hash)}, errcode.PersistedQueryHashMismatch},
		{"the document with its hash runs and is registered", map[string]any{"query": unlisted, "extensions": apq(hash)}, ""},
		{"then the hash alone runs", map[string]any{"extensions": apq(hash)}, ""},
		{"any document still runs without a hash", map[string]any{"query": listed}, ""},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			before := es.Executions.Load()
			r := call(t, ts.URL, s.body)
			if r.code != s.code || (es.Executions.Load() > before) != (s.code == "") {
				t.Fatalf("got %+v, want code %q", r, s.code)
			}
		})
	}

	t.Run("a document refused by the limits is not registered", func(t *testing.T) {
		deep := "{ regions { " + strings.Repeat("municipalities { region { ", 7) + "name" + strings.Repeat(" } }", 7) + " } }"
		h := trusted.Hash(deep)
		if r := call(t, ts.URL, map[string]any{"query": deep, "extensions": apq(h)}); r.code != errcode.DepthLimitExceeded {
			t.Fatalf("deep registration: %+v", r)
		}
		if r := call(t, ts.URL, map[string]any{"extensions": apq(h)}); r.code != errcode.PersistedQueryNotFound {
			t.Fatalf("the refused document was registered: %+v", r)
		}
	})
}

func TestAPQCanBeOff(t *testing.T) {
	ts, _ := serve(t, trusted.Options{})
	if r := call(t, ts.URL, map[string]any{"extensions": apq(trusted.Hash(listed))}); r.code != errcode.PersistedQueryNotSupported {
		t.Fatalf("APQ off: %+v", r)
	}
}

func TestEnforceNeedsAManifest(t *testing.T) {
	if _, err := trusted.New(trusted.Options{Enforce: true}); err == nil {
		t.Fatal("enforce without a manifest was accepted")
	}
}
