package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/sundhedsklynge/klynge/audit"
	"github.com/sundhedsklynge/klynge/config"
	"github.com/sundhedsklynge/klynge/sandbox/controls"
)

// mintIssuer is an OpenID Connect issuer on loopback that signs whatever
// claims a test asks for, as a compromised or misconfigured identity
// provider could: the same subject in two roles, an exp a century ahead,
// a subject with a newline. The gateway verifies its tokens exactly as it
// does any issuer's (discovery, JWKS, ES256).
type mintIssuer struct {
	URL string
	key *ecdsa.PrivateKey
}

func startMintIssuer(t *testing.T) *mintIssuer {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	m := &mintIssuer{key: key}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]any{"issuer": m.URL, "jwks_uri": m.URL + "/jwks",
			"id_token_signing_alg_values_supported": []string{"ES256"}})
	})
	mux.HandleFunc("GET /jwks", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &key.PublicKey, KeyID: "mint", Algorithm: "ES256", Use: "sig"}}})
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	m.URL = srv.URL
	return m
}

// sign signs claims, filling iss, aud, iat, nbf and a one-hour exp unless
// given (a nil value removes the claim).
func (m *mintIssuer) sign(t *testing.T, claims map[string]any) string {
	t.Helper()
	now := time.Now() // the gateway checks tokens against the wall clock
	full := map[string]any{"iss": m.URL, "aud": config.DefaultAudience, "iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(time.Hour).Unix()}
	for k, v := range claims {
		if v == nil {
			delete(full, k)
			continue
		}
		full[k] = v
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: jose.JSONWebKey{Key: m.key, KeyID: "mint"}}, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := jwt.Signed(signer).Claims(full).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// as is a token for subject in role at organisation.
func (m *mintIssuer) as(t *testing.T, subject, role, org string) string {
	claims := map[string]any{"sub": subject, "klynge_role": role}
	if org != "" {
		claims["klynge_org"] = org
	}
	return m.sign(t, claims)
}

// startMintStack is a stack whose gateway accepts the mint issuer's tokens,
// tuned further by tune.
func startMintStack(t *testing.T, tune func(*config.Config)) (*stack, *mintIssuer) {
	t.Helper()
	m := startMintIssuer(t)
	s := startStack(t, func(c *config.Config) {
		c.Auth.Issuer = m.URL
		if tune != nil {
			tune(c)
		}
	})
	return s, m
}

// sample is n CPRs of the sandbox's citizens with some history (no glass
// broken for them).
func sample(t *testing.T, d *demo, n int) []string {
	t.Helper()
	got := sandboxGet[controls.Citizens](t, d, fmt.Sprintf("/_sandbox/citizens?sample=%d&with=%s", n, controls.WithCare))
	if len(got.Citizens) < n {
		t.Fatalf("sandbox sampled %d citizens, want %d", len(got.Citizens), n)
	}
	out := make([]string, n)
	for i, c := range got.Citizens[:n] {
		out[i] = c.CPR
	}
	return out
}

// records are the access log's records of subject, newest first, read from
// the gateway's log directly (records about no citizen are not in any
// citizen's accessLog).
func (s *stack) records(t *testing.T, subject string) []audit.Record {
	t.Helper()
	recs, err := s.gateway.access.log.Query(t.Context(), audit.Query{Subject: subject, First: audit.MaxQueryFirst})
	if err != nil {
		t.Fatal(err)
	}
	return recs
}
