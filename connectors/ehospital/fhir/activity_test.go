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
		{"MORS", "IMP", "deceased-inpatient"},
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
	for _, bad := range []string{"", "revise-", "new-message", "STOUT"} {
		if _, ok := ClassicCode(bad); ok {
			t.Errorf("ClassicCode(%q) accepted", bad)
		}
		if _, ok := ActivityCode(bad, "IMP"); ok {
			t.Errorf("ActivityCode(%q) accepted", bad)
		}
	}
}
