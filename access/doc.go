// Package access decides who may see what: the principals klynge serves
// (clinicians, GPs, municipal nurses, out-of-hours doctors, integrators,
// citizens and privacy officers), the care relationships that let a health
// professional read a citizen's data, break-the-glass terms, what
// integrators, citizens and privacy officers may read instead, and the
// pseudonyms integrators see in place of CPR numbers.
//
// The rules are pure functions over the facts they need (Rules.Decide);
// Rules.Check reads those facts lazily through a FactSource, in the order
// that costs the fewest upstream reads, so that a caller who may not see a
// citizen costs no read of that citizen's clinical data beyond what the
// relationship check itself needs. docs/ACCESS.md states the rules.
//
// The package neither authenticates (server/auth does) nor records
// (package audit does), and it does no I/O of its own. A denial's reason
// says why in terms of the caller's own organisation and never discloses
// data the caller may not see: it reads the same whether or not the citizen
// exists. Principals and facts describe people: never log them.
package access
