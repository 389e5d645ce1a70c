package fhir

// Search parameters eHospitalet supports. Searches may be sent as GET with a
// query string or as POST [type]/_search with a form body; klynge posts, so
// that CPR numbers never appear in URLs (and so in no proxy's access log).
// Token parameters take a comma-separated OR list ("sys|a,sys|b").
//
// Paging: a searchset carries `total` and, when more results exist, a `next`
// link. The link is opaque to the client, and a client must refuse one that
// points outside the server's base URL.
const (
	// Patient
	ParamIdentifier = "identifier" // token OR list: system|cpr

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
	ParamRevInclude          = "_revinclude"      // only "Provenance:target"
	ParamCount               = "_count"           // page size, 1..MaxCount

	RevIncludeProvenance = "Provenance:target"
)
