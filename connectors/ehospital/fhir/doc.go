// Package fhir holds the FHIR R4 wire types of eHospitalet's REST API: the
// small subset of resources klynge reads (Bundle, Patient, Encounter,
// Provenance for MedCom HospitalNotifications, OperationOutcome) and the
// identifier systems and codes they carry.
//
// It is eHospitalet's published contract, shared by the ehospital connector
// (which reads it) and the sandbox (which serves it). It knows nothing of
// klynge's domain types: mapping happens in the connector. Unknown JSON
// fields are ignored, as FHIR clients must.
package fhir
