package fhir

// Search parameters klynge uses. Searches may be sent as GET with a query
// string or as POST [type]/_search with a form body; klynge posts, so that
// CPR numbers never appear in URLs (and so in no proxy's access log).
// Token and reference parameters take a comma-separated OR list
// ("sys|a,sys|b").
//
// Paging: a searchset may carry `total` and, when more results exist, a
// `next` link: opaque (HAPI's ?_getpages=...) or repeating the whole search
// (Medplum and many others), absolute or relative. A client resolves it by
// RFC 3986 and must refuse one that points outside the server's base URL.
const (
	// Patient
	ParamIdentifier = "identifier" // token OR list: system|cpr
	ParamID         = "_id"        // OR list of logical ids

	// Encounter
	ParamPatientIdentifier = "patient.identifier" // chained token OR list: system|cpr
	// ParamPatientMunicipality is eHospitalet's custom chained parameter
	// (SearchParameter "patient-municipality" on Patient, the DK-core address
	// municipality extension): 4-digit municipality codes, OR list.
	ParamPatientMunicipality = "patient.municipality"
	ParamDate                = "date"             // period overlaps; prefixes ge, gt, le, lt; may repeat
	ParamStatus              = "status"           // token OR list
	ParamClass               = "class"            // token OR list (IMP, EMER, VR, HH)
	ParamServiceProvider     = "service-provider" // token OR list: SOR code of the hospital
	ParamRevInclude          = "_revinclude"      // "Provenance:target"
	ParamLastUpdated         = "_lastUpdated"     // when the resource last changed; prefixes as date (incremental reads)
	ParamInclude             = "_include"         // "Encounter:subject" or "Encounter:patient"
	ParamCount               = "_count"           // page size; servers may cap it lower
	// ParamPatient and ParamSubject take references ("Patient/123"): the
	// standard R4 way to search encounters of known patients.
	ParamPatient = "patient"
	ParamSubject = "subject"

	// Provenance
	ParamTarget = "target" // reference OR list: Encounter/123

	RevIncludeProvenance = "Provenance:target"
	IncludeSubject       = "Encounter:subject"
	IncludePatient       = "Encounter:patient"
)
