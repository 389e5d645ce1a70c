package access

import (
	"strings"
	"testing"
	"time"

	"github.com/sundhedsklynge/klynge/domain"
)

func TestDecideCareRelationships(t *testing.T) {
	var zero time.Time
	tests := []struct {
		name        string
		p           Principal
		cpr         domain.CPR
		facts       Facts
		want        bool
		wantPurpose Purpose
		wantReason  string // a fragment the reason must contain
	}{
		// Hospital clinicians.
		{"ongoing admission at the clinician's department", clinician, cprAnna,
			Facts{Encounters: []domain.Encounter{encounterAt(cprAnna, sorSlagelseMedical, sorSlagelse, domain.EncounterInProgress, now.Add(-hours(100)), zero)}},
			true, PurposeTreatment, "ongoing encounter"},
		{"patient on leave is still ongoing", clinician, cprAnna,
			Facts{Encounters: []domain.Encounter{encounterAt(cprAnna, sorSlagelseMedical, sorSlagelse, domain.EncounterOnLeave, now.Add(-hours(100)), zero)}},
			true, PurposeTreatment, "ongoing encounter"},
		{"discharged 29 days ago from the department", clinician, cprAnna,
			Facts{Encounters: []domain.Encounter{encounterAt(cprAnna, sorSlagelseMedical, sorSlagelse, domain.EncounterFinished, now.Add(-hours(30*24)), now.Add(-hours(29*24)))}},
			true, PurposeTreatment, "ended within the last 30 days"},
		{"discharged exactly 30 days ago still counts", clinician, cprAnna,
			Facts{Encounters: []domain.Encounter{encounterAt(cprAnna, sorSlagelseMedical, sorSlagelse, domain.EncounterFinished, now.Add(-hours(40*24)), now.Add(-hours(30*24)))}},
			true, PurposeTreatment, "ended within"},
		{"discharged 31 days ago is no relationship", clinician, cprAnna,
			Facts{Encounters: []domain.Encounter{encounterAt(cprAnna, sorSlagelseMedical, sorSlagelse, domain.EncounterFinished, now.Add(-hours(40*24)), now.Add(-hours(31*24)))}},
			false, PurposeTreatment, "none that ended within the last 30 days"},
		{"hospital-level SOR covers every department", hospitalDoc, cprAnna,
			Facts{Encounters: []domain.Encounter{encounterAt(cprAnna, sorSlagelseMedical, sorSlagelse, domain.EncounterInProgress, now.Add(-hours(2)), zero)}},
			true, PurposeTreatment, "ongoing"},
		{"admission at another hospital is no relationship", clinician, cprAnna,
			Facts{Encounters: []domain.Encounter{encounterAt(cprAnna, sorNaestvedSurgery, "990400000000400", domain.EncounterInProgress, now.Add(-hours(2)), zero)}},
			false, PurposeTreatment, "no ongoing or planned encounter at your organisation (SOR " + sorSlagelseMedical + ")"},
		{"planned admission next week", clinician, cprAnna,
			Facts{Encounters: []domain.Encounter{encounterAt(cprAnna, sorSlagelseMedical, sorSlagelse, domain.EncounterPlanned, now.Add(hours(7*24)), zero)}},
			true, PurposeTreatment, "planned encounter"},
		{"planned admission whose start is months past is stale", clinician, cprAnna,
			Facts{Encounters: []domain.Encounter{encounterAt(cprAnna, sorSlagelseMedical, sorSlagelse, domain.EncounterPlanned, now.Add(-hours(90*24)), zero)}},
			false, PurposeTreatment, "no ongoing"},
		{"encounter entered in error never counts", clinician, cprAnna,
			Facts{Encounters: []domain.Encounter{encounterAt(cprAnna, sorSlagelseMedical, sorSlagelse, domain.EncounterEnteredInError, now.Add(-hours(2)), zero)}},
			false, PurposeTreatment, "no ongoing"},
		{"cancelled encounter never counts", clinician, cprAnna,
			Facts{Encounters: []domain.Encounter{encounterAt(cprAnna, sorSlagelseMedical, sorSlagelse, domain.EncounterCancelled, now.Add(-hours(2)), zero)}},
			false, PurposeTreatment, "no ongoing"},
		{"another citizen's encounter an upstream mixed in is ignored", clinician, cprAnna,
			Facts{Encounters: []domain.Encounter{encounterAt(cprBent, sorSlagelseMedical, sorSlagelse, domain.EncounterInProgress, now.Add(-hours(2)), zero)}},
			false, PurposeTreatment, "no ongoing"},
		{"finished encounter without an end counts from its start", clinician, cprAnna,
			Facts{Encounters: []domain.Encounter{encounterAt(cprAnna, sorSlagelseMedical, sorSlagelse, domain.EncounterFinished, now.Add(-hours(24)), zero)}},
			true, PurposeTreatment, "ended within"},

		// GPs.
		{"citizen listed at the practice", gp, cprAnna, Facts{Patient: patient(cprAnna, ydernummerA, 370)}, true, PurposeTreatment, "listed at your practice"},
		{"citizen listed at another practice", gp, cprAnna, Facts{Patient: patient(cprAnna, ydernummerB, 330)}, false, PurposeTreatment, "not listed at your practice (ydernummer " + ydernummerA + ")"},
		{"unknown citizen reads as not listed", gp, cprAnna, Facts{}, false, PurposeTreatment, "not listed at your practice"},
		{"patient record of another CPR is ignored", gp, cprAnna, Facts{Patient: patient(cprBent, ydernummerA, 330)}, false, PurposeTreatment, "not listed"},

		// Municipal nurses.
		{"citizen lives in the municipality", nurse, cprAnna, Facts{Patient: patient(cprAnna, ydernummerB, 330)}, true, PurposeTreatment, "lives in your municipality"},
		{"citizen elsewhere with an active service here", nurse, cprAnna, Facts{
			Patient:  patient(cprAnna, ydernummerB, 370),
			Services: []domain.CareService{{CPR: cprAnna, Municipality: 330, Status: domain.CareServiceActive, Start: now.Add(-hours(48))}},
		}, true, PurposeTreatment, "receives care services"},
		{"a planned service here counts", nurse, cprAnna, Facts{
			Services: []domain.CareService{{CPR: cprAnna, Municipality: 330, Status: domain.CareServicePlanned, Start: now.Add(hours(24))}},
		}, true, PurposeTreatment, "receives care services"},
		{"a service that ended is no relationship by default", nurse, cprAnna, Facts{
			Patient:  patient(cprAnna, ydernummerB, 370),
			Services: []domain.CareService{{CPR: cprAnna, Municipality: 330, Status: domain.CareServiceEnded, Start: now.Add(-hours(480)), End: now.Add(-hours(1))}},
		}, false, PurposeTreatment, "neither lives in your municipality (330) nor receives its care services"},
		{"a service of another municipality is ignored", nurse, cprAnna, Facts{
			Patient:  patient(cprAnna, ydernummerB, 370),
			Services: []domain.CareService{{CPR: cprAnna, Municipality: 370, Status: domain.CareServiceActive, Start: now.Add(-hours(48))}},
		}, false, PurposeTreatment, "neither lives"},

		// Out-of-hours doctors.
		{"contact received 23 hours ago", oohDoctor, cprAnna, Facts{OutOfHours: []domain.OutOfHoursContact{{CPR: cprAnna, ReceivedAt: now.Add(-hours(23)), EndedAt: now.Add(-hours(22))}}}, true, PurposeTreatment, "within the last 24 hours"},
		{"contact that ended within 24 hours", oohDoctor, cprAnna, Facts{OutOfHours: []domain.OutOfHoursContact{{CPR: cprAnna, ReceivedAt: now.Add(-hours(26)), EndedAt: now.Add(-hours(23))}}}, true, PurposeTreatment, "within the last 24 hours"},
		{"contact 25 hours ago is no relationship", oohDoctor, cprAnna, Facts{OutOfHours: []domain.OutOfHoursContact{{CPR: cprAnna, ReceivedAt: now.Add(-hours(26)), EndedAt: now.Add(-hours(25))}}}, false, PurposeTreatment, "no contact with the out-of-hours service within the last 24 hours"},
		{"an old contact never closed does not last forever", oohDoctor, cprAnna, Facts{OutOfHours: []domain.OutOfHoursContact{{CPR: cprAnna, ReceivedAt: now.Add(-hours(200))}}}, false, PurposeTreatment, "no contact"},

		// Citizens, integrators, privacy officers.
		{"citizen reads their own data", anna, cprAnna, Facts{}, true, PurposeSelf, "your own data"},
		{"citizen may not read another citizen", anna, cprBent, Facts{}, false, PurposeSelf, "only their own data"},
		{"integrator never reads a citizen by CPR", integrator, cprAnna, Facts{}, false, PurposeAdministration, "never one citizen's data by CPR"},
		{"privacy officer reads no clinical data", privacy, cprAnna, Facts{Grant: &Grant{ID: 1, ExpiresAt: now.Add(time.Hour)}}, false, PurposeAdministration, "not clinical data"},

		// Break-the-glass.
		{"active grant without a relationship", clinician, cprCarla, Facts{Grant: &Grant{ID: 7, Reason: "unconscious in ED, no records", ExpiresAt: now.Add(time.Hour)}}, true, PurposeBreakTheGlass, "flagged for review"},
		{"expired grant", clinician, cprCarla, Facts{Grant: &Grant{ID: 7, ExpiresAt: now}}, false, PurposeTreatment, "break the glass if this is an emergency"},
		{"a citizen's grant does not help", anna, cprBent, Facts{Grant: &Grant{ID: 7, ExpiresAt: now.Add(time.Hour)}}, false, PurposeSelf, "only their own"},
		{"relationship wins over a grant: treatment, not flagged", gp, cprAnna, Facts{Patient: patient(cprAnna, ydernummerA, 330), Grant: &Grant{ID: 7, ExpiresAt: now.Add(time.Hour)}}, true, PurposeTreatment, "listed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := Rules{}.Decide(tt.p, tt.cpr, tt.facts, now)
			if d.Allowed != tt.want {
				t.Fatalf("Allowed = %v, want %v (reason %q)", d.Allowed, tt.want, d.Reason)
			}
			if d.Purpose != tt.wantPurpose {
				t.Errorf("Purpose = %q, want %q", d.Purpose, tt.wantPurpose)
			}
			if !strings.Contains(d.Reason, tt.wantReason) {
				t.Errorf("Reason = %q, want it to contain %q", d.Reason, tt.wantReason)
			}
			if (d.Err() == nil) != d.Allowed {
				t.Errorf("Err() = %v for Allowed = %v", d.Err(), d.Allowed)
			}
			wantReview := d.Allowed && d.Purpose == PurposeBreakTheGlass
			if d.Review != wantReview {
				t.Errorf("Review = %v, want %v", d.Review, wantReview)
			}
			if wantReview && (d.GrantID != tt.facts.Grant.ID || d.GrantReason != tt.facts.Grant.Reason) {
				t.Errorf("grant %d %q, want the grant's id and reason", d.GrantID, d.GrantReason)
			}
			for _, secret := range []string{string(cprAnna), string(cprBent), string(cprCarla), ydernummerB, "370"} {
				if strings.Contains(d.Reason, secret) {
					t.Errorf("Reason %q discloses %q", d.Reason, secret)
				}
			}
		})
	}
}

func TestDenialDoesNotTellWhetherTheCitizenExists(t *testing.T) {
	for _, p := range []Principal{clinician, gp, nurse, oohDoctor} {
		t.Run(string(p.Role), func(t *testing.T) {
			known := Facts{
				Patient:    patient(cprAnna, ydernummerB, 370),
				Encounters: []domain.Encounter{encounterAt(cprAnna, sorNaestvedSurgery, "990400000000400", domain.EncounterFinished, now.Add(-hours(500)), now.Add(-hours(400)))},
				OutOfHours: []domain.OutOfHoursContact{{CPR: cprAnna, ReceivedAt: now.Add(-hours(100))}},
			}
			a := Rules{}.Decide(p, cprAnna, known, now)
			b := Rules{}.Decide(p, cprAnna, Facts{}, now)
			if a.Allowed || b.Allowed || a.Reason != b.Reason {
				t.Fatalf("known citizen: %q; unknown citizen: %q; they must read the same", a.Reason, b.Reason)
			}
		})
	}
}

func TestConfiguredWindows(t *testing.T) {
	rules := Rules{HospitalWindow: 7 * 24 * time.Hour, OutOfHoursWindow: 48 * time.Hour, ServiceEndedWindow: 14 * 24 * time.Hour}
	var zero time.Time
	tests := []struct {
		name  string
		p     Principal
		facts Facts
		want  bool
	}{
		{"8 days after discharge is outside a 7-day window", clinician, Facts{Encounters: []domain.Encounter{
			encounterAt(cprAnna, sorSlagelseMedical, sorSlagelse, domain.EncounterFinished, now.Add(-hours(10*24)), now.Add(-hours(8*24)))}}, false},
		{"6 days after discharge is inside it", clinician, Facts{Encounters: []domain.Encounter{
			encounterAt(cprAnna, sorSlagelseMedical, sorSlagelse, domain.EncounterFinished, now.Add(-hours(10*24)), now.Add(-hours(6*24)))}}, true},
		{"out-of-hours contact 40 hours ago is inside 48 hours", oohDoctor, Facts{OutOfHours: []domain.OutOfHoursContact{
			{CPR: cprAnna, ReceivedAt: now.Add(-hours(40)), EndedAt: now.Add(-hours(40))}}}, true},
		{"service ended 10 days ago is inside a 14-day grace", nurse, Facts{Services: []domain.CareService{
			{CPR: cprAnna, Municipality: 330, Status: domain.CareServiceEnded, Start: now.Add(-hours(60 * 24)), End: now.Add(-hours(10 * 24))}}}, true},
		{"ongoing encounter is inside any window", clinician, Facts{Encounters: []domain.Encounter{
			encounterAt(cprAnna, sorSlagelseMedical, sorSlagelse, domain.EncounterInProgress, now.Add(-hours(60*24)), zero)}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if d := rules.Decide(tt.p, cprAnna, tt.facts, now); d.Allowed != tt.want {
				t.Fatalf("Allowed = %v, want %v (%s)", d.Allowed, tt.want, d.Reason)
			}
		})
	}
}
