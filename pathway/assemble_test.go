package pathway

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sundhedsklynge/klynge/domain"
)

func TestMedComStays(t *testing.T) {
	cases := []struct {
		name       string
		encounters func() []domain.Encounter
		rules      func(*Rules)
		check      func(t *testing.T, ps []Pathway)
	}{
		{
			name: "AN_STIN cancels the stay",
			encounters: func() []domain.Encounter {
				e := inpatient("enc-1", admitted, discharged, domain.DischargeHome)
				notify(&e, "enc-1-an", "AN_STIN", admitted, "enc-1-admit")
				return []domain.Encounter{e}
			},
			check: func(t *testing.T, ps []Pathway) {
				if len(ps) != 0 {
					t.Errorf("cancelled admission made pathways %v", ids(ps))
				}
			},
		},
		{
			name: "RE_STIN keeps the stay",
			encounters: func() []domain.Encounter {
				e := inpatient("enc-1", admitted, discharged, domain.DischargeHome)
				notify(&e, "enc-1-re", "RE_STIN", admitted.Add(-hour), "enc-1-admit")
				return []domain.Encounter{e}
			},
			check: func(t *testing.T, ps []Pathway) { only(t, ps) },
		},
		{
			name: "AN_STIN then a new STIN in the same encounter is a stay",
			encounters: func() []domain.Encounter {
				e := inpatient("enc-1", admitted, discharged, domain.DischargeHome)
				e.Notifications = e.Notifications[:1]
				notify(&e, "enc-1-an", "AN_STIN", admitted.Add(hour), "enc-1-admit")
				notify(&e, "enc-1-admit2", domain.NotifyAdmitted, admitted.Add(2*hour), "")
				return []domain.Encounter{e}
			},
			check: func(t *testing.T, ps []Pathway) { only(t, ps) },
		},
		{
			name: "entered-in-error and cancelled encounters are not stays",
			encounters: func() []domain.Encounter {
				a := inpatient("enc-1", admitted, discharged, domain.DischargeHome)
				a.Status = domain.EncounterEnteredInError
				b := inpatient("enc-2", admitted.Add(day), discharged.Add(day), domain.DischargeHome)
				b.Status = domain.EncounterCancelled
				return []domain.Encounter{a, b}
			},
			check: func(t *testing.T, ps []Pathway) {
				if len(ps) != 0 {
					t.Errorf("got pathways %v", ids(ps))
				}
			},
		},
		{
			name: "STAA then STIN is one admission",
			encounters: func() []domain.Encounter {
				e := stayEncounter("enc-1", domain.ClassEmergency, admitted, discharged, domain.DischargeHomeNursing)
				notify(&e, "enc-1-stin", domain.NotifyAdmitted, admitted.Add(5*hour), "")
				return []domain.Encounter{e}
			},
			check: func(t *testing.T, ps []Pathway) {
				p := only(t, ps)
				if p.Kind != KindAdmission || !p.ExtendedResponsibility {
					t.Errorf("kind %s, extended %v; want an ADMISSION under the 72-hour rule", p.Kind, p.ExtendedResponsibility)
				}
			},
		},
		{
			name: "STAA alone is an acute outpatient pathway outside the 72-hour rule",
			encounters: func() []domain.Encounter {
				return []domain.Encounter{stayEncounter("enc-1", domain.ClassEmergency, admitted, discharged, domain.DischargeHomeNursing)}
			},
			check: func(t *testing.T, ps []Pathway) {
				p := only(t, ps)
				if p.Kind != KindAcuteOutpatient || p.ExtendedResponsibility {
					t.Errorf("kind %s, extended %v; want ACUTE_OUTPATIENT without the 72-hour rule", p.Kind, p.ExtendedResponsibility)
				}
			},
		},
		{
			name: "leave is not a discharge",
			encounters: func() []domain.Encounter {
				e := inpatient("enc-1", admitted, time.Time{}, "")
				notify(&e, "enc-1-stor", domain.NotifyLeaveStarts, admitted.Add(30*hour), "")
				e.Status = domain.EncounterOnLeave
				return []domain.Encounter{e}
			},
			check: func(t *testing.T, ps []Pathway) {
				p := only(t, ps)
				if p.Discharged() || p.Status != StatusOK || p.Responsibility.Current == nil ||
					p.Responsibility.Current.Party != PartyHospital {
					t.Errorf("on leave: discharged %v status %s current %+v; want an ongoing hospital stay",
						p.DischargedAt, p.Status, p.Responsibility.Current)
				}
			},
		},
		{
			name: "leave and return inside a stay keep one pathway discharged at the end",
			encounters: func() []domain.Encounter {
				e := inpatient("enc-1", admitted, time.Time{}, "")
				notify(&e, "enc-1-stor", domain.NotifyLeaveStarts, admitted.Add(24*hour), "")
				notify(&e, "enc-1-slor", domain.NotifyLeaveEnds, admitted.Add(48*hour), "")
				notify(&e, "enc-1-slhj", domain.NotifyDischarged, discharged, "")
				e.Status, e.End, e.Destination = domain.EncounterFinished, discharged, domain.DischargeHome
				return []domain.Encounter{e}
			},
			check: func(t *testing.T, ps []Pathway) {
				if p := only(t, ps); !p.DischargedAt.Equal(discharged) {
					t.Errorf("discharged %v, want %v", p.DischargedAt, discharged)
				}
			},
		},
		{
			name: "transfer to another hospital is one pathway",
			encounters: func() []domain.Encounter {
				a := inpatient("enc-1", admitted, admitted.Add(20*hour), domain.DischargeOtherHospital)
				b := inpatient("enc-2", admitted.Add(22*hour), discharged, domain.DischargeHomeNursing)
				b.Hospital, b.Department = slagelse, cardiology
				return []domain.Encounter{b, a}
			},
			check: func(t *testing.T, ps []Pathway) {
				p := only(t, ps)
				if p.ID != "pw-enc-1" || p.DischargeEncounterID != "enc-2" || !slices.Equal(p.EncounterIDs, []string{"enc-1", "enc-2"}) {
					t.Errorf("id %s discharge %s encounters %v", p.ID, p.DischargeEncounterID, p.EncounterIDs)
				}
				if p.Hospital != slagelse || p.Department != cardiology || !p.AdmittedAt.Equal(admitted) || !p.DischargedAt.Equal(discharged) {
					t.Errorf("hospital %v dept %v admitted %v discharged %v; want the receiving hospital and the whole stay",
						p.Hospital, p.Department, p.AdmittedAt, p.DischargedAt)
				}
				if !slices.ContainsFunc(p.Events, func(e Event) bool { return e.Kind == EventTransfer && e.Ref == "enc-1" }) {
					t.Errorf("no TRANSFER event")
				}
			},
		},
		{
			name: "next stay exactly 6 hours after a transfer is the same pathway",
			encounters: func() []domain.Encounter {
				a := inpatient("enc-1", admitted, admitted.Add(20*hour), domain.DischargeOtherHospital)
				b := inpatient("enc-2", admitted.Add(26*hour), discharged, domain.DischargeHome)
				return []domain.Encounter{a, b}
			},
			check: func(t *testing.T, ps []Pathway) { only(t, ps) },
		},
		{
			name: "receiving hospital registering the patient before the sender closes is a transfer",
			encounters: func() []domain.Encounter {
				a := inpatient("enc-1", admitted, admitted.Add(20*hour), domain.DischargeOtherHospital)
				b := inpatient("enc-2", admitted.Add(19*hour), discharged, domain.DischargeHome)
				return []domain.Encounter{a, b}
			},
			check: func(t *testing.T, ps []Pathway) { only(t, ps) },
		},
		{
			name: "next stay 6 hours and 1 minute after a transfer starts a new pathway; the first stays open",
			encounters: func() []domain.Encounter {
				a := inpatient("enc-1", admitted, admitted.Add(20*hour), domain.DischargeOtherHospital)
				b := inpatient("enc-2", admitted.Add(26*hour+minute), discharged, domain.DischargeHome)
				return []domain.Encounter{a, b}
			},
			check: func(t *testing.T, ps []Pathway) {
				if len(ps) != 2 || byID(t, ps, "pw-enc-1").Discharged() || !byID(t, ps, "pw-enc-2").Discharged() {
					t.Errorf("pathways %v: want pw-enc-1 without discharge and pw-enc-2 discharged", ids(ps))
				}
			},
		},
		{
			name:  "a longer transfer window joins them",
			rules: func(r *Rules) { r.TransferWindow = 8 * hour },
			encounters: func() []domain.Encounter {
				a := inpatient("enc-1", admitted, admitted.Add(20*hour), domain.DischargeOtherHospital)
				b := inpatient("enc-2", admitted.Add(26*hour+minute), discharged, domain.DischargeHome)
				return []domain.Encounter{a, b}
			},
			check: func(t *testing.T, ps []Pathway) { only(t, ps) },
		},
		{
			name: "a discharge home followed by a stay an hour later is two pathways",
			encounters: func() []domain.Encounter {
				a := inpatient("enc-1", admitted, admitted.Add(20*hour), domain.DischargeHome)
				b := inpatient("enc-2", admitted.Add(21*hour), discharged, domain.DischargeHome)
				return []domain.Encounter{a, b}
			},
			check: func(t *testing.T, ps []Pathway) {
				if len(ps) != 2 {
					t.Errorf("pathways %v, want two", ids(ps))
				}
			},
		},
		{
			name: "home admission by eHospitalet is a HOME_ADMISSION",
			encounters: func() []domain.Encounter {
				return []domain.Encounter{stayEncounter("enc-1", domain.ClassHomeHealth, admitted, discharged, domain.DischargeHomeNursing)}
			},
			check: func(t *testing.T, ps []Pathway) {
				p := only(t, ps)
				if p.Kind != KindHomeAdmission || !p.ExtendedResponsibility || p.Responsibility.Timeline[0].Party != PartyEHospital {
					t.Errorf("kind %s extended %v first party %s", p.Kind, p.ExtendedResponsibility, p.Responsibility.Timeline[0].Party)
				}
			},
		},
		{
			name: "video contacts are not stays but are events",
			encounters: func() []domain.Encounter {
				v := stayEncounter("enc-vr", domain.ClassVirtual, discharged.Add(day), discharged.Add(day+hour), domain.DischargeHome)
				return []domain.Encounter{inpatient("enc-1", admitted, discharged, domain.DischargeHome), v}
			},
			check: func(t *testing.T, ps []Pathway) {
				p := only(t, ps)
				if !slices.ContainsFunc(p.Events, func(e Event) bool { return e.Kind == EventVirtualContact && e.Ref == "enc-vr" }) {
					t.Errorf("the video contact is not an event of the pathway")
				}
			},
		},
		{
			name: "a stay without any notifications still counts",
			encounters: func() []domain.Encounter {
				e := inpatient("enc-1", admitted, discharged, domain.DischargeHome)
				e.Notifications = nil
				return []domain.Encounter{e}
			},
			check: func(t *testing.T, ps []Pathway) {
				if p := only(t, ps); !p.DischargedAt.Equal(discharged) {
					t.Errorf("discharged %v", p.DischargedAt)
				}
			},
		},
		{
			name: "AN_SLHJ does not undo a discharge the hospital record shows",
			encounters: func() []domain.Encounter {
				e := inpatient("enc-1", admitted, discharged, domain.DischargeHome)
				notify(&e, "enc-1-an-slhj", "AN_SLHJ", discharged, "enc-1-slhj")
				return []domain.Encounter{e}
			},
			check: func(t *testing.T, ps []Pathway) {
				if p := only(t, ps); !p.Discharged() {
					t.Errorf("pathway not discharged")
				}
			},
		},
		{
			name: "finished encounter without an end is discharged at its SLHJ",
			encounters: func() []domain.Encounter {
				e := inpatient("enc-1", admitted, discharged, domain.DischargeHome)
				e.End = time.Time{}
				return []domain.Encounter{e}
			},
			check: func(t *testing.T, ps []Pathway) {
				if p := only(t, ps); !p.DischargedAt.Equal(discharged) {
					t.Errorf("discharged %v, want the SLHJ time %v", p.DischargedAt, discharged)
				}
			},
		},
		{
			name: "an encounter of another citizen is ignored",
			encounters: func() []domain.Encounter {
				e := inpatient("enc-x", admitted, discharged, domain.DischargeHome)
				e.CPR = otherCPR
				return []domain.Encounter{e}
			},
			check: func(t *testing.T, ps []Pathway) {
				if len(ps) != 0 {
					t.Errorf("another citizen's stay made pathways %v", ids(ps))
				}
			},
		},
		{
			name: "newest admission first",
			encounters: func() []domain.Encounter {
				return []domain.Encounter{
					inpatient("enc-a", admitted, admitted.Add(day), domain.DischargeHome),
					inpatient("enc-c", admitted.Add(60*day), time.Time{}, ""),
					inpatient("enc-b", admitted.Add(20*day), admitted.Add(21*day), domain.DischargeHome),
				}
			},
			check: func(t *testing.T, ps []Pathway) {
				if got := ids(ps); !slices.Equal(got, []string{"pw-enc-c", "pw-enc-b", "pw-enc-a"}) {
					t.Errorf("order %v", got)
				}
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rules := DefaultRules()
			if tc.rules != nil {
				tc.rules(&rules)
			}
			in := Input{Citizen: testCitizen(), Encounters: tc.encounters()}
			tc.check(t, Assemble(in, rules, afterWindow))
		})
	}
}

func TestPathwayWindowAndEvents(t *testing.T) {
	in := cleanDischarge(domain.DischargeHomeNursing)
	in.OutOfHours = []domain.OutOfHoursContact{
		outOfHours("ooh-before", admitted.Add(-hour)),
		outOfHours("ooh-last-day", discharged.Add(30*day)),
		outOfHours("ooh-after", discharged.Add(30*day+minute)),
	}
	p := only(t, Assemble(in, DefaultRules(), afterWindow))

	t.Run("window runs from admission to discharge + 30 days", func(t *testing.T) {
		if !p.FollowUpUntil.Equal(discharged.Add(30 * day)) {
			t.Errorf("FollowUpUntil %v", p.FollowUpUntil)
		}
		refs := map[string]bool{}
		for _, e := range p.Events {
			refs[e.Ref] = true
		}
		if refs["ooh-before"] || refs["ooh-after"] || !refs["ooh-last-day"] {
			t.Errorf("events outside/inside the window wrong: %v", refs)
		}
	})
	t.Run("events come from every system in time order", func(t *testing.T) {
		sources := map[System]bool{}
		for i, e := range p.Events {
			sources[e.Source] = true
			if i > 0 && e.At.Before(p.Events[i-1].At) {
				t.Fatalf("event %d (%v) before event %d (%v)", i, e.At, i-1, p.Events[i-1].At)
			}
		}
		for _, s := range []System{SystemEHospital, SystemMunicipal, SystemOutOfHours, SystemGP} {
			if !sources[s] {
				t.Errorf("no event from %s", s)
			}
		}
	})
	t.Run("no event summary names the citizen or their CPR", func(t *testing.T) {
		for _, e := range p.Events {
			for _, secret := range []string{string(testCPR), testCPR.String(), "Testa", "Syntetisk", "Testvej"} {
				if containsFold(e.Summary, secret) {
					t.Errorf("summary %q contains %q", e.Summary, secret)
				}
			}
		}
	})
}

func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}

func TestAssembleIsDeterministicAndLeavesItsInputAlone(t *testing.T) {
	in := cleanDischarge(domain.DischargeHomeNursing)
	in.Encounters = append(in.Encounters, inpatient("enc-2", discharged.Add(5*day), discharged.Add(7*day), domain.DischargeHome))
	slices.Reverse(in.Visits)
	before := cloneInput(in)

	first := Assemble(in, DefaultRules(), afterWindow)
	if !reflect.DeepEqual(in, before) {
		t.Fatal("Assemble changed its input")
	}
	shuffled := cloneInput(in)
	slices.Reverse(shuffled.Encounters)
	slices.Reverse(shuffled.Visits)
	slices.Reverse(shuffled.Received)
	if again := Assemble(shuffled, DefaultRules(), afterWindow); !reflect.DeepEqual(first, again) {
		t.Error("the order of the input changed the pathways")
	}
}

func TestZeroRulesMeanDefaults(t *testing.T) {
	in := cleanDischarge(domain.DischargeHomeNursing)
	in.Visits = nil
	if got, want := Assemble(in, Rules{}, afterWindow), Assemble(in, DefaultRules(), afterWindow); !reflect.DeepEqual(got, want) {
		t.Error("zero Rules did not behave as DefaultRules")
	}
}

func cloneInput(in Input) Input {
	out := in
	out.Encounters = nil
	for _, e := range in.Encounters {
		e.Notifications = slices.Clone(e.Notifications)
		out.Encounters = append(out.Encounters, e)
	}
	out.Received = slices.Clone(in.Received)
	out.Services = slices.Clone(in.Services)
	out.Visits = slices.Clone(in.Visits)
	out.OutOfHours = slices.Clone(in.OutOfHours)
	out.Referrals = slices.Clone(in.Referrals)
	out.GPContacts = slices.Clone(in.GPContacts)
	return out
}
