// Package ratelimit limits requests per principal with a token bucket: in
// memory for one process, or in Redis (one atomic Lua script per request)
// when replicas must share the budget. A refused request gets 429 with
// Retry-After and a GraphQL error body.
//
// Who the principal is comes from a KeyFunc. Until authentication exists it
// is the bearer token's hash or else the client address (ClientKey); the
// authentication work swaps in a KeyFunc reading the principal from the
// request context. Keys may be derived from credentials: they are hashed
// before use and never logged.
package ratelimit
