// Package ehospital is klynge's client of eHospitalet's FHIR R4 REST API,
// written to read FHIR R4 as servers write it (HAPI, Medplum, Epic-style
// facades), not only as klynge's sandbox does: patients by CPR, encounters
// by patient list or by municipality, status, class, hospital and period,
// each encounter with the MedCom HospitalNotifications sent about it
// (Provenance resources).
//
// What it copes with, and how:
//
//   - Encounter.subject by identifier, by literal reference (relative,
//     absolute, versioned) or both: references are resolved to CPRs from
//     the Patients of the same search (_include), or looked up with
//     Patient?_id.
//   - Capabilities: Discover reads [base]/metadata; each search feature
//     (chained patient.identifier, _include, _revinclude, the custom
//     patient.municipality, class) is used when declared or assumed, and a
//     400 OperationOutcome naming it makes the client fall back to a
//     strategy without it (Feature, Capabilities.Report) and log the
//     refused parameter for the operator.
//   - Paging: next links are resolved by RFC 3986 (root-relative, relative,
//     absolute, on a configured public base) and followed without a CPR in
//     any URL: an opaque link by GET, a link that repeats the search by
//     POSTing its parameters to [type]/_search. `total` is never needed.
//   - search.mode: included entries are never counted as matches.
//   - Partial dates and deceased[x]: a birthDate of "1958" costs nothing
//     (the CPR has the day); deceasedBoolean and partial dates of death
//     mark the citizen deceased.
//   - One malformed record costs only the citizen it belongs to
//     (*upstream.RecordErrors), found by upstream.Isolate when the record
//     names no one; only an unreadable Bundle fails a batch.
//
// Searches are POSTed ([type]/_search with a form body) so that CPR numbers
// never appear in URLs. Wire resources are mapped to domain values at this
// edge; a field that breaks a rule is named ("entry[3].resource.subject")
// in an *upstream.DecodeError, never its value. It knows nothing of GraphQL
// or loaders, and logs nothing about citizens.
package ehospital
