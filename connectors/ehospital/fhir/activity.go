package fhir

// MedCom activity codes of HospitalNotification (MedComMessagingActivityCodes)
// and the classic notification codes they stand for. The classic codes are
// what municipalities and DOMAIN.md speak of; the wire carries the new ones.
// The IG version klynge follows has no code for a death during a stay, so
// eHospitalet uses "deceased-inpatient"/"deceased-emergency" for MORS.
var activityToClassic = map[string]string{
	"admit-emergency":          "STAA",
	"admit-inpatient":          "STIN",
	"start-leave-inpatient":    "STOR",
	"end-leave-inpatient":      "SLOR",
	"discharge-emergency-home": "SLHJ",
	"discharge-inpatient-home": "SLHJ",
	"deceased-inpatient":       "MORS",
	"deceased-emergency":       "MORS",
}

// ClassicCode maps a MedCom activity code (with revise-/cancel- prefixes) to
// the classic code (with RE_/AN_ prefixes). ok is false for unknown codes.
func ClassicCode(activity string) (code string, ok bool) {
	prefix := ""
	switch {
	case len(activity) > 7 && activity[:7] == "revise-":
		prefix, activity = "RE_", activity[7:]
	case len(activity) > 7 && activity[:7] == "cancel-":
		prefix, activity = "AN_", activity[7:]
	}
	c, ok := activityToClassic[activity]
	if !ok {
		return "", false
	}
	return prefix + c, true
}

// ActivityCode maps a classic code (STIN, RE_SLHJ, AN_STAA, ...) to the MedCom
// activity code for an encounter of the given class ("IMP", "EMER", or the
// eHospitalet classes "HH" and "VR", which notify as inpatient stays).
// ok is false for unknown codes.
func ActivityCode(classic, encounterClass string) (activity string, ok bool) {
	prefix := ""
	switch {
	case len(classic) > 3 && classic[:3] == "RE_":
		prefix, classic = "revise-", classic[3:]
	case len(classic) > 3 && classic[:3] == "AN_":
		prefix, classic = "cancel-", classic[3:]
	}
	emergency := encounterClass == "EMER"
	var a string
	switch classic {
	case "STAA":
		a = "admit-emergency"
	case "STIN":
		a = "admit-inpatient"
	case "STOR":
		a = "start-leave-inpatient"
	case "SLOR":
		a = "end-leave-inpatient"
	case "SLHJ":
		a = "discharge-inpatient-home"
		if emergency {
			a = "discharge-emergency-home"
		}
	case "MORS":
		a = "deceased-inpatient"
		if emergency {
			a = "deceased-emergency"
		}
	default:
		return "", false
	}
	return prefix + a, true
}
