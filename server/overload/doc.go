// Package overload keeps the gateway answering when more work arrives than
// it can do. A Limiter admits at most a bounded number of GraphQL requests
// at once and refuses the next one at once with 503 and Retry-After — a
// clinician's client can retry or show a clear message, instead of every
// request queueing until all of them time out together. Each admitted
// request gets a deadline, which its context carries to every loader batch
// and upstream call; a client that goes away cancels the same context
// sooner.
//
// It must not queue requests, read their bodies or know anything of
// GraphQL beyond the shape of its refusal.
package overload
