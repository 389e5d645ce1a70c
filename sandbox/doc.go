// Package sandbox plays the four existing systems a health cluster runs —
// eHospitalet (FHIR R4), Lægevagten, the municipal care systems (one instance
// per municipality) and the GP referral feed — over real HTTP, on one
// handler under path prefixes, with a deterministic synthetic population of
// Region Sjælland and planted handover gaps whose ground truth it keeps.
//
// Controls under /_sandbox/ count what each system was asked, inject faults
// and hand out the planted truth, so that gateway tests can be honest about
// round trips and failure. Only cmd/klynge and tests import this package;
// the gateway itself must talk to it over HTTP like to any production system.
//
// Every CPR in it is a synthetic replacement number (day of birth + 60). It
// must never log a CPR, a name or an address.
package sandbox
