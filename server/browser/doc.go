// Package browser guards the GraphQL endpoint against what browsers do on
// another site's behalf: it answers CORS for the origins configured, and it
// refuses cross-site requests that a browser sends without a CORS preflight
// (CSRF): GET, and POST with a form or text content type, unless they carry
// a header only a script that passed a preflight can set.
//
// Requests from outside browsers (curl, servers, the GraphQL-over-HTTP
// audit) carry no Origin and no Sec-Fetch-Site and pass. It never looks at
// the GraphQL document: whether an operation may run over GET is the
// transport's decision.
package browser
