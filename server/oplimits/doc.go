// Package oplimits bounds what one GraphQL operation may ask for, before any
// resolver runs and so before any upstream system is called: document size
// and parser tokens, depth, aliases, root fields, directives per field, and
// a cost derived from the schema's shape (see Cost).
//
// The structural checks run on the raw document before gqlgen validates it,
// because validation itself is where hostile documents are expensive (the
// overlapping-fields rule is quadratic in aliases). The cost check runs
// after validation and variable coercion, when list lengths and `first`
// values are known. Every refusal has its own `extensions.code` and a
// message naming the limit, its configuration key and the value found.
//
// It reads documents and variables but never logs them: they may hold CPR
// numbers.
package oplimits
