package auth

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/sundhedsklynge/klynge/access"
	"github.com/sundhedsklynge/klynge/errcode"
)

// Middleware authenticates every request but CORS preflights (OPTIONS,
// which carry no credentials and return no data) and, when
// Options.Websockets is set, websocket upgrades (authenticated in the
// connection init). It puts the principal in the request's context, or
// refuses: 401 with a WWW-Authenticate challenge, or 503 when the issuer's
// keys cannot be fetched.
func (a *Authenticator) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodOptions || (a.opts.Websockets && isWebsocketUpgrade(r)) {
			next.ServeHTTP(w, r)
			return
		}
		raw, err := bearerToken(r.Header)
		if err == nil {
			var p access.Principal
			var exp time.Time
			p, exp, err = a.Authenticate(r.Context(), raw)
			if err == nil {
				ctx := access.WithPrincipal(r.Context(), p)
				if !exp.IsZero() {
					ctx = context.WithValue(ctx, expiryKey{}, exp.Add(a.opts.ClockSkew))
				}
				next.ServeHTTP(w, r.WithContext(ctx))
				return
			}
		}
		a.refuse(w, r, err)
	})
}

type expiryKey struct{}

// ExpiresAt is when the token a request was authenticated with stops being
// accepted (its exp plus the clock skew): a stream the request opened
// (server-sent events) ends then.
func ExpiresAt(ctx context.Context) (time.Time, bool) {
	t, ok := ctx.Value(expiryKey{}).(time.Time)
	return t, ok
}

// bearerToken reads "Authorization: Bearer <token>". A missing header is
// ReasonMissing; any other scheme or shape is ReasonMalformed.
func bearerToken(h http.Header) (string, error) {
	values := h.Values("Authorization")
	switch {
	case len(values) == 0:
		return "", authError(ReasonMissing, "no bearer token: send the header Authorization: Bearer <token>")
	case len(values) > 1:
		return "", authError(ReasonMalformed, "send one Authorization header")
	}
	scheme, token, ok := strings.Cut(strings.TrimSpace(values[0]), " ")
	token = strings.TrimSpace(token)
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" || strings.ContainsAny(token, " \t") {
		return "", authError(ReasonMalformed, "the Authorization header must be 'Bearer <token>'")
	}
	return token, nil
}

func isWebsocketUpgrade(r *http.Request) bool {
	return r.Method == http.MethodGet &&
		strings.EqualFold(r.Header.Get("Upgrade"), "websocket") &&
		headerHasToken(r.Header, "Connection", "upgrade")
}

func headerHasToken(h http.Header, name, token string) bool {
	for _, v := range h.Values(name) {
		for _, t := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}

// refuse answers an unauthenticated request in GraphQL's error shape, in
// the media type the client accepts.
func (a *Authenticator) refuse(w http.ResponseWriter, r *http.Request, err error) {
	var ae *Error
	if !errors.As(err, &ae) {
		ae = authError(ReasonInvalid, "the token is not valid")
	}
	a.log.InfoContext(r.Context(), "auth: request refused", "reason", ae.Reason)
	code := errcode.Unauthenticated
	if ae.Unavailable() {
		code = errcode.AuthUnavailable
		w.Header().Set("Retry-After", "5")
	} else {
		w.Header().Set("WWW-Authenticate", a.challenge(ae))
	}
	media := "application/json"
	if strings.Contains(r.Header.Get("Accept"), "application/graphql-response+json") {
		media = "application/graphql-response+json"
	}
	w.Header().Set("Content-Type", media+"; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(errcode.Status(code))
	_ = json.NewEncoder(w).Encode(map[string]any{
		"errors": []map[string]any{{
			"message":    "unauthenticated: " + ae.Description,
			"extensions": map[string]any{"code": code, "reason": ae.Reason},
		}},
	})
}

// challenge is the RFC 6750 §3 WWW-Authenticate value. A request without
// credentials gets the bare challenge, as §3.1 asks; a bad token gets
// error="invalid_token" and a description.
func (a *Authenticator) challenge(e *Error) string {
	c := `Bearer realm="` + quote(a.opts.Realm) + `"`
	if e.Reason == ReasonMissing {
		return c
	}
	return c + `, error="invalid_token", error_description="` + quote(e.Description) + `"`
}

// quote makes s safe inside a quoted-string: RFC 6750 allows only
// printable ASCII other than " and \ in error_description.
func quote(s string) string {
	var b strings.Builder
	for _, c := range s {
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\'')
		case c < 0x20 || c > 0x7e:
			b.WriteByte('?')
		default:
			b.WriteRune(c)
		}
	}
	return b.String()
}
