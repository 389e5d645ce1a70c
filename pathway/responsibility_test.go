package pathway

import (
	"testing"
	"time"

	"github.com/sundhedsklynge/klynge/domain"
)

func TestExtendedResponsibilityRule(t *testing.T) {
	cases := []struct {
		name    string
		stay    time.Duration
		dest    domain.DischargeDestination
		psych   bool
		class   domain.EncounterClass
		rules   func(*Rules)
		applies bool
	}{
		{name: "3-day admission discharged to home nursing gets the 72-hour rule", stay: 72 * hour, dest: domain.DischargeHomeNursing, applies: true},
		{name: "discharge to a temporary municipal bed gets the 72-hour rule", stay: 72 * hour, dest: domain.DischargeTemporaryBed, applies: true},
		{name: "discharge to a nursing home gets the 72-hour rule", stay: 72 * hour, dest: domain.DischargeNursingHome, applies: true},
		{name: "discharge home without municipal care does not", stay: 72 * hour, dest: domain.DischargeHome},
		{name: "a stay of exactly 24 hours does not", stay: 24 * hour, dest: domain.DischargeHomeNursing},
		{name: "a stay of 24 hours and 1 minute does", stay: 24*hour + minute, dest: domain.DischargeHomeNursing, applies: true},
		{name: "an acute outpatient stay never does", stay: 72 * hour, dest: domain.DischargeHomeNursing, class: domain.ClassEmergency},
		{name: "a home admission by eHospitalet does", stay: 72 * hour, dest: domain.DischargeHomeNursing, class: domain.ClassHomeHealth, applies: true},
		{name: "psychiatric stay excluded from 72-hour rule by default", stay: 72 * hour, dest: domain.DischargeHomeNursing, psych: true},
		{name: "psychiatric stay included when configured", stay: 72 * hour, dest: domain.DischargeHomeNursing, psych: true,
			rules: func(r *Rules) { r.ExcludePsychiatric = false }, applies: true},
		{name: "a longer minimum stay is honoured", stay: 40 * hour, dest: domain.DischargeHomeNursing,
			rules: func(r *Rules) { r.ExtendedResponsibilityMinStay = 48 * hour }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			class := tc.class
			if class == "" {
				class = domain.ClassInpatient
			}
			e := stayEncounter("enc-1", class, admitted, admitted.Add(tc.stay), tc.dest)
			e.Psychiatric = tc.psych
			rules := DefaultRules()
			if tc.rules != nil {
				tc.rules(&rules)
			}
			p := only(t, Assemble(Input{Citizen: testCitizen(), Encounters: []domain.Encounter{e}}, rules, afterWindow))
			if p.ExtendedResponsibility != tc.applies {
				t.Errorf("ExtendedResponsibility = %v, want %v", p.ExtendedResponsibility, tc.applies)
			}
			hasExtendedSpan := false
			for _, s := range p.Responsibility.Timeline {
				hasExtendedSpan = hasExtendedSpan || s.Basis == BasisExtendedTreatment
			}
			if hasExtendedSpan != tc.applies {
				t.Errorf("timeline has an EXTENDED_TREATMENT span: %v, want %v", hasExtendedSpan, tc.applies)
			}
		})
	}
}

// span is the part of a ResponsibilitySpan a timeline test compares.
type span struct {
	party PartyKind
	basis Basis
	ref   string
	since time.Time
	until time.Time
}

func spansOf(r Responsibility) []span {
	var out []span
	for _, s := range r.Timeline {
		out = append(out, span{s.Party, s.Basis, s.Ref, s.Since, s.Until})
	}
	return out
}

func equalSpans(a, b []span) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].party != b[i].party || a[i].basis != b[i].basis || a[i].ref != b[i].ref ||
			!a[i].since.Equal(b[i].since) || !a[i].until.Equal(b[i].until) {
			return false
		}
	}
	return true
}

func TestResponsibilityTimeline(t *testing.T) {
	var open time.Time
	extended := discharged.Add(72 * hour)

	t.Run("72-hour-rule discharge: hospital, extended treatment for 72h, then GP, municipality alongside", func(t *testing.T) {
		p := only(t, Assemble(cleanDischarge(domain.DischargeHomeNursing), DefaultRules(), afterWindow))
		want := []span{
			{PartyHospital, BasisStay, "enc-1", admitted, discharged},
			{PartyHospital, BasisExtendedTreatment, "enc-1", discharged, extended},
			{PartyMunicipality, BasisCareService, "svc-1", discharged, discharged.Add(20 * day)},
			{PartyGP, BasisListedGP, "", extended, open},
		}
		if got := spansOf(p.Responsibility); !equalSpans(got, want) {
			t.Fatalf("timeline\n got %+v\nwant %+v", got, want)
		}
		tl := p.Responsibility.Timeline
		if tl[1].Department != medicine || tl[1].Hospital != naestved {
			t.Errorf("extended treatment held by %v/%v, want the discharging department", tl[1].Hospital, tl[1].Department)
		}
		if tl[3].Practice != practice || tl[2].Municipality != homeMunicipality || tl[2].Service.Code != "G1.20" {
			t.Errorf("GP practice %q, municipality %d, service %q", tl[3].Practice, tl[2].Municipality, tl[2].Service.Code)
		}
	})

	t.Run("current party follows the timeline through the 72 hours", func(t *testing.T) {
		for _, tc := range []struct {
			at    time.Time
			party PartyKind
			basis Basis
		}{
			{admitted, PartyHospital, BasisStay},
			{discharged.Add(-minute), PartyHospital, BasisStay},
			{discharged, PartyHospital, BasisExtendedTreatment},
			{extended.Add(-minute), PartyHospital, BasisExtendedTreatment},
			{extended, PartyGP, BasisListedGP},
			{afterWindow, PartyGP, BasisListedGP},
		} {
			cur := only(t, Assemble(cleanDischarge(domain.DischargeHomeNursing), DefaultRules(), tc.at)).Responsibility.Current
			if cur == nil || cur.Party != tc.party || cur.Basis != tc.basis {
				t.Errorf("at discharge%+v: current %+v, want %s %s", tc.at.Sub(discharged), cur, tc.party, tc.basis)
			}
		}
	})

	t.Run("without the 72-hour rule the GP takes over at discharge", func(t *testing.T) {
		p := only(t, Assemble(cleanDischarge(domain.DischargeHome), DefaultRules(), afterWindow))
		want := []span{
			{PartyHospital, BasisStay, "enc-1", admitted, discharged},
			{PartyGP, BasisListedGP, "", discharged, open},
		}
		if got := spansOf(p.Responsibility); !equalSpans(got, want) {
			t.Fatalf("timeline\n got %+v\nwant %+v", got, want)
		}
	})

	t.Run("on a transfer each hospital holds the patient until the next admits them", func(t *testing.T) {
		a := inpatient("enc-1", admitted, admitted.Add(20*hour), domain.DischargeOtherHospital)
		b := inpatient("enc-2", admitted.Add(22*hour), discharged, domain.DischargeHome)
		b.Hospital, b.Department = slagelse, cardiology
		p := only(t, Assemble(Input{Citizen: testCitizen(), Encounters: []domain.Encounter{a, b}}, DefaultRules(), afterWindow))
		want := []span{
			{PartyHospital, BasisStay, "enc-1", admitted, admitted.Add(22 * hour)},
			{PartyHospital, BasisStay, "enc-2", admitted.Add(22 * hour), discharged},
			{PartyGP, BasisListedGP, "", discharged, open},
		}
		if got := spansOf(p.Responsibility); !equalSpans(got, want) {
			t.Fatalf("timeline\n got %+v\nwant %+v", got, want)
		}
	})

	t.Run("a readmission takes over from the earlier pathway's extended treatment", func(t *testing.T) {
		in := cleanDischarge(domain.DischargeHomeNursing)
		re := discharged.Add(40 * hour)
		in.Encounters = append(in.Encounters, inpatient("enc-2", re, time.Time{}, ""))
		ps := Assemble(in, DefaultRules(), re.Add(hour))
		p := byID(t, ps, "pw-enc-1")
		// The later stay is shown by its own pathway (pw-enc-2), not here:
		// this timeline ends where it starts.
		want := []span{
			{PartyHospital, BasisStay, "enc-1", admitted, discharged},
			{PartyHospital, BasisExtendedTreatment, "enc-1", discharged, re},
			{PartyMunicipality, BasisCareService, "svc-1", discharged, re},
		}
		if got := spansOf(p.Responsibility); !equalSpans(got, want) {
			t.Fatalf("timeline\n got %+v\nwant %+v", got, want)
		}
		if cur := p.Responsibility.Current; cur != nil {
			t.Errorf("current %+v, want null once a later stay has taken over", cur)
		}
		if cur := byID(t, ps, "pw-enc-2").Responsibility.Current; cur == nil || cur.Ref != "enc-2" {
			t.Errorf("the later pathway's current %+v, want its stay", cur)
		}
	})

	t.Run("death ends all responsibility", func(t *testing.T) {
		in := cleanDischarge(domain.DischargeHomeNursing)
		died := discharged.Add(10 * day)
		in.Citizen.DeceasedAt = &died
		p := only(t, Assemble(in, DefaultRules(), afterWindow))
		for _, s := range p.Responsibility.Timeline {
			if s.Until.IsZero() || s.Until.After(died) {
				t.Errorf("span %s %s runs past the death: until %v", s.Party, s.Basis, s.Until)
			}
		}
		if p.Responsibility.Current != nil {
			t.Errorf("current after death: %+v", *p.Responsibility.Current)
		}
		if !p.DiedAt.Equal(died) {
			t.Errorf("DiedAt %v, want %v", p.DiedAt, died)
		}
	})

	t.Run("a care service that began before admission is the municipality's from discharge", func(t *testing.T) {
		in := cleanDischarge(domain.DischargeHome)
		in.Services = []domain.CareService{nursing("svc-old", admitted.Add(-90*day), time.Time{})}
		p := only(t, Assemble(in, DefaultRules(), afterWindow))
		found := false
		for _, s := range p.Responsibility.Timeline {
			if s.Ref == "svc-old" {
				found = true
				if !s.Since.Equal(discharged) || !s.Until.IsZero() {
					t.Errorf("care span %v–%v, want from discharge, open", s.Since, s.Until)
				}
			}
		}
		if !found {
			t.Error("no municipality span for the active service")
		}
	})

	t.Run("ongoing home admission is held by eHospitalet without a municipality span", func(t *testing.T) {
		in := cleanDischarge(domain.DischargeHome)
		in.Encounters = []domain.Encounter{stayEncounter("enc-1", domain.ClassHomeHealth, admitted, time.Time{}, "")}
		p := only(t, Assemble(in, DefaultRules(), admitted.Add(day)))
		want := []span{{PartyEHospital, BasisStay, "enc-1", admitted, open}}
		if got := spansOf(p.Responsibility); !equalSpans(got, want) {
			t.Fatalf("timeline\n got %+v\nwant %+v", got, want)
		}
		if cur := p.Responsibility.Current; cur == nil || cur.Party != PartyEHospital {
			t.Errorf("current %+v", cur)
		}
	})

	t.Run("before admission nobody in the pathway holds the citizen", func(t *testing.T) {
		p := only(t, Assemble(cleanDischarge(domain.DischargeHome), DefaultRules(), admitted.Add(-hour)))
		if p.Responsibility.Current != nil {
			t.Errorf("current %+v before admission", *p.Responsibility.Current)
		}
	})
}
