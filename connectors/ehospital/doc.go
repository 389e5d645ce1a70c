// Package ehospital is klynge's client of eHospitalet's FHIR R4 REST API
// (contract in package fhir): patients by CPR, encounters by patient list or
// by municipality, status, class, hospital and period, each encounter with
// the MedCom HospitalNotifications sent about it (Provenance resources,
// fetched in the same request with _revinclude).
//
// Searches are POSTed ([type]/_search with a form body) so that CPR numbers
// never appear in URLs, and next links are followed only on the server's
// own base URL. Wire resources are mapped to domain values at this edge;
// malformed data is refused with an *upstream.DecodeError naming the field
// ("entry[3].resource.subject.identifier"), and an OperationOutcome answer
// becomes an *OutcomeError.
//
// It knows nothing of GraphQL or loaders, and logs nothing about citizens.
package ehospital
