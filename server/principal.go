package server

import (
	"net/http"

	"github.com/sundhedsklynge/klynge/access"
	"github.com/sundhedsklynge/klynge/server/ratelimit"
)

// PrincipalKey is the rate-limit key of an authenticated request: the
// principal's role and a hash of its subject (access.Principal.LimitKey),
// so that every token a person holds shares one budget and the limiter's
// store never holds a subject. Requests without a principal (websocket
// upgrades, authenticated later) fall back to ratelimit.ClientKey.
func PrincipalKey(r *http.Request) string {
	if p, ok := access.PrincipalFrom(r.Context()); ok {
		return "principal:" + p.LimitKey()
	}
	return ratelimit.ClientKey(r)
}
