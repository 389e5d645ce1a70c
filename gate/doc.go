// Package gate enforces the access rules (package access) on every GraphQL
// operation and owes the access log (package audit) a record of what each
// response disclosed or refused.
//
// It is a gqlgen extension (Extension) that keeps, per operation, the
// caller, the decisions made about citizens (each once, with the facts the
// rules read warmed through the operation's dataloaders), and the records
// owed; it checks every field of a Citizen against its decision, and writes
// the records before each response leaves, withholding the response when it
// cannot (fail closed). The access operations themselves (break the glass,
// its review, reading the access log, cluster data) decide and record here
// too; resolvers only parse arguments and map the results to the schema.
//
// It decides nothing itself (the rules are package access) and does no HTTP
// (it reads through loaders). It knows the generated Citizen model only to
// find the citizen behind a field.
package gate
