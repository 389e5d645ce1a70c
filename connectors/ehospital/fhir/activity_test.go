package fhir

import "testing"

func TestActivityCodesRoundTrip(t *testing.T) {
	tests := []struct {
		classic, class, activity string
	}{
		{"STAA", "EMER", "admit-emergency"},
		{"STIN", "IMP", "admit-inpatient"},
		{"STOR", "IMP", "start-leave-inpatient"},
		{"SLOR", "IMP", "end-leave-inpatient"},
		{"SLHJ", "IMP", "discharge-inpatient-home"},
		{"SLHJ", "EMER", "discharge-emergency-home"},
		{"SLHJ", "HH", "discharge-inpatient-home"},
		{"RE_SLHJ", "IMP", "revise-discharge-inpatient-home"},
		{"AN_STIN", "IMP", "cancel-admit-inpatient"},
	}
	for _, tt := range tests {
		t.Run(tt.classic+"/"+tt.class, func(t *testing.T) {
			a, ok := ActivityCode(tt.classic, tt.class)
			if !ok || a != tt.activity {
				t.Fatalf("ActivityCode(%s, %s) = %q, %v; want %q", tt.classic, tt.class, a, ok, tt.activity)
			}
			c, ok := ClassicCode(a)
			if !ok || c != tt.classic {
				t.Fatalf("ClassicCode(%s) = %q, %v; want %q", a, c, ok, tt.classic)
			}
		})
	}
}

// MORS has no activity code of its own (HospitalNotification IG 3.0.x): it
// is sent with the admission's code, and only the follow-up on a finished
// stay tells it apart.
func TestMORSKeepsTheAdmissionCode(t *testing.T) {
	for class, want := range map[string]string{"IMP": "admit-inpatient", "EMER": "admit-emergency", "HH": "admit-inpatient"} {
		a, ok := ActivityCode("MORS", class)
		if !ok || a != want || !AdmitActivity(a) {
			t.Errorf("ActivityCode(MORS, %s) = %q, %v; want %q", class, a, ok, want)
		}
	}
	for _, bad := range []string{"deceased-inpatient", "deceased-emergency", "", "revise-", "new-message", "STOUT"} {
		if _, ok := ClassicCode(bad); ok {
			t.Errorf("ClassicCode(%q) accepted: no version of MedComMessagingActivityCodes has it", bad)
		}
	}
	for _, bad := range []string{"RE_MORS", "AN_MORS", "STOUT", ""} {
		if _, ok := ActivityCode(bad, "IMP"); ok {
			t.Errorf("ActivityCode(%q) accepted", bad)
		}
	}
}
