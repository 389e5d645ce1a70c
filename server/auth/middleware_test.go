package auth

import (
	"net/http"
	"strings"
	"testing"

	"github.com/sundhedsklynge/klynge/sandbox/oidc"
)

func TestMiddleware(t *testing.T) {
	_, base := sandboxIssuer(t)
	logger, logs := capturedLogger()
	a := newAuthenticator(t, base+"/oidc", Options{Logger: logger})
	h := protected(a)
	good := sandboxToken(t, base, oidc.ClientClinicianSlagelse, nil)
	citizen := sandboxToken(t, base, oidc.ClientCitizen, nil)
	wrongAudience := sandboxToken(t, base, oidc.ClientGP, map[string][]string{"audience": {"other-api"}})

	t.Run("a valid token reaches the handler with its principal", func(t *testing.T) {
		status, body, _ := call(t, h, http.MethodPost, "Bearer "+good, nil)
		if status != 200 || body != "clinician-slagelse clinician" {
			t.Fatalf("%d %q", status, body)
		}
	})
	t.Run("the scheme is case-insensitive", func(t *testing.T) {
		if status, _, _ := call(t, h, http.MethodPost, "bearer "+good, nil); status != 200 {
			t.Fatalf("status %d", status)
		}
	})

	tests := []struct {
		name          string
		authorization string
		wantReason    string
		wantChallenge string
	}{
		{"no Authorization header", "", ReasonMissing, `Bearer realm="klynge"`},
		{"Basic credentials", "Basic Zm9vOmJhcg==", ReasonMalformed, `Bearer realm="klynge", error="invalid_token", error_description="the Authorization header must be 'Bearer <token>'"`},
		{"Bearer without a token", "Bearer ", ReasonMalformed, `error="invalid_token"`},
		{"garbage token", "Bearer not.a.jwt", ReasonMalformed, `error="invalid_token", error_description="the token is not a signed JWT`},
		{"token for another audience", "Bearer " + wrongAudience, ReasonAudience, `error_description="the token is not meant for this gateway (audience 'klynge')"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, _, r := call(t, h, http.MethodPost, tt.authorization, nil)
			if status != http.StatusUnauthorized {
				t.Fatalf("status %d, want 401", status)
			}
			if r.Code != "UNAUTHENTICATED" || r.Reason != tt.wantReason || !strings.HasPrefix(r.Message, "unauthenticated: ") {
				t.Fatalf("error %+v, want UNAUTHENTICATED / %s", r, tt.wantReason)
			}
			if !strings.Contains(r.Challenge, tt.wantChallenge) {
				t.Fatalf("WWW-Authenticate %q, want it to contain %q", r.Challenge, tt.wantChallenge)
			}
		})
	}

	t.Run("two Authorization headers are refused", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodPost, "/graphql", nil)
		req.Header.Add("Authorization", "Bearer "+good)
		req.Header.Add("Authorization", "Bearer "+citizen)
		rec := recorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusUnauthorized {
			t.Fatalf("status %d", rec.Code)
		}
	})
	t.Run("answers in the media type the client accepts", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodPost, "/graphql", nil)
		req.Header.Set("Accept", "application/graphql-response+json, application/json;q=0.9")
		rec := recorder()
		h.ServeHTTP(rec, req)
		if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/graphql-response+json") {
			t.Fatalf("Content-Type %q", ct)
		}
	})
	t.Run("CORS preflight passes without a token", func(t *testing.T) {
		status, _, _ := call(t, h, http.MethodOptions, "", nil)
		if status != http.StatusTeapot { // reached the handler, which found no principal
			t.Fatalf("status %d: preflight did not reach the handler", status)
		}
	})
	t.Run("websocket upgrades are refused unless websockets are enabled", func(t *testing.T) {
		upgrade := map[string]string{"Upgrade": "websocket", "Connection": "Upgrade"}
		req, _ := http.NewRequest(http.MethodGet, "/graphql", nil)
		for k, v := range upgrade {
			req.Header.Set(k, v)
		}
		rec := recorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusUnauthorized {
			t.Fatalf("status %d, want 401 without Options.Websockets", rec.Code)
		}
		ws := newAuthenticator(t, base+"/oidc", Options{Websockets: true})
		rec = recorder()
		protected(ws).ServeHTTP(rec, req)
		if rec.Code != http.StatusTeapot {
			t.Fatalf("status %d: the upgrade must reach the websocket transport, which authenticates in init", rec.Code)
		}
	})
	t.Run("logs hold reasons, never tokens or the citizen's CPR", func(t *testing.T) {
		call(t, h, http.MethodPost, "Bearer "+citizen, nil)
		call(t, h, http.MethodPost, "Bearer "+citizen+"x", nil)
		out := logs.String()
		if !strings.Contains(out, ReasonMalformed) {
			t.Fatalf("refusals were not logged: %s", out)
		}
		cit, ok := sandboxIssuerClient(t, base, oidc.ClientCitizen)
		if !ok || cit == "" {
			t.Fatal("the citizen client has no CPR")
		}
		for _, secret := range []string{good[:40], citizen[:40], cit} {
			if strings.Contains(out, secret) {
				t.Fatalf("log holds %q", secret)
			}
		}
	})
}
