package access

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sundhedsklynge/klynge/domain"
)

// recordingSource serves fixed facts and records which it was asked for.
type recordingSource struct {
	facts  Facts
	failOn map[Fact]bool
	asked  []Fact
}

var errDown = errors.New("upstream: connection refused")

func (s *recordingSource) ask(f Fact) error {
	s.asked = append(s.asked, f)
	if s.failOn[f] {
		return errDown
	}
	return nil
}

func (s *recordingSource) Patient(ctx context.Context, cpr domain.CPR) (*domain.Citizen, error) {
	return s.facts.Patient, s.ask(FactPatient)
}

func (s *recordingSource) Encounters(ctx context.Context, cpr domain.CPR) ([]domain.Encounter, error) {
	return s.facts.Encounters, s.ask(FactEncounters)
}

func (s *recordingSource) CareServices(ctx context.Context, m domain.MunicipalityCode, cpr domain.CPR) ([]domain.CareService, error) {
	if m != 330 {
		return nil, errors.New("asked the wrong municipality")
	}
	return s.facts.Services, s.ask(FactCareServices)
}

func (s *recordingSource) OutOfHours(ctx context.Context, cpr domain.CPR) ([]domain.OutOfHoursContact, error) {
	return s.facts.OutOfHours, s.ask(FactOutOfHours)
}

func (s *recordingSource) GPContacts(ctx context.Context, cpr domain.CPR) ([]domain.GPContact, error) {
	return s.facts.GPContacts, s.ask(FactGPContacts)
}

func (s *recordingSource) ActiveGrant(ctx context.Context, p Principal, cpr domain.CPR, now time.Time) (*Grant, error) {
	return s.facts.Grant, s.ask(FactGrant)
}

func TestCheckReadsOnlyWhatTheRuleNeeds(t *testing.T) {
	var zero time.Time
	resident := patient(cprAnna, ydernummerB, 330)
	elsewhere := patient(cprAnna, ydernummerB, 370)
	service := []domain.CareService{{CPR: cprAnna, Municipality: 330, Status: domain.CareServiceActive, Start: now.Add(-hours(5))}}
	grant := &Grant{ID: 3, Reason: "found unconscious, no records", ExpiresAt: now.Add(time.Hour)}
	contactHere := []domain.GPContact{{CPR: cprAnna, Practice: ydernummerA, At: now.Add(-30 * 24 * time.Hour)}}
	contactLongAgo := []domain.GPContact{{CPR: cprAnna, Practice: ydernummerA, At: now.Add(-400 * 24 * time.Hour)}}
	contactElsewhere := []domain.GPContact{{CPR: cprAnna, Practice: ydernummerB, At: now.Add(-time.Hour)}}
	tests := []struct {
		name       string
		p          Principal
		facts      Facts
		failOn     []Fact
		want       bool
		wantAsked  []Fact
		wantUnver  bool
		wantSystem string
	}{
		{"citizen reading themselves reads nothing", anna, Facts{}, nil, true, nil, false, ""},
		{"citizen reading another reads nothing", Principal{Subject: "c2", Role: RoleCitizen, CPR: cprBent}, Facts{}, nil, false, nil, false, ""},
		{"integrator reads nothing", integrator, Facts{}, nil, false, nil, false, ""},
		{"privacy officer reads nothing", privacy, Facts{}, nil, false, nil, false, ""},
		{"clinician with a relationship reads encounters only", clinician, Facts{Encounters: []domain.Encounter{
			encounterAt(cprAnna, sorSlagelseMedical, sorSlagelse, domain.EncounterInProgress, now.Add(-hours(3)), zero)}},
			nil, true, []Fact{FactEncounters}, false, ""},
		{"clinician without one reads encounters, then the grant register", clinician, Facts{}, nil, false, []Fact{FactEncounters, FactGrant}, false, ""},
		{"gp reads the patient index only", gp, Facts{Patient: patient(cprAnna, ydernummerA, 370)}, nil, true, []Fact{FactPatient}, false, ""},
		{"nurse of the home municipality never asks the care system", nurse, Facts{Patient: resident}, nil, true, []Fact{FactPatient}, false, ""},
		{"nurse of another municipality asks its own care system", nurse, Facts{Patient: elsewhere, Services: service}, nil, true, []Fact{FactPatient, FactCareServices}, false, ""},
		{"nurse without relationship ends at the grant register", nurse, Facts{Patient: elsewhere}, nil, false, []Fact{FactPatient, FactCareServices, FactGrant}, false, ""},
		{"out-of-hours doctor reads contacts only", oohDoctor, Facts{OutOfHours: []domain.OutOfHoursContact{{CPR: cprAnna, ReceivedAt: now.Add(-hours(1))}}}, nil, true, []Fact{FactOutOfHours}, false, ""},
		{"break-the-glass grant allows", clinician, Facts{Grant: grant}, nil, true, []Fact{FactEncounters, FactGrant}, false, ""},
		{"eHospitalet down and no grant: unverified denial", clinician, Facts{}, []Fact{FactEncounters}, false, []Fact{FactEncounters, FactGrant}, true, "ehospital"},
		{"eHospitalet down but a grant: the glass still works", clinician, Facts{Grant: grant}, []Fact{FactEncounters}, true, []Fact{FactEncounters, FactGrant}, false, ""},
		{"patient index down, services show the relationship", nurse, Facts{Services: service}, []Fact{FactPatient}, true, []Fact{FactPatient, FactCareServices}, false, ""},
		{"patient index down, no services: undecidable, naming eHospitalet", nurse, Facts{}, []Fact{FactPatient}, false, []Fact{FactPatient, FactCareServices, FactGrant}, true, "ehospital"},
		{"care system down for a nurse from elsewhere: undecidable, naming it", nurse, Facts{Patient: elsewhere}, []Fact{FactCareServices}, false, []Fact{FactPatient, FactCareServices, FactGrant}, true, "municipal/330"},
		{"grant register down: denial is unverified", gp, Facts{Patient: patient(cprAnna, ydernummerB, 330)}, []Fact{FactGrant}, false, []Fact{FactPatient, FactGrant}, true, "accesslog"},
		{"patient index down, the GP feed shows a recent contact with the practice", gp, Facts{GPContacts: contactHere}, []Fact{FactPatient}, true, []Fact{FactPatient, FactGPContacts}, false, ""},
		{"patient index down, a contact with the practice too long ago: undecidable", gp, Facts{GPContacts: contactLongAgo}, []Fact{FactPatient}, false, []Fact{FactPatient, FactGPContacts, FactGrant}, true, "ehospital"},
		{"patient index down, contacts only with another practice: undecidable", gp, Facts{GPContacts: contactElsewhere}, []Fact{FactPatient}, false, []Fact{FactPatient, FactGPContacts, FactGrant}, true, "ehospital"},
		{"patient index and GP feed down: undecidable, naming the first", gp, Facts{}, []Fact{FactPatient, FactGPContacts}, false, []Fact{FactPatient, FactGPContacts, FactGrant}, true, "ehospital"},
		{"patient index up: the GP feed is never asked", gp, Facts{Patient: patient(cprAnna, ydernummerB, 330), GPContacts: contactHere}, nil, false, []Fact{FactPatient, FactGrant}, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := &recordingSource{facts: tt.facts, failOn: map[Fact]bool{}}
			for _, f := range tt.failOn {
				src.failOn[f] = true
			}
			d := Rules{}.Check(t.Context(), tt.p, cprAnna, now, src)
			if d.Allowed != tt.want {
				t.Fatalf("Allowed = %v, want %v (%s)", d.Allowed, tt.want, d.Reason)
			}
			if !slices.Equal(src.asked, tt.wantAsked) {
				t.Errorf("read %v, want %v", src.asked, tt.wantAsked)
			}
			if d.Unverified != tt.wantUnver {
				t.Errorf("Unverified = %v, want %v (%s)", d.Unverified, tt.wantUnver, d.Reason)
			}
			if d.System != tt.wantSystem {
				t.Errorf("System = %q, want %q", d.System, tt.wantSystem)
			}
			var undecidable *domain.UndecidableError
			if errors.As(d.Err(), &undecidable) != d.Unverified {
				t.Errorf("Err() = %T; an unverified denial (and only one) is *domain.UndecidableError", d.Err())
			}
			if d.Unverified {
				if !errors.Is(d.Cause, errDown) {
					t.Errorf("Cause = %v, want the read's error", d.Cause)
				}
				if !strings.Contains(d.Reason, "did not answer") || strings.Contains(d.Reason, errDown.Error()) {
					t.Errorf("Reason = %q: want which system did not answer, without the error's text", d.Reason)
				}
			}
		})
	}
}

func TestPlanNamesWhatEachRoleReads(t *testing.T) {
	for _, r := range Roles {
		p := Principal{Role: r}
		plan := Rules{}.Plan(p)
		if r.Clinical() != (len(plan) > 0) {
			t.Errorf("role %s: plan %v; only clinical roles read facts", r, plan)
		}
	}
}
