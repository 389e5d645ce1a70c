package fhir

import "strings"

// MedCom activity codes of HospitalNotification (CodeSystem
// MedComMessagingActivityCodes, version 1.8.1 in DK MedCom Terminology
// 2.0.1; docs/FHIR-CODES.md) and the classic notification codes they stand
// for. The classic codes are what municipalities and DOMAIN.md speak of;
// the wire carries the activity codes.
//
// There is no activity code for a death. The HospitalNotification IG 3.0.x
// sends MORS as a follow-up message of the stay (Provenance.entity with role
// revision naming the previous message) that keeps the admission's activity
// code (admit-inpatient, admit-emergency), with the encounter finished and
// the patient deceased. ClassicCode therefore reads a plain admission code
// as STIN/STAA, and the connector decides MORS from the follow-up and the
// encounter (AdmitActivity).
var activityToClassic = map[string]string{
	"admit-emergency":          "STAA",
	"admit-inpatient":          "STIN",
	"start-leave-inpatient":    "STOR",
	"end-leave-inpatient":      "SLOR",
	"discharge-emergency-home": "SLHJ",
	"discharge-inpatient-home": "SLHJ",
}

// ClassicCode maps a MedCom activity code (with revise-/cancel- prefixes) to
// the classic code (with RE_/AN_ prefixes). ok is false for codes MedCom
// does not define for HospitalNotification.
func ClassicCode(activity string) (code string, ok bool) {
	prefix := ""
	switch {
	case strings.HasPrefix(activity, "revise-"):
		prefix, activity = "RE_", activity[len("revise-"):]
	case strings.HasPrefix(activity, "cancel-"):
		prefix, activity = "AN_", activity[len("cancel-"):]
	}
	c, ok := activityToClassic[activity]
	if !ok {
		return "", false
	}
	return prefix + c, true
}

// AdmitActivity reports whether activity is a plain admission code
// (admit-inpatient, admit-emergency): on a follow-up message of a finished
// stay it stands for MORS.
func AdmitActivity(activity string) bool {
	return activity == "admit-inpatient" || activity == "admit-emergency"
}

// ActivityCode maps a classic code (STIN, RE_SLHJ, AN_STAA, MORS, ...) to
// the MedCom activity code for an encounter of the given class ("IMP",
// "EMER", or the eHospitalet classes "HH" and "VR", which notify as
// inpatient stays). MORS maps to the admission code of the class, as the
// IG sends it. ok is false for unknown codes.
func ActivityCode(classic, encounterClass string) (activity string, ok bool) {
	prefix := ""
	switch {
	case strings.HasPrefix(classic, "RE_"):
		prefix, classic = "revise-", classic[3:]
	case strings.HasPrefix(classic, "AN_"):
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
		if prefix != "" {
			return "", false
		}
		a = "admit-inpatient"
		if emergency {
			a = "admit-emergency"
		}
	default:
		return "", false
	}
	return prefix + a, true
}
