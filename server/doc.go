// Package server assembles klynge's HTTP surface: the gqlgen handler with its
// transports and extensions, the error presenter (the one place where typed
// errors become GraphQL `extensions.code`), request ids, health endpoints and
// the playground.
//
// It holds no business rules: access decisions, upstream calls and pathway
// rules live in their own packages and reach the graph through resolvers.
package server
