// Package gqlhttp is klynge's GraphQL-over-HTTP transport: a gqlgen
// graphql.Transport that follows the GraphQL-over-HTTP specification
// (https://graphql.github.io/graphql-over-http/) where gqlgen's stock GET and
// POST transports do not. It negotiates application/graphql-response+json
// and application/json by Accept, answers request errors with the status
// codes the specification gives each media type, leaves `data` out (rather
// than null) when a request fails before execution, allows only queries over
// GET (405 with Allow otherwise), refuses batched arrays without decoding
// them, and bounds request bodies and headers before anything reads them.
//
// It decides how requests and responses travel, never what may run: limits,
// trusted documents, CSRF and rate limits are other packages' concern. It
// never logs variables or documents, which may hold CPR numbers.
package gqlhttp
