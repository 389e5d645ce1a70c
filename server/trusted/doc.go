// Package trusted decides which GraphQL documents may run: the operations of
// a trusted-documents manifest (the persisted-query manifests that Apollo's
// generate-persisted-query-manifest and GraphQL Codegen's client preset
// produce, ids being the sha256 of the document), and, for development,
// automatic persisted queries (APQ) that clients register themselves.
//
// With enforcement on, only manifest operations run, named by id
// (`extensions.persistedQuery.sha256Hash` or `documentId`) or sent verbatim;
// anything else is refused before it is parsed. It resolves ids to documents
// and nothing more: the limits still apply to what it resolves, and it never
// logs documents, which may hold CPR numbers.
package trusted
