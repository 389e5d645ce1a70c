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

// A note on the model, for a world that runs on (time advancing from a
// start). Generation is a pure function of (Config.Seed, Config.Now,
// Config.Rules): every fact is an event with its own timestamp — an arrival,
// a STIN, leaves (STOR/SLOR), a discharge, a visit's planned and performed
// times, a referral's history, a contact's received time — and a status at
// now is derived from those timestamps (endStay makes a stay ongoing or on
// leave by comparing them with now; answer cuts a referral's history at
// now). To run on, generate the timeline for a horizon beyond now and derive
// statuses and the ground truth at each instant: a planted gap is known from
// its detectedAt, and the rule it belongs to is the citizen's cluster's rule
// set (rules). Concerns draw from their own stream per citizen (streams), so
// extending a timeline does not reshuffle another.
