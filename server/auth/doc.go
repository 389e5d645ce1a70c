// Package auth authenticates callers of the gateway: it validates bearer
// JWTs against the configured OpenID Connect issuer (discovery, a JSON Web
// Key Set fetched again when a token names a key it has not seen, issuer,
// audience and expiry checks with a small clock skew) with coreos/go-oidc,
// and turns a valid token's claims into an access.Principal that it puts in
// the request's context (access.PrincipalFrom).
//
// Requests without a valid token are refused with HTTP 401, a
// WWW-Authenticate challenge (RFC 6750) and a GraphQL error whose
// `extensions.code` is UNAUTHENTICATED and whose `extensions.reason` says
// what was wrong. Websocket connections authenticate in their connection
// init message instead (Authenticator.WebsocketInit).
//
// The package decides nothing about what a principal may read (package
// access does). It never logs a token or a claim: a citizen's token carries
// their CPR.
package auth
