package oidc

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

func TestDiscovery(t *testing.T) {
	_, base := startIssuer(t, Options{})
	var doc discoveryDocument
	resp := getJSON(t, base+"/oidc/.well-known/openid-configuration", &doc)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if doc.Issuer != base+"/oidc" {
		t.Errorf("issuer %q, want %q (the URL the request came in on)", doc.Issuer, base+"/oidc")
	}
	if doc.JWKSURI != base+"/oidc/jwks" || doc.TokenEndpoint != base+"/oidc/token" {
		t.Errorf("endpoints %q %q", doc.JWKSURI, doc.TokenEndpoint)
	}
	if !slices.Equal(doc.IDTokenSigningAlgs, []string{"ES256"}) || !slices.Contains(doc.GrantTypes, "client_credentials") {
		t.Errorf("algorithms %v, grants %v", doc.IDTokenSigningAlgs, doc.GrantTypes)
	}
}

func TestTokenEndpoint(t *testing.T) {
	now := time.Now()
	_, base := startIssuer(t, Options{Now: func() time.Time { return now }})
	ok := url.Values{"grant_type": {"client_credentials"}, "client_id": {ClientClinicianSlagelse}, "client_secret": {"demo"}}
	with := func(k, v string) url.Values {
		f := url.Values{}
		for key, vals := range ok {
			f[key] = slices.Clone(vals)
		}
		if v == "" {
			f.Del(k)
		} else {
			f.Set(k, v)
		}
		return f
	}
	tests := []struct {
		name       string
		form       url.Values
		basicID    string
		basicPass  string
		wantStatus int
		wantError  string
	}{
		{"client secret in the form", ok, "", "", 200, ""},
		{"client secret by HTTP Basic", url.Values{"grant_type": {"client_credentials"}}, ClientGP, "demo", 200, ""},
		{"wrong secret", with("client_secret", "guess"), "", "", 401, "invalid_client"},
		{"unknown client", with("client_id", "root"), "", "", 401, "invalid_client"},
		{"no client", with("client_id", ""), "", "", 401, "invalid_client"},
		{"wrong Basic secret", url.Values{"grant_type": {"client_credentials"}}, ClientGP, "nope", 401, "invalid_client"},
		{"both Basic and form credentials", ok, ClientGP, "demo", 400, "invalid_request"},
		{"no grant type", with("grant_type", ""), "", "", 400, "invalid_request"},
		{"password grant", with("grant_type", "password"), "", "", 400, "unsupported_grant_type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := postForm(t, base+"/oidc/token", tt.form, tt.basicID, tt.basicPass)
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tt.wantStatus, body)
			}
			if resp.Header.Get("Cache-Control") != "no-store" {
				t.Errorf("Cache-Control %q, want no-store", resp.Header.Get("Cache-Control"))
			}
			if tt.wantError != "" {
				var e oauthError
				if err := json.Unmarshal(body, &e); err != nil || e.Error != tt.wantError || e.Description == "" {
					t.Fatalf("body %s, want error %q with a description", body, tt.wantError)
				}
				if tt.basicID != "" && tt.wantStatus == 401 && resp.Header.Get("WWW-Authenticate") == "" {
					t.Error("401 to a Basic client without WWW-Authenticate")
				}
				return
			}
			var tr tokenResponse
			if err := json.Unmarshal(body, &tr); err != nil || tr.TokenType != "Bearer" || tr.ExpiresIn != 3600 || tr.AccessToken == "" {
				t.Fatalf("token response %s", body)
			}
		})
	}

	t.Run("JSON body is refused with a form error", func(t *testing.T) {
		resp, err := http.Post(base+"/oidc/token", "application/json", strings.NewReader(`{"grant_type":"client_credentials"}`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 400 {
			t.Fatalf("status %d", resp.StatusCode)
		}
	})
}

func TestTokenClaims(t *testing.T) {
	now := time.Now().Truncate(time.Second)
	iss, base := startIssuer(t, Options{Now: func() time.Time { return now }})
	for _, c := range iss.Clients() {
		t.Run(c.ID, func(t *testing.T) {
			claims, err := verify(t, base, fetchToken(t, base, c.ID))
			if err != nil {
				t.Fatalf("token does not verify against the key set: %v", err)
			}
			if err := claims.Validate(jwt.Expected{Issuer: base + "/oidc", AnyAudience: jwt.Audience{"klynge"}, Time: now}); err != nil {
				t.Fatalf("registered claims: %v", err)
			}
			if claims.Subject != c.ID || claims.Role != c.Role || claims.Organization != c.Organization ||
				!slices.Equal(claims.Clusters, c.Clusters) || claims.CPR != c.CPR {
				t.Fatalf("claims %+v do not describe client %+v", claims, c)
			}
			if got := claims.Expiry.Time().Sub(claims.IssuedAt.Time()); got != time.Hour {
				t.Errorf("lifetime %s, want 1h", got)
			}
		})
	}
	t.Run("audience parameter sets aud", func(t *testing.T) {
		resp, body := postForm(t, base+"/oidc/token", url.Values{"grant_type": {"client_credentials"}, "client_id": {ClientGP},
			"client_secret": {"demo"}, "audience": {"other-api"}}, "", "")
		if resp.StatusCode != 200 {
			t.Fatalf("%d %s", resp.StatusCode, body)
		}
		var tr tokenResponse
		json.Unmarshal(body, &tr)
		claims, err := verify(t, base, tr.AccessToken)
		if err != nil || !slices.Equal([]string(claims.Audience), []string{"other-api"}) {
			t.Fatalf("aud %v, err %v", claims.Audience, err)
		}
	})
}

func TestKeyRotation(t *testing.T) {
	_, base := startIssuer(t, Options{})
	first := fetchToken(t, base, ClientGP)

	rotate := func() (kid string, published []string) {
		t.Helper()
		resp, body := postForm(t, base+"/oidc/keys/rotate", url.Values{}, "", "")
		if resp.StatusCode != 200 {
			t.Fatalf("rotate: %d %s", resp.StatusCode, body)
		}
		var out struct {
			KeyID     string   `json:"kid"`
			Published []string `json:"published"`
		}
		json.Unmarshal(body, &out)
		return out.KeyID, out.Published
	}
	kid, published := rotate()
	if len(published) != 2 || published[0] != kid {
		t.Fatalf("after one rotation the set is %v, want the new key %s first and the previous one", published, kid)
	}
	t.Run("a token from before the rotation still verifies", func(t *testing.T) {
		if _, err := verify(t, base, first); err != nil {
			t.Fatal(err)
		}
	})
	second := fetchToken(t, base, ClientGP)
	t.Run("new tokens are signed with the new key", func(t *testing.T) {
		tok, err := jwt.ParseSigned(second, []jose.SignatureAlgorithm{jose.ES256})
		if err != nil {
			t.Fatal(err)
		}
		if got := tok.Headers[0].KeyID; got != kid {
			t.Fatalf("signed with key %q, want the new key %q", got, kid)
		}
		if _, err := verify(t, base, second); err != nil {
			t.Fatal(err)
		}
	})
	rotate()
	t.Run("a second rotation retires the first key", func(t *testing.T) {
		if _, err := verify(t, base, first); err == nil {
			t.Fatal("a token signed with a retired key still verifies")
		}
		if _, err := verify(t, base, second); err != nil {
			t.Fatalf("the previous key must stay published: %v", err)
		}
	})
}

func TestUnroutedAnswersJSON(t *testing.T) {
	_, base := startIssuer(t, Options{})
	tests := []struct {
		method, path string
		want         int
	}{
		{http.MethodGet, "/oidc/authorize", http.StatusNotFound},
		{http.MethodGet, "/oidc/token", http.StatusMethodNotAllowed},
		{http.MethodDelete, "/oidc/jwks", http.StatusMethodNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, base+tt.path, nil)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var e oauthError
			if resp.StatusCode != tt.want || json.NewDecoder(resp.Body).Decode(&e) != nil || e.Error == "" {
				t.Fatalf("status %d, error %+v; want %d with a JSON error", resp.StatusCode, e, tt.want)
			}
		})
	}
}

// TestPagesOfAnyOriginMayAsk: the demo's playground, served by the gateway
// on another port, reads the clients and gets tokens from the browser.
func TestPagesOfAnyOriginMayAsk(t *testing.T) {
	_, base := startIssuer(t, Options{})
	const origin = "http://127.0.0.1:8080"
	pre, _ := http.NewRequest(http.MethodOptions, base+"/oidc/token", nil)
	pre.Header.Set("Origin", origin)
	pre.Header.Set("Access-Control-Request-Method", "POST")
	pre.Header.Set("Access-Control-Request-Headers", "content-type")
	resp, err := http.DefaultClient.Do(pre)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent || resp.Header.Get("Access-Control-Allow-Origin") != "*" ||
		!strings.Contains(resp.Header.Get("Access-Control-Allow-Methods"), "POST") {
		t.Fatalf("preflight: %d %v", resp.StatusCode, resp.Header)
	}
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {ClientGP}, "client_secret": {ClientSecret}}
	req, _ := http.NewRequest(http.MethodPost, base+"/oidc/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", origin)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Fatalf("token: %d %v", resp.StatusCode, resp.Header)
	}
}
