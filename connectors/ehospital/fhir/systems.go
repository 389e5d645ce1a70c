package fhir

// Identifier and code systems used on the wire (docs/FHIR-CODES.md: DK-core
// and MedCom, with the versions they are taken from).
const (
	// SystemCPR is the Danish civil registration number. Only real CPRs may
	// claim it.
	SystemCPR = "urn:oid:1.2.208.176.1.2"
	// SystemSyntheticCPR is klynge's project-local system for synthetic
	// replacement numbers (day of birth + 60): the sandbox and every test
	// use it so that no synthetic number ever claims the real CPR system.
	SystemSyntheticCPR = "https://klynge.sundhedsklynge.dk/fhir/NamingSystem/synthetic-cpr"
	SystemSOR          = "urn:oid:1.2.208.176.1.1"
	SystemYdernummer   = "urn:oid:1.2.208.176.1.4"
	SystemMunicipality = "http://hl7.dk/fhir/core/CodeSystem/dk-core-municipality-codes"
	// ExtMunicipality carries the municipality code on an Address, as a
	// valueCodeableConcept (DK-core 2.0.0 onwards; klynge also reads the
	// valueCoding some servers write).
	ExtMunicipality = "http://hl7.dk/fhir/core/StructureDefinition/dk-core-municipalityCodes"
	SystemActCode   = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
	// SystemMedComActivity is the MedCom messaging activity code system
	// carried in Provenance.activity of a HospitalNotification.
	SystemMedComActivity = "http://medcomfhir.dk/ig/terminology/CodeSystem/medcom-messaging-activityCodes"
	// SystemDischargeDisposition is eHospitalet's local code system for
	// Encounter.hospitalization.dischargeDisposition.
	SystemDischargeDisposition = "https://klynge.sundhedsklynge.dk/fhir/CodeSystem/discharge-destination"
	// SystemSpecialty marks the clinical specialty of an encounter in
	// Encounter.serviceType; code "psychiatry" marks psychiatric stays.
	SystemSpecialty = "https://klynge.sundhedsklynge.dk/fhir/CodeSystem/specialty"
	// ExtReceiverMunicipality on a Provenance names the municipality of
	// residence a HospitalNotification was sent to (valueCodeableConcept,
	// like DK-core's municipality extension).
	ExtReceiverMunicipality = "https://klynge.sundhedsklynge.dk/fhir/StructureDefinition/receiver-municipality"
	// ExtNotificationSent on a Provenance is when the message left (Recorded
	// is when the server stored it).
	ExtNotificationSent = "https://klynge.sundhedsklynge.dk/fhir/StructureDefinition/notification-sent"

	// ContentType is the FHIR JSON media type.
	ContentType = "application/fhir+json"
)

// SpecialtyPsychiatry is the Encounter.serviceType code for psychiatry.
const SpecialtyPsychiatry = "psychiatry"
