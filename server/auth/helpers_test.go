package auth

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/sundhedsklynge/klynge/access"
	"github.com/sundhedsklynge/klynge/sandbox/oidc"
	"github.com/sundhedsklynge/klynge/sandbox/population"
	"github.com/sundhedsklynge/klynge/sandbox/sandboxtest"
)

// Synthetic CPR (day of birth + 60).
const cprAnna = "6703851234"

// clock is a settable clock shared by an Authenticator and its test.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Now()} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// testIssuer is a minimal OIDC issuer on loopback that signs whatever
// claims a test gives it, and counts key-set fetches.
type testIssuer struct {
	srv           *httptest.Server
	mu            sync.Mutex
	key           *ecdsa.PrivateKey
	kid           string
	jwksHits      atomic.Int64
	jwksDown      atomic.Bool
	discoveryDown atomic.Bool
	extraKeys     []jose.JSONWebKey // published besides the signing key
}

func startTestIssuer(t testing.TB) *testIssuer {
	t.Helper()
	ti := &testIssuer{}
	ti.newKey(t)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		if ti.discoveryDown.Load() {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		json.NewEncoder(w).Encode(map[string]any{
			"issuer": ti.srv.URL, "jwks_uri": ti.srv.URL + "/jwks",
			"id_token_signing_alg_values_supported": []string{"ES256", "HS256", "none"},
		})
	})
	mux.HandleFunc("GET /jwks", func(w http.ResponseWriter, r *http.Request) {
		ti.jwksHits.Add(1)
		if ti.jwksDown.Load() {
			http.Error(w, "down", http.StatusBadGateway)
			return
		}
		ti.mu.Lock()
		set := jose.JSONWebKeySet{Keys: append([]jose.JSONWebKey{{Key: &ti.key.PublicKey, KeyID: ti.kid, Algorithm: "ES256", Use: "sig"}}, ti.extraKeys...)}
		ti.mu.Unlock()
		json.NewEncoder(w).Encode(set)
	})
	ti.srv = httptest.NewServer(mux)
	t.Cleanup(ti.srv.Close)
	return ti
}

// newKey replaces the signing key; the old one is no longer published.
func (ti *testIssuer) newKey(t testing.TB) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	ti.mu.Lock()
	ti.key, ti.kid = k, fmt.Sprintf("k-%x", b)
	ti.mu.Unlock()
}

// claims are valid clinician claims from ti for audience klynge, valid
// from now for an hour; tests change what they need.
func (ti *testIssuer) claims(now time.Time) map[string]any {
	return map[string]any{
		"iss": ti.srv.URL, "sub": "clin-1", "aud": "klynge",
		"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(time.Hour).Unix(),
		ClaimRole: "clinician", ClaimOrganization: "990301000000302",
	}
}

func (ti *testIssuer) sign(t testing.TB, claims map[string]any) string {
	t.Helper()
	ti.mu.Lock()
	key, kid := ti.key, ti.kid
	ti.mu.Unlock()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: jose.JSONWebKey{Key: key, KeyID: kid}}, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := jwt.Signed(signer).Claims(claims).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func newAuthenticator(t *testing.T, issuer string, opts Options) *Authenticator {
	t.Helper()
	opts.Issuer = issuer
	if opts.Audience == "" {
		opts.Audience = "klynge"
	}
	a, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return a
}

// sandboxIssuer serves the sandbox's development issuer on loopback.
func sandboxIssuer(t *testing.T) (*oidc.Issuer, string) {
	t.Helper()
	w, err := population.Generate(population.Config{Population: 2000, Seed: 1, Now: sandboxtest.Now(t)})
	if err != nil {
		t.Fatal(err)
	}
	iss, err := oidc.New(oidc.Options{World: w})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/oidc/", iss.Handler())
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return iss, srv.URL
}

func sandboxToken(t *testing.T, base, client string, extra url.Values) string {
	t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {client}, "client_secret": {oidc.ClientSecret}}
	for k, v := range extra {
		form[k] = v
	}
	resp, err := http.PostForm(base+"/oidc/token", form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != 200 {
		t.Fatalf("token for %s: %d %v", client, resp.StatusCode, err)
	}
	return out.AccessToken
}

// refusal is a decoded 401/503 answer.
type refusal struct {
	Status    int
	Challenge string
	Code      string
	Reason    string
	Message   string
}

// protected serves Middleware around a handler that answers with the
// principal's subject and role.
func protected(a *Authenticator) http.Handler {
	return a.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, ok := access.PrincipalFrom(r.Context())
		if !ok {
			http.Error(w, "no principal", http.StatusTeapot)
			return
		}
		w.Write([]byte(p.Subject + " " + string(p.Role)))
	}))
}

func call(t *testing.T, h http.Handler, method, authorization string, header map[string]string) (int, string, refusal) {
	t.Helper()
	req := httptest.NewRequest(method, "/graphql", strings.NewReader(`{"query":"{ version }"}`))
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	body := rec.Body.String()
	var r refusal
	if rec.Code == http.StatusUnauthorized || rec.Code == http.StatusServiceUnavailable {
		var out struct {
			Errors []struct {
				Message    string `json:"message"`
				Extensions struct {
					Code   string `json:"code"`
					Reason string `json:"reason"`
				} `json:"extensions"`
			} `json:"errors"`
		}
		if err := json.Unmarshal([]byte(body), &out); err != nil || len(out.Errors) != 1 {
			t.Fatalf("refusal body %q is not one GraphQL error", body)
		}
		r = refusal{Status: rec.Code, Challenge: rec.Header().Get("WWW-Authenticate"),
			Code: out.Errors[0].Extensions.Code, Reason: out.Errors[0].Extensions.Reason, Message: out.Errors[0].Message}
	}
	return rec.Code, body, r
}

// capturedLogger records everything logged.
func capturedLogger() (*slog.Logger, *bytes.Buffer) {
	var buf bytes.Buffer
	var mu sync.Mutex
	return slog.New(slog.NewJSONHandler(lockedWriter{&buf, &mu}, &slog.HandlerOptions{Level: slog.LevelDebug})), &buf
}

type lockedWriter struct {
	w  io.Writer
	mu *sync.Mutex
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func recorder() *httptest.ResponseRecorder { return httptest.NewRecorder() }

// sandboxIssuerClient reads a demo client's CPR from GET /oidc/clients.
func sandboxIssuerClient(t *testing.T, base, id string) (string, bool) {
	t.Helper()
	resp, err := http.Get(base + "/oidc/clients")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Clients []oidc.Client `json:"clients"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	for _, c := range out.Clients {
		if c.ID == id {
			return c.CPR, true
		}
	}
	return "", false
}
