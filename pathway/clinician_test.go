package pathway

import (
	"slices"
	"testing"
	"time"

	"github.com/sundhedsklynge/klynge/domain"
)

// The rule errors a municipal nurse or a hospital doctor found in the first
// hour with the worklist (docs/PATHWAYS.md, "Rules a clinician signs"). Each
// case failed before the rule was fixed.

// service is an active FSIII service of the test citizen.
func service(id, code string, law domain.LawSection, start, end time.Time) domain.CareService {
	return domain.CareService{ID: id, CPR: testCPR, Municipality: homeMunicipality,
		Service: domain.Coding{System: "urn:oid:1.2.208.176.2.21", Code: code}, Law: law,
		Status: domain.CareServiceActive, Start: start, End: end, Team: "Syd"}
}

// acuteAdmission is an acute stay as a Danish acute hospital registers it:
// STAA on arrival in the acute department, STIN when the patient is
// admitted to a ward, SLHJ at discharge.
func acuteAdmission(id string, arrived, admittedToWard, end time.Time, dest domain.DischargeDestination) domain.Encounter {
	e := stayEncounter(id, domain.ClassEmergency, arrived, end, dest)
	e.Class = domain.ClassInpatient
	var admit []domain.HospitalNotification
	admit = append(admit, e.Notifications[0])
	n := e.Notifications[0]
	n.ID, n.Code, n.OccurredAt, n.SentAt = id+"-stin", domain.NotifyAdmitted, admittedToWard, admittedToWard.Add(minute)
	admit = append(admit, n)
	e.Notifications = append(admit, e.Notifications[1:]...)
	return e
}

func TestRule1CareVisitMustMeetTheNeed(t *testing.T) {
	// A citizen with medication administration (G1.20) active, discharged
	// home after eight days; the only visit in the next 24 hours is
	// cleaning.
	withVisits := func(services []domain.CareService, visits ...domain.CareVisit) func() Input {
		return func() Input {
			in := cleanDischarge(domain.DischargeHome)
			in.Services, in.Visits = services, visits
			return in
		}
	}
	medication := service("svc-med", "G1.20", domain.ServiceNursing, admitted.Add(-90*day), time.Time{})
	cleaning := service("svc-clean", "H1.7", domain.ServicePersonalCare, admitted.Add(-90*day), time.Time{})
	hygiene := service("svc-hyg", "H1.1", domain.ServicePersonalCare, admitted.Add(-90*day), time.Time{})
	runRuleCases(t, []ruleCase{
		{
			name: "a cleaning visit does not meet a medication need",
			in:   withVisits([]domain.CareService{medication, cleaning}, performedVisit("v-clean", "svc-clean", discharged.Add(15*hour+18*minute))),
			gaps: []GapKind{GapNoCareVisitWithin24h},
			check: func(t *testing.T, p Pathway) {
				g := gapOf(t, p, GapNoCareVisitWithin24h)
				if !hasEvidence(g, EventCareServiceStart, "svc-med") || hasEvidence(g, EventCareServiceStart, "svc-clean") {
					t.Errorf("evidence should name the medication service as the need, not cleaning: %+v", g.Evidence)
				}
			},
		},
		{
			name: "a medication visit meets a medication need",
			in:   withVisits([]domain.CareService{medication, cleaning}, performedVisit("v-med", "svc-med", discharged.Add(5*hour))),
		},
		{
			name: "a medication visit does not meet a personal-care need",
			in:   withVisits([]domain.CareService{hygiene, medication}, performedVisit("v-med", "svc-med", discharged.Add(5*hour))),
			gaps: []GapKind{GapNoCareVisitWithin24h},
		},
		{
			name: "each need met by its own visit is OK",
			in: withVisits([]domain.CareService{hygiene, medication},
				performedVisit("v-med", "svc-med", discharged.Add(5*hour)), performedVisit("v-hyg", "svc-hyg", discharged.Add(20*hour))),
		},
		{
			name: "practical help alone needs no visit within 24 hours",
			in:   withVisits([]domain.CareService{cleaning}),
		},
		{
			name:  "a cluster may count any hands-on visit for any need",
			in:    withVisits([]domain.CareService{hygiene, medication}, performedVisit("v-med", "svc-med", discharged.Add(5*hour))),
			rules: func(r *Rules) { r.CareNeeds[1].MetBy = append(r.CareNeeds[1].MetBy, "G1.*") },
		},
	})
}

func TestRule2SeventyTwoHoursFollowsMunicipalNursingNotTheDestinationCode(t *testing.T) {
	// Admitted three days, discharged "home" while home nursing (SUL §138)
	// was active: Region Sjælland's model covers citizens who already
	// receive municipal nursing before the admission.
	homeWithNursing := func() Input {
		in := cleanDischarge(domain.DischargeHome)
		in.Services = []domain.CareService{nursing("svc-1", admitted.Add(-60*day), time.Time{})}
		in.Visits = []domain.CareVisit{performedVisit("v-1", "svc-1", discharged.Add(3*hour))}
		in.GPContacts = nil
		return in
	}
	runRuleCases(t, []ruleCase{
		{
			name: "home with active home nursing gets the 72-hour rule and the medication rule",
			in:   homeWithNursing, gaps: []GapKind{GapMedicationCoverEndedBeforeGP},
			check: func(t *testing.T, p Pathway) {
				if !p.ExtendedResponsibility {
					t.Error("extendedResponsibility = false")
				}
			},
		},
		{
			name: "home with only practical help does not",
			in: func() Input {
				in := homeWithNursing()
				in.Services[0].Service.Code, in.Services[0].Law = "H1.7", domain.ServicePersonalCare
				return in
			},
			check: func(t *testing.T, p Pathway) {
				if p.ExtendedResponsibility {
					t.Error("extendedResponsibility = true for practical help")
				}
			},
		},
		{
			name: "a child discharged to home nursing is outside the model (over 18 only)",
			in: func() Input {
				in := cleanDischarge(domain.DischargeHomeNursing)
				in.Citizen.BirthDate = time.Date(2016, 5, 7, 0, 0, 0, 0, time.UTC)
				in.GPContacts = nil
				return in
			},
			check: func(t *testing.T, p Pathway) {
				if p.ExtendedResponsibility {
					t.Error("extendedResponsibility = true for a nine-year-old")
				}
			},
		},
	})
}

func TestRule3ReadmissionDefinition(t *testing.T) {
	then := func(second func() domain.Encounter, psychiatricFirst bool) func() Input {
		return func() Input {
			in := cleanDischarge(domain.DischargeHome)
			in.Encounters[0].Psychiatric = psychiatricFirst
			in.Encounters = append(in.Encounters, second())
			return in
		}
	}
	at := discharged.Add(10 * day)
	acute := func() domain.Encounter {
		return acuteAdmission("enc-2", at, at.Add(3*hour), at.Add(3*day), domain.DischargeHome)
	}
	emergencyOnly := func() domain.Encounter {
		return stayEncounter("enc-2", domain.ClassEmergency, at, at.Add(4*hour), domain.DischargeHome)
	}
	home := func() domain.Encounter {
		return stayEncounter("enc-2", domain.ClassHomeHealth, at, at.Add(3*day), domain.DischargeHome)
	}
	planned := func() domain.Encounter { return inpatient("enc-2", at, at.Add(2*day), domain.DischargeHome) }
	psychiatric := func() domain.Encounter {
		e := acute()
		e.Psychiatric = true
		return e
	}
	later := discharged.Add(90 * day)
	runRuleCases(t, []ruleCase{
		{name: "an acute admission counts", in: then(acute, false), now: later, gaps: []GapKind{GapReadmittedWithin30d}},
		{name: "an emergency visit without admission (STAA) does not", in: then(emergencyOnly, false), now: later},
		{name: "unless the cluster counts STAA", in: then(emergencyOnly, false), now: later,
			rules: func(r *Rules) { r.Readmission.IncludeAcuteOutpatient = true }, gaps: []GapKind{GapReadmittedWithin30d}},
		{name: "an eHospitalet home admission does not", in: then(home, false), now: later},
		{name: "unless the cluster counts home admissions", in: then(home, false), now: later,
			rules: func(r *Rules) { r.Readmission.IncludeHomeAdmissions = true }, gaps: []GapKind{GapReadmittedWithin30d}},
		{name: "a planned admission does not", in: then(planned, false), now: later},
		{name: "unless the cluster counts planned admissions", in: then(planned, false), now: later,
			rules: func(r *Rules) { r.Readmission.AcuteOnly = false }, gaps: []GapKind{GapReadmittedWithin30d}},
		{name: "psychiatric to somatic does not", in: then(acute, true), now: later},
		{name: "somatic to psychiatric does not", in: then(psychiatric, false), now: later},
		{name: "unless the cluster counts psychiatry", in: then(psychiatric, false), now: later,
			rules: func(r *Rules) { r.Readmission.IncludePsychiatric = true }, gaps: []GapKind{GapReadmittedWithin30d}},
	})
}

func TestRule4HomeAdmissionKeepsTheSeventyTwoHoursWithEHospitalet(t *testing.T) {
	in := cleanDischarge(domain.DischargeHomeNursing)
	in.Encounters = []domain.Encounter{stayEncounter("enc-1", domain.ClassHomeHealth, admitted, discharged, domain.DischargeHomeNursing)}
	in.Received = []domain.ReceivedNotification{receipt(in.Encounters[0], "enc-1-slhj", discharged.Add(5*minute))}
	p := only(t, Assemble(in, DefaultRules(), discharged.Add(10*hour)))
	if !p.ExtendedResponsibility {
		t.Fatal("the 72-hour rule does not apply to an eHospitalet home admission (Region Sjælland includes eHospitalet)")
	}
	cur := p.Responsibility.Current
	if cur == nil || cur.Basis != BasisExtendedTreatment || cur.Party != PartyEHospital {
		t.Errorf("current = %+v, want EHOSPITAL under EXTENDED_TREATMENT", cur)
	}
}

func TestRule5ALaterStayBelongsToItsOwnPathway(t *testing.T) {
	// Discharged to home nursing (72-hour rule), readmitted acutely after
	// 40 hours, inside the running 72-hour window; now the citizen is in
	// the second stay.
	in := cleanDischarge(domain.DischargeHomeNursing)
	re := discharged.Add(40 * hour)
	in.Encounters = append(in.Encounters, acuteAdmission("enc-2", re, re.Add(2*hour), time.Time{}, ""))
	now := re.Add(day)
	ps := Assemble(in, DefaultRules(), now)
	first, second := byID(t, ps, "pw-enc-1"), byID(t, ps, "pw-enc-2")
	for _, s := range first.Responsibility.Timeline {
		if s.Ref == "enc-2" {
			t.Errorf("the first pathway shows the later stay's span %+v", s)
		}
		if s.Basis == BasisExtendedTreatment && s.Until.After(re) {
			t.Errorf("the first pathway's 72 hours run past the readmission: %+v", s)
		}
	}
	if first.Responsibility.Current != nil {
		t.Errorf("first pathway: current = %+v, want null once the later stay has taken over", first.Responsibility.Current)
	}
	if second.ExtendedResponsibility {
		t.Fatal("the readmission is still ongoing: no 72-hour rule yet")
	}
	for _, s := range second.Responsibility.Timeline {
		if s.Basis == BasisExtendedTreatment {
			t.Errorf("second pathway without the 72-hour rule has an EXTENDED_TREATMENT span %+v", s)
		}
	}
	if cur := second.Responsibility.Current; cur == nil || cur.Ref != "enc-2" || cur.Basis != BasisStay {
		t.Errorf("second pathway: current = %+v, want the stay enc-2", cur)
	}
	if !first.HasGap(GapReadmittedWithin30d) {
		t.Errorf("first pathway lacks the readmission gap: %v", gapKinds(first))
	}
	if slices.Contains(deadlineRules(first), GapMedicationCoverEndedBeforeGP) || first.HasGap(GapMedicationCoverEndedBeforeGP) {
		t.Errorf("medication cover is the hospital's again after the readmission; got deadlines %v gaps %v", deadlineRules(first), gapKinds(first))
	}
	for _, e := range first.Events {
		if e.Ref == "enc-2" && e.Kind != EventAdmission {
			t.Errorf("the first pathway shows the later stay's event %+v", e)
		}
	}
}

func TestRule6TimeInTheAcuteDepartmentIsNotAdmission(t *testing.T) {
	arrived := admitted
	cases := []struct {
		name     string
		ward     time.Time
		end      time.Time
		extended bool
	}{
		{"22 hours admitted after 12 hours in the acute department", arrived.Add(12 * hour), arrived.Add(34 * hour), false},
		{"25 hours admitted after 1 hour in the acute department", arrived.Add(hour), arrived.Add(26 * hour), true},
		{"exactly 24 hours admitted", arrived.Add(2 * hour), arrived.Add(26 * hour), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := Input{Citizen: testCitizen(), Encounters: []domain.Encounter{acuteAdmission("enc-1", arrived, tc.ward, tc.end, domain.DischargeHomeNursing)}}
			p := only(t, Assemble(in, DefaultRules(), tc.end.Add(hour)))
			if p.ExtendedResponsibility != tc.extended {
				t.Errorf("extendedResponsibility = %v, want %v", p.ExtendedResponsibility, tc.extended)
			}
			if !p.AdmittedAt.Equal(arrived) {
				t.Errorf("admittedAt = %v, want the arrival %v", p.AdmittedAt, arrived)
			}
		})
	}
}

func TestRule7ShapesTheWorldHas(t *testing.T) {
	t.Run("on leave now is still admitted", func(t *testing.T) {
		e := inpatient("enc-1", admitted, time.Time{}, "")
		notify(&e, "enc-1-stor", domain.NotifyLeaveStarts, admitted.Add(2*day), "")
		e.Status = domain.EncounterOnLeave
		p := only(t, Assemble(Input{Citizen: testCitizen(), Encounters: []domain.Encounter{e}}, DefaultRules(), admitted.Add(2*day+3*hour)))
		if p.Discharged() || p.Status != StatusOK {
			t.Errorf("leave read as a discharge: discharged %v, status %s", p.DischargedAt, p.Status)
		}
		if cur := p.Responsibility.Current; cur == nil || cur.Party != PartyHospital || cur.Basis != BasisStay {
			t.Errorf("current = %+v, want the hospital during leave", cur)
		}
	})
	t.Run("MORS after an emergency stay ends responsibility and raises nothing", func(t *testing.T) {
		e := stayEncounter("enc-1", domain.ClassEmergency, admitted, admitted.Add(5*hour), domain.DischargeDeceased)
		in := Input{Citizen: testCitizen(), Encounters: []domain.Encounter{e}}
		p := only(t, Assemble(in, DefaultRules(), admitted.Add(40*day)))
		if p.DiedAt.IsZero() || len(p.Gaps) > 0 || len(p.OpenDeadlines) > 0 || p.Responsibility.Current != nil {
			t.Errorf("died %v gaps %v deadlines %v current %+v", p.DiedAt, gapKinds(p), p.OpenDeadlines, p.Responsibility.Current)
		}
	})
	t.Run("a readmission inside a running 72-hour window before any visit raises no care gap", func(t *testing.T) {
		in := cleanDischarge(domain.DischargeHomeNursing)
		in.Visits = nil
		re := discharged.Add(10 * hour)
		in.Encounters = append(in.Encounters, acuteAdmission("enc-2", re, re.Add(hour), re.Add(3*day), domain.DischargeHome))
		p := byID(t, Assemble(in, DefaultRules(), discharged.Add(40*day)), "pw-enc-1")
		if got := gapKinds(p); !slices.Equal(got, []GapKind{GapReadmittedWithin30d}) {
			t.Errorf("gaps %v, want only the readmission", got)
		}
	})
}

func TestGapsNameTheirRuleSetAndVersion(t *testing.T) {
	in := cleanDischarge(domain.DischargeHomeNursing)
	in.Visits = nil
	rules := DefaultRules()
	rules.ID, rules.Version = "naestved-slagelse", "2024.2"
	p := only(t, Assemble(in, rules, afterWindow))
	g := gapOf(t, p, GapNoCareVisitWithin24h)
	if g.RuleSet != "naestved-slagelse" || g.RuleVersion != "2024.2" {
		t.Errorf("gap found by %q version %q", g.RuleSet, g.RuleVersion)
	}
	rules.Disabled = []GapKind{GapNoCareVisitWithin24h}
	if p := only(t, Assemble(in, rules, afterWindow)); p.HasGap(GapNoCareVisitWithin24h) {
		t.Error("a rule switched off still raises its gap")
	}
}

func TestEventSummariesNameTheHospitalOnce(t *testing.T) {
	for _, tc := range []struct{ hospital, department, want string }{
		{"Slagelse Sygehus", "Akutafdelingen, Slagelse Sygehus", "Akutafdelingen, Slagelse Sygehus"},
		{"Slagelse Sygehus", "Akutafdelingen", "Akutafdelingen, Slagelse Sygehus"},
		{"", "Akutafdelingen", "Akutafdelingen"},
	} {
		if got := place(domain.Organization{Name: tc.hospital}, domain.Organization{Name: tc.department}); got != tc.want {
			t.Errorf("place(%q, %q) = %q, want %q", tc.hospital, tc.department, got, tc.want)
		}
	}
}
