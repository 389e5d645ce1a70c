// Package pathway assembles a citizen's cross-sector pathways — the episode
// around a hospital stay or an eHospitalet home admission, from admission
// through discharge and handover until the follow-up window closes — and
// evaluates the handover rules of docs/PATHWAYS.md on them: who holds medical
// responsibility at any moment, which handovers broke (gaps), and which are
// still at risk because a deadline has not passed.
//
// It is where the medicine lives, so it is pure: it imports only the standard
// library and domain, does no I/O, keeps no state, never reads the clock (the
// moment of evaluation is a parameter) and never logs. The same input, rules
// and moment always give the same pathways. Everything it is given comes from
// upstream systems and is untrusted: inconsistent records are tolerated and
// never cause a panic.
//
// docs/PATHWAYS.md is the contract shared with the sandbox, which plants gaps
// from the same text. A change of a rule here is a change of that page.
package pathway
