// Package population generates the sandbox's synthetic Region Sjælland: its
// citizens, GP practices and hospitals, the hospital stays with their MedCom
// HospitalNotifications, out-of-hours contacts, municipal care services,
// visits and received notifications, GP referrals and contacts, and the
// handover gaps planted among them with their ground truth.
//
// The World is a pure function of (Population, Seed, Now): the same inputs
// give the same values in the same order. Every CPR is a synthetic
// replacement number (day of birth + 60). The package serves nothing and
// knows no wire format; it must not log anything about a citizen.
package population
