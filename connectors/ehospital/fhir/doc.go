// Package fhir holds the FHIR R4 wire types the ehospital connector reads:
// the small subset of resources klynge uses (Bundle, Patient, Encounter,
// Provenance for MedCom HospitalNotifications, OperationOutcome,
// CapabilityStatement) and the identifier systems and codes they carry.
//
// It is the connector's alone. The sandbox writes its FHIR from its own
// model, so that the two can disagree, and the connector's tests decode
// recorded JSON as real servers write it (testdata/). Unknown JSON fields
// are ignored, as FHIR clients must.
package fhir
