package auth

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql/handler/transport"

	"github.com/sundhedsklynge/klynge/access"
	"github.com/sundhedsklynge/klynge/sandbox/oidc"
)

func TestWebsocketInit(t *testing.T) {
	_, base := sandboxIssuer(t)
	a := newAuthenticator(t, base+"/oidc", Options{})
	token := sandboxToken(t, base, oidc.ClientNurseSlagelse, nil)
	tests := []struct {
		name    string
		payload transport.InitPayload
		ok      bool
	}{
		{"Authorization in the payload", transport.InitPayload{"Authorization": "Bearer " + token}, true},
		{"lower-case authorization", transport.InitPayload{"authorization": "Bearer " + token}, true},
		{"bare token under token", transport.InitPayload{"token": token}, true},
		{"no token", transport.InitPayload{}, false},
		{"nil payload", nil, false},
		{"Basic credentials", transport.InitPayload{"Authorization": "Basic Zm9vOmJhcg=="}, false},
		{"bad token", transport.InitPayload{"token": token + "x"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, ack, err := a.WebsocketInit(t.Context(), tt.payload)
			if ack != nil {
				t.Errorf("ack payload %v, want none", ack)
			}
			if !tt.ok {
				if err == nil || !strings.HasPrefix(err.Error(), "unauthenticated: ") {
					t.Fatalf("err = %v, want an unauthenticated error", err)
				}
				if ctx == nil {
					t.Fatal("a refusal must return a context: gqlgen reads the close code from it")
				}
				if _, ok := access.PrincipalFrom(ctx); ok {
					t.Fatal("a refused connection carries a principal")
				}
				return
			}
			if err != nil {
				t.Fatalf("WebsocketInit: %v", err)
			}
			p, ok := access.PrincipalFrom(ctx)
			if !ok || p.Role != access.RoleMunicipalNurse {
				t.Fatalf("principal %+v, %v", p, ok)
			}
			deadline, ok := ctx.Deadline()
			if !ok || time.Until(deadline) > time.Hour+DefaultClockSkew || time.Until(deadline) < 50*time.Minute {
				t.Fatalf("connection context deadline %v, %v: want the token's expiry", deadline, ok)
			}
		})
	}
	t.Run("the connection's context ends with its parent", func(t *testing.T) {
		parent, cancel := context.WithCancel(t.Context())
		ctx, _, err := a.WebsocketInit(parent, transport.InitPayload{"token": token})
		if err != nil {
			t.Fatal(err)
		}
		cancel()
		<-ctx.Done()
	})
}
