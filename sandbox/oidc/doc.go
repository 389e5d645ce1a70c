// Package oidc is the sandbox's development OpenID Connect issuer: the
// identity provider `klynge demo` trusts. It serves discovery, a JSON Web
// Key Set, an OAuth 2.0 client-credentials token endpoint and a list of demo
// clients, one per role klynge knows, whose organisations and example
// citizens come from the sandbox's population. Every demo client's secret
// is "demo".
//
// Routes, under the prefix the sandbox mounts it at (/oidc):
//
//	GET  /oidc/.well-known/openid-configuration   discovery
//	GET  /oidc/jwks                               the public signing keys
//	POST /oidc/token                              client credentials → JWT access token
//	GET  /oidc/clients                            the demo clients
//	POST /oidc/keys/rotate                        new signing key (the previous stays published)
//
// The issuer URL is the scheme and host a request came in on plus /oidc, so
// the gateway must be configured with the URL it reaches the sandbox by.
// Signing keys are fresh random ECDSA P-256 keys on every start, never
// derived from the population's seed: a key anyone can recompute would let
// anyone mint tokens for any demo gateway.
//
// It is for development and tests only: its secrets are public. It never
// logs a token or a citizen's CPR.
package oidc
