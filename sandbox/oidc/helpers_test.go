package oidc

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/sundhedsklynge/klynge/sandbox/population"
)

var (
	worldOnce sync.Once
	world     *population.World
	worldErr  error
)

// testWorld is the default-size population, generated once for the
// package's tests.
func testWorld(t testing.TB) *population.World {
	t.Helper()
	worldOnce.Do(func() {
		world, worldErr = population.Generate(population.Config{
			Population: 20000, Seed: 1, Now: time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC),
		})
	})
	if worldErr != nil {
		t.Fatal(worldErr)
	}
	return world
}

// startIssuer serves an issuer on loopback under /oidc.
func startIssuer(t *testing.T, opts Options) (*Issuer, string) {
	t.Helper()
	if opts.World == nil {
		opts.World = testWorld(t)
	}
	iss, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	mux := http.NewServeMux()
	mux.Handle("/oidc/", iss.Handler())
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return iss, srv.URL
}

func postForm(t *testing.T, u string, form url.Values, basicID, basicSecret string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if basicID != "" {
		req.SetBasicAuth(basicID, basicSecret)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, body
}

func getJSON(t *testing.T, u string, out any) *http.Response {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatalf("GET %s: decode: %v", u, err)
		}
	}
	return resp
}

// fetchToken gets a token for a demo client with the form method.
func fetchToken(t *testing.T, base, client string) string {
	t.Helper()
	resp, body := postForm(t, base+"/oidc/token", url.Values{
		"grant_type": {"client_credentials"}, "client_id": {client}, "client_secret": {ClientSecret},
	}, "", "")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("token for %s: %d %s", client, resp.StatusCode, body)
	}
	var tr tokenResponse
	if err := json.Unmarshal(body, &tr); err != nil {
		t.Fatal(err)
	}
	return tr.AccessToken
}

// verify checks raw against the issuer's published key set and returns its
// claims, or the verification error.
func verify(t *testing.T, base, raw string) (tokenClaims, error) {
	t.Helper()
	var set jose.JSONWebKeySet
	getJSON(t, base+"/oidc/jwks", &set)
	tok, err := jwt.ParseSigned(raw, []jose.SignatureAlgorithm{jose.ES256})
	if err != nil {
		return tokenClaims{}, err
	}
	var c tokenClaims
	err = tok.Claims(set, &c)
	return c, err
}
