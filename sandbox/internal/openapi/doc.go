// Package openapi writes an OpenAPI 3 document for a simulated system from
// the same route table the mux serves, with JSON schemas derived from the
// wire types by reflection, so the document cannot describe a route that is
// not served or miss one that is.
package openapi
