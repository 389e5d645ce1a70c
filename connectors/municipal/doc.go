// Package municipal is klynge's client of the municipal care systems. Every
// municipality runs its own instance (contract in municipalapi), so there is
// one Client per municipality, each over its own upstream.Client with its
// own breaker and metrics ("municipal/330"), and a Directory that routes by
// municipality code.
//
// It maps services (FSIII indsatser), visits and received
// HospitalNotifications to domain values at its edge, in batches no larger
// than the upstream allows. It knows nothing of GraphQL or loaders, and
// logs nothing about citizens.
package municipal
