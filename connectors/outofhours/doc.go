// Package outofhours is klynge's client of Lægevagten, the out-of-hours GP
// service (JSON REST, contract in outofhoursapi). It asks for the contacts
// of many citizens at once, in batches no larger than the upstream allows,
// and maps them to domain.OutOfHoursContact at its edge, refusing malformed
// data with an *upstream.DecodeError naming the field.
//
// It knows nothing of GraphQL or loaders, and logs nothing about citizens.
package outofhours
