package trusted_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/lru"

	"github.com/sundhedsklynge/klynge/access"
	"github.com/sundhedsklynge/klynge/errcode"
	"github.com/sundhedsklynge/klynge/internal/schematest"
	"github.com/sundhedsklynge/klynge/server/gqlhttp"
	"github.com/sundhedsklynge/klynge/server/trusted"
)

// servePrincipals is serve with the principal named by the X-Test-Subject
// header in each request's context, as server/auth puts it there.
func servePrincipals(t *testing.T, opts trusted.Options) string {
	t.Helper()
	docs, err := trusted.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	srv := handler.New(schematest.New())
	srv.AddTransport(gqlhttp.Transport{})
	srv.Use(docs)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := access.Principal{Subject: r.Header.Get("X-Test-Subject"), Role: access.RoleGP, Organization: "012345"}
		srv.ServeHTTP(w, r.WithContext(access.WithPrincipal(r.Context(), p)))
	}))
	t.Cleanup(ts.Close)
	return ts.URL
}

// callAs posts body as subject and returns the status and the raw body.
func callAs(t *testing.T, url, subject string, body map[string]any) (int, string) {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Test-Subject", subject)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(raw)
}

// The red team's oracle: after one user registers a document holding a
// CPR, another user sends its hash. A shared cache answers "found" (here: it
// runs) for a registered hash and PERSISTED_QUERY_NOT_FOUND for any other,
// which tells whether someone asked about that CPR. Per principal, the
// other user gets the same answer for the registered hash as for one never
// registered.
func TestAPQIsNoOracleAcrossPrincipals(t *testing.T) {
	url := servePrincipals(t, trusted.Options{APQ: lru.New[string](100)})
	asked := `{ citizen(cpr: "6101801234") { name } }`
	neverAsked := `{ citizen(cpr: "7203654321") { name } }`

	if status, body := callAs(t, url, "gp-anna", map[string]any{"query": asked, "extensions": apq(trusted.Hash(asked))}); status != http.StatusOK || bytes.Contains([]byte(body), []byte(errcode.PersistedQueryNotFound)) {
		t.Fatalf("registration by the first user: %d %s", status, body)
	}
	if status, body := callAs(t, url, "gp-anna", map[string]any{"extensions": apq(trusted.Hash(asked))}); status != http.StatusOK || bytes.Contains([]byte(body), []byte("errors")) {
		t.Fatalf("the first user's own hash does not run: %d %s", status, body)
	}

	regStatus, regBody := callAs(t, url, "gp-bo", map[string]any{"extensions": apq(trusted.Hash(asked))})
	unregStatus, unregBody := callAs(t, url, "gp-bo", map[string]any{"extensions": apq(trusted.Hash(neverAsked))})
	if regStatus != unregStatus || regBody != unregBody {
		t.Errorf("another user can tell a registered hash from an unregistered one:\nregistered   %d %s\nunregistered %d %s", regStatus, regBody, unregStatus, unregBody)
	}
	if !bytes.Contains([]byte(regBody), []byte(errcode.PersistedQueryNotFound)) {
		t.Errorf("another user's hash: %d %s, want %s", regStatus, regBody, errcode.PersistedQueryNotFound)
	}
}
