// Package overload keeps the gateway answering when more work arrives than
// it can do. A Limiter admits at most a limit of GraphQL requests at once
// and refuses the next one at once with 503 and Retry-After — a clinician's
// client can retry or show a clear message, instead of every request
// queueing until all of them time out together.
//
// The limit is not fixed: it follows the latency the admitted requests
// measure (a gradient, after Netflix's concurrency-limits Gradient2), so
// that it settles near the concurrency the machine and its upstreams
// sustain, and a surge is held at the latency the gateway had before it
// (see gradient). Bulk work (an integrator's worklists) may use only a
// share of it, so that a clinician's read finds room. Refusing is the cheapest path the server has: the
// Limiter runs before token verification, the request id and the request
// log.
//
// Each admitted request gets a deadline, which its context carries to
// every loader batch and upstream call; a client that goes away cancels the
// same context sooner. A share of the deadline is kept back for the access
// log: the executor's context ends that much earlier, and ResponseDeadline
// tells the gate when the response itself must leave.
//
// It must not queue requests, read their bodies or know anything of
// GraphQL beyond the shape of its refusal.
package overload
