// Package gpreferral is klynge's client of the GP referral feed (contract in
// gpreferralapi): the referrals general practice sends with their status
// histories, citizens' contacts with their practice, the practice
// directory, and the ordered event feed.
//
// It maps wire records to domain values at its edge, asks for many citizens
// or practices at once in batches no larger than the upstream allows, and
// refuses malformed data with an *upstream.DecodeError naming the field. It
// knows nothing of GraphQL or loaders, and logs nothing about citizens.
package gpreferral
