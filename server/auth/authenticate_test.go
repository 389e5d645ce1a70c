package auth

import (
	"encoding/base64"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/sundhedsklynge/klynge/access"
	"github.com/sundhedsklynge/klynge/sandbox/oidc"
)

func TestSandboxTokensBecomeTheirClientsPrincipals(t *testing.T) {
	iss, base := sandboxIssuer(t)
	a := newAuthenticator(t, base+"/oidc", Options{})
	for _, c := range iss.Clients() {
		t.Run(c.ID, func(t *testing.T) {
			p, expiry, err := a.Authenticate(t.Context(), sandboxToken(t, base, c.ID, nil))
			if err != nil {
				t.Fatalf("Authenticate: %v", err)
			}
			want := c.Principal()
			if p.Subject != want.Subject || p.Role != want.Role || p.Organization != want.Organization ||
				!slices.Equal(p.Clusters, want.Clusters) || p.CPR != want.CPR {
				t.Fatalf("principal %+v, want %+v", p, want)
			}
			if time.Until(expiry) < 50*time.Minute {
				t.Errorf("expiry %s is not the token's hour", expiry)
			}
		})
	}
}

func TestAuthenticateRefusals(t *testing.T) {
	clk := newClock()
	ti := startTestIssuer(t)
	a := newAuthenticator(t, ti.srv.URL, Options{Now: clk.Now})
	now := clk.Now()
	with := func(change func(c map[string]any)) string {
		c := ti.claims(now)
		change(c)
		return ti.sign(t, c)
	}
	other := startTestIssuer(t)
	tests := []struct {
		name       string
		token      string
		wantReason string
		wantText   string
	}{
		{"no token", "", ReasonMissing, "no bearer token"},
		{"not a JWT", "hello", ReasonMalformed, "not a signed JWT"},
		{"unsigned alg none", "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJ4In0.", ReasonMalformed, "accepted algorithm"},
		{"HS256 even though discovery lists it", hs256Token(t, ti.claims(now)), ReasonMalformed, "accepted algorithm"},
		// A restarted or rotated issuer: the key id is unknown, and the
		// description says what probably happened and where to go.
		{"signed by a key the issuer does not publish", other.sign(t, ti.claims(now)), ReasonSignature,
			"signature does not verify: " + ti.srv.URL + " publishes no key with its key id (kid). The token comes from another identity provider or sandbox, or the issuer rotated its keys or restarted"},
		{"tampered payload", tamper(ti.sign(t, ti.claims(now))), ReasonSignature, "does not verify with the keys of " + ti.srv.URL},
		{"another issuer in iss", with(func(c map[string]any) { c["iss"] = other.srv.URL }), ReasonIssuer,
			"not issued by " + ti.srv.URL + " (a token from another identity provider or sandbox is not accepted here); get one from " + ti.srv.URL},
		{"another audience", with(func(c map[string]any) { c["aud"] = "other-api" }), ReasonAudience, `audience "klynge"`},
		{"expired a minute ago", with(func(c map[string]any) { c["exp"] = now.Add(-time.Minute).Unix() }), ReasonExpired, "expired at"},
		{"no exp", with(func(c map[string]any) { delete(c, "exp") }), ReasonExpired, "no expiry"},
		{"not valid for another hour", with(func(c map[string]any) { c["nbf"] = now.Add(time.Hour).Unix() }), ReasonNotYetValid, "not valid yet"},
		// The red team's tokens: an exp a century ahead, an iat in the
		// future, a subject with a newline.
		{"valid for a hundred years", with(func(c map[string]any) { c["exp"] = now.AddDate(100, 0, 0).Unix() }), ReasonLifetime, "longer than the 12h0m0s"},
		{"valid for a day without iat", with(func(c map[string]any) {
			delete(c, "iat")
			c["exp"] = now.Add(24 * time.Hour).Unix()
		}), ReasonLifetime, "valid for 24h0m0s"},
		{"issued an hour in the future", with(func(c map[string]any) {
			c["iat"] = now.Add(time.Hour).Unix()
			c["exp"] = now.Add(2 * time.Hour).Unix()
		}), ReasonNotYetValid, "issued in the future"},
		{"a subject with a newline", with(func(c map[string]any) { c["sub"] = "clin-1\nrole=privacy_officer" }), ReasonClaims, "claim sub must not contain control"},
		{"an organisation with a zero-width space", with(func(c map[string]any) {
			c[ClaimRole], c[ClaimOrganization], c[ClaimClusters] = "integrator", "Region\u200bSjælland", "sjaelland-holbaek"
		}), ReasonClaims, "claim klynge_org must not contain control"},
		{"no role", with(func(c map[string]any) { delete(c, ClaimRole) }), ReasonClaims, "claim klynge_role must be one of"},
		{"unknown role", with(func(c map[string]any) { c[ClaimRole] = "admin" }), ReasonClaims, "klynge_role"},
		{"clinician without SOR", with(func(c map[string]any) { delete(c, ClaimOrganization) }), ReasonClaims, "claim klynge_org must be the SOR code"},
		{"role of the wrong type", with(func(c map[string]any) { c[ClaimRole] = []string{"gp"} }), ReasonClaims, "wrong type"},
		{"no subject", with(func(c map[string]any) { delete(c, "sub") }), ReasonClaims, "claim sub is required"},
		{"a CPR as subject", with(func(c map[string]any) {
			c["sub"], c[ClaimRole], c[ClaimCPR] = cprAnna, "citizen", cprAnna
			delete(c, ClaimOrganization)
		}), ReasonClaims, "claim sub must not be a CPR"},
		{"citizen without CPR", with(func(c map[string]any) { c[ClaimRole] = "citizen"; delete(c, ClaimOrganization) }), ReasonClaims, "claim klynge_cpr must be"},
		{"malformed CPR", with(func(c map[string]any) {
			c[ClaimRole], c[ClaimCPR] = "citizen", "6703851"
			delete(c, ClaimOrganization)
		}), ReasonClaims, "claim klynge_cpr must be a CPR"},
		{"integrator without clusters", with(func(c map[string]any) { c[ClaimRole] = "integrator" }), ReasonClaims, "claim klynge_clusters must name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := a.Authenticate(t.Context(), tt.token)
			var ae *Error
			if !errors.As(err, &ae) {
				t.Fatalf("err = %v, want *Error with reason %s", err, tt.wantReason)
			}
			if ae.Reason != tt.wantReason || !strings.Contains(ae.Description, tt.wantText) {
				t.Fatalf("reason %s %q, want %s containing %q", ae.Reason, ae.Description, tt.wantReason, tt.wantText)
			}
			if strings.Contains(ae.Description, cprAnna) {
				t.Fatalf("description %q quotes the CPR", ae.Description)
			}
		})
	}
}

func TestFlexibleClaimShapes(t *testing.T) {
	clk := newClock()
	ti := startTestIssuer(t)
	a := newAuthenticator(t, ti.srv.URL, Options{Now: clk.Now})
	tests := []struct {
		name   string
		change func(c map[string]any)
		want   access.Principal
	}{
		{"municipality code as a JSON number", func(c map[string]any) { c[ClaimRole], c[ClaimOrganization] = "municipal_nurse", 330 },
			access.Principal{Subject: "clin-1", Role: access.RoleMunicipalNurse, Organization: "330"}},
		{"clusters as one space-separated string", func(c map[string]any) {
			c[ClaimRole], c[ClaimClusters] = "integrator", "sjaelland-holbaek sjaelland-nykobing"
			delete(c, ClaimOrganization)
		}, access.Principal{Subject: "clin-1", Role: access.RoleIntegrator, Clusters: []string{"sjaelland-holbaek", "sjaelland-nykobing"}}},
		{"hyphenated CPR", func(c map[string]any) {
			c[ClaimRole], c[ClaimCPR] = "citizen", "670385-1234"
			delete(c, ClaimOrganization)
		}, access.Principal{Subject: "clin-1", Role: access.RoleCitizen, CPR: cprAnna}},
		{"audience among several", func(c map[string]any) { c["aud"] = []string{"other", "klynge"} },
			access.Principal{Subject: "clin-1", Role: access.RoleClinician, Organization: "990301000000302"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ti.claims(clk.Now())
			tt.change(c)
			p, _, err := a.Authenticate(t.Context(), ti.sign(t, c))
			if err != nil {
				t.Fatalf("Authenticate: %v", err)
			}
			if p.Subject != tt.want.Subject || p.Role != tt.want.Role || p.Organization != tt.want.Organization ||
				!slices.Equal(p.Clusters, tt.want.Clusters) || p.CPR != tt.want.CPR {
				t.Fatalf("principal %+v, want %+v", p, tt.want)
			}
		})
	}
}

func TestClockSkew(t *testing.T) {
	clk := newClock()
	ti := startTestIssuer(t)
	tests := []struct {
		name    string
		skew    time.Duration
		expired time.Duration
		ok      bool
	}{
		{"expired 10s ago is within the default 30s skew", 0, 10 * time.Second, true},
		{"expired 40s ago is beyond it", 0, 40 * time.Second, false},
		{"expired 40s ago is within a 1m skew", time.Minute, 40 * time.Second, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := newAuthenticator(t, ti.srv.URL, Options{Now: clk.Now, ClockSkew: tt.skew})
			c := ti.claims(clk.Now().Add(-time.Hour))
			c["exp"] = clk.Now().Add(-tt.expired).Unix()
			_, _, err := a.Authenticate(t.Context(), ti.sign(t, c))
			if (err == nil) != tt.ok {
				t.Fatalf("err = %v, want accepted = %v", err, tt.ok)
			}
		})
	}
}

func TestNewRefusesBadOptions(t *testing.T) {
	tests := []struct {
		name string
		opts Options
		want string
	}{
		{"no audience", Options{Issuer: "https://idp.example/oidc"}, "Audience is required"},
		{"relative issuer", Options{Issuer: "/oidc", Audience: "klynge"}, "Issuer must be an absolute"},
		{"skew too large", Options{Issuer: "https://idp.example/oidc", Audience: "klynge", ClockSkew: time.Hour}, "ClockSkew"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("New = %v, want an error about %q", err, tt.want)
			}
		})
	}
}

func TestDiscoveryFailures(t *testing.T) {
	_, base := sandboxIssuer(t)
	tests := []struct {
		name   string
		issuer string
	}{
		{"issuer not reachable", "http://127.0.0.1:1/oidc"},
		{"discovery names another issuer", strings.Replace(base, "127.0.0.1", "localhost", 1) + "/oidc/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := newClock()
			a := newAuthenticator(t, tt.issuer, Options{Now: clk.Now})
			if err := a.Discover(t.Context()); err == nil || !strings.Contains(err.Error(), "discovery") {
				t.Fatalf("Discover = %v, want a discovery error", err)
			}
			if err := a.Ready(t.Context()); err == nil {
				t.Fatal("Ready with a failed discovery")
			}
			status, _, r := call(t, protected(a), http.MethodPost, "Bearer x.y.z", nil)
			if status != http.StatusServiceUnavailable || r.Reason != ReasonKeysUnavailable {
				t.Fatalf("status %d %+v: an unreachable issuer is the gateway's problem, not the caller's", status, r)
			}
		})
	}
	t.Run("a failed discovery is retried, at most once per refresh interval", func(t *testing.T) {
		clk := newClock()
		ti := startTestIssuer(t)
		ti.discoveryDown.Store(true)
		a := newAuthenticator(t, ti.srv.URL, Options{Now: clk.Now})
		if a.Discover(t.Context()) == nil {
			t.Fatal("discovered an issuer that is down")
		}
		ti.discoveryDown.Store(false)
		if a.Discover(t.Context()) == nil {
			t.Fatal("asked the issuer again within the refresh interval")
		}
		clk.Advance(DefaultKeyRefreshInterval)
		if err := a.Discover(t.Context()); err != nil {
			t.Fatalf("not retried after the interval: %v", err)
		}
	})
	t.Run("the gateway can start before its issuer", func(t *testing.T) {
		ti := startTestIssuer(t)
		a := newAuthenticator(t, ti.srv.URL, Options{})
		if err := a.Ready(t.Context()); err != nil {
			t.Fatalf("Ready: %v", err)
		}
	})
}

func TestTokenFromAnotherHostNameIsAnotherIssuer(t *testing.T) {
	_, base := sandboxIssuer(t)
	a := newAuthenticator(t, base+"/oidc", Options{})
	// The sandbox issuer names itself after the host it is reached by, so a
	// token fetched through "localhost" carries another iss.
	raw := sandboxToken(t, strings.Replace(base, "127.0.0.1", "localhost", 1), oidc.ClientGP, nil)
	_, _, err := a.Authenticate(t.Context(), raw)
	var ae *Error
	if !errors.As(err, &ae) || ae.Reason != ReasonIssuer {
		t.Fatalf("err = %v, want %s", err, ReasonIssuer)
	}
}

// hs256Token signs claims with HMAC, as an attacker would who hopes the
// gateway accepts the algorithm the token names.
func hs256Token(t *testing.T, claims map[string]any) string {
	t.Helper()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: []byte("0123456789abcdef0123456789abcdef")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := jwt.Signed(signer).Claims(claims).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// tamper changes the subject in a signed token's payload and keeps the
// signature.
func tamper(raw string) string {
	parts := strings.Split(raw, ".")
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	payload = []byte(strings.Replace(string(payload), `"clin-1"`, `"clin-2"`, 1))
	parts[1] = base64.RawURLEncoding.EncodeToString(payload)
	return strings.Join(parts, ".")
}

func TestLifetimeWithinTheLimitsIsAccepted(t *testing.T) {
	clk := newClock()
	ti := startTestIssuer(t)
	now := clk.Now()
	tests := []struct {
		name   string
		max    time.Duration
		change func(c map[string]any)
	}{
		{"iat 10s ahead is within the 30s skew", 0, func(c map[string]any) { c["iat"] = now.Add(10 * time.Second).Unix() }},
		{"exactly the default 12h", 0, func(c map[string]any) { c["exp"] = now.Add(12 * time.Hour).Unix() }},
		{"a day when configured", 24 * time.Hour, func(c map[string]any) { c["exp"] = now.Add(24 * time.Hour).Unix() }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := newAuthenticator(t, ti.srv.URL, Options{Now: clk.Now, MaxTokenLifetime: tt.max})
			c := ti.claims(now)
			tt.change(c)
			if _, _, err := a.Authenticate(t.Context(), ti.sign(t, c)); err != nil {
				t.Fatalf("refused: %v", err)
			}
		})
	}
}
