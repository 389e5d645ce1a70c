package pathway

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sundhedsklynge/klynge/domain"
)

// ruleCase evaluates pathway pw-enc-1 of an input at now (default: after
// every deadline of the standard discharge) and checks its gaps and status.
type ruleCase struct {
	name   string
	in     func() Input
	rules  func(*Rules)
	now    time.Time
	gaps   []GapKind
	status Status
	check  func(t *testing.T, p Pathway)
}

func runRuleCases(t *testing.T, cases []ruleCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rules := DefaultRules()
			if tc.rules != nil {
				tc.rules(&rules)
			}
			now := tc.now
			if now.IsZero() {
				now = afterWindow
			}
			p := byID(t, Assemble(tc.in(), rules, now), "pw-enc-1")
			got := slices.Sorted(slices.Values(gapKinds(p)))
			want := slices.Sorted(slices.Values(tc.gaps))
			if !slices.Equal(got, want) {
				t.Errorf("gaps = %v, want %v", got, want)
			}
			if tc.status != "" && p.Status != tc.status {
				t.Errorf("status = %s, want %s (deadlines %v)", p.Status, tc.status, p.OpenDeadlines)
			}
			if tc.check != nil {
				tc.check(t, p)
			}
		})
	}
}

func TestCleanDischargesHaveNoGaps(t *testing.T) {
	var cases []ruleCase
	for _, dest := range []domain.DischargeDestination{domain.DischargeHome, domain.DischargeHomeNursing,
		domain.DischargeTemporaryBed, domain.DischargeNursingHome} {
		cases = append(cases, ruleCase{
			name: "clean discharge to " + string(dest) + " is OK",
			in:   func() Input { return cleanDischarge(dest) }, status: StatusOK,
		})
	}
	runRuleCases(t, cases)
}

func TestMunicipalityNotNotified(t *testing.T) {
	withoutSLHJ := func(dest domain.DischargeDestination) func() Input {
		return func() Input {
			in := cleanDischarge(dest)
			in.Received = in.Received[:1] // only the STIN arrived
			return in
		}
	}
	receivedAt := func(after time.Duration) func() Input {
		return func() Input {
			in := withoutSLHJ(domain.DischargeHomeNursing)()
			in.Received = append(in.Received, receipt(in.Encounters[0], "enc-1-slhj", discharged.Add(after)))
			return in
		}
	}
	runRuleCases(t, []ruleCase{
		{
			name: "discharged to home nursing without received SLHJ is MUNICIPALITY_NOT_NOTIFIED",
			in:   withoutSLHJ(domain.DischargeHomeNursing), gaps: []GapKind{GapMunicipalityNotNotified}, status: StatusGap,
			check: func(t *testing.T, p Pathway) {
				g := gapOf(t, p, GapMunicipalityNotNotified)
				if g.Severity != SeverityHigh {
					t.Errorf("severity = %s, want HIGH: home nursing needs the municipality", g.Severity)
				}
				if !g.DetectedAt.Equal(discharged.Add(hour)) {
					t.Errorf("detected at %v, want discharge + 1h", g.DetectedAt)
				}
				if !hasEvidence(g, EventDischarge, "enc-1") || !hasEvidence(g, EventNotificationSent, "enc-1-slhj") {
					t.Errorf("evidence %+v lacks the discharge and the sent SLHJ", g.Evidence)
				}
				for _, e := range g.Evidence {
					if e.Source == "" {
						t.Errorf("evidence %+v names no source system", e)
					}
				}
			},
		},
		{
			name: "discharged home without received SLHJ is a MEDIUM gap",
			in:   withoutSLHJ(domain.DischargeHome), gaps: []GapKind{GapMunicipalityNotNotified},
			check: func(t *testing.T, p Pathway) {
				if g := gapOf(t, p, GapMunicipalityNotNotified); g.Severity != SeverityMedium {
					t.Errorf("severity = %s, want MEDIUM", g.Severity)
				}
			},
		},
		{name: "SLHJ received 30 minutes after discharge is not a gap", in: receivedAt(30 * minute), status: StatusOK},
		{name: "SLHJ received exactly 1 hour after discharge is not a gap", in: receivedAt(hour), status: StatusOK},
		{name: "SLHJ received before the discharge time counts", in: receivedAt(-2 * minute), status: StatusOK},
		{
			name: "SLHJ received 61 minutes after discharge is a gap", in: receivedAt(61 * minute),
			gaps: []GapKind{GapMunicipalityNotNotified},
			check: func(t *testing.T, p Pathway) {
				g := gapOf(t, p, GapMunicipalityNotNotified)
				if !hasEvidence(g, EventNotificationReceived, "rcv-enc-1-slhj") {
					t.Errorf("evidence lacks the late receipt: %+v", g.Evidence)
				}
				if !strings.Contains(g.Message, "arrived 1 hour after discharge") {
					t.Errorf("message %q does not say when it arrived", g.Message)
				}
			},
		},
		{
			name: "RE_SLHJ received counts as notified",
			in: func() Input {
				in := withoutSLHJ(domain.DischargeHomeNursing)()
				notify(&in.Encounters[0], "enc-1-re-slhj", "RE_SLHJ", discharged.Add(-30*minute), "enc-1-slhj")
				in.Received = append(in.Received, receipt(in.Encounters[0], "enc-1-re-slhj", discharged.Add(20*minute)))
				return in
			},
			status: StatusOK,
		},
		{
			name: "AN_SLHJ received does not count as notified",
			in: func() Input {
				in := withoutSLHJ(domain.DischargeHomeNursing)()
				notify(&in.Encounters[0], "enc-1-an-slhj", "AN_SLHJ", discharged, "enc-1-slhj")
				in.Received = append(in.Received, receipt(in.Encounters[0], "enc-1-an-slhj", discharged.Add(20*minute)))
				return in
			},
			gaps: []GapKind{GapMunicipalityNotNotified},
		},
		{
			name: "SLHJ received for another encounter does not count",
			in: func() Input {
				in := withoutSLHJ(domain.DischargeHomeNursing)()
				r := receipt(in.Encounters[0], "enc-1-slhj", discharged.Add(10*minute))
				r.EncounterID, r.MessageID = "enc-other", "msg-other"
				in.Received = append(in.Received, r)
				return in
			},
			gaps: []GapKind{GapMunicipalityNotNotified},
		},
		{
			name: "SLHJ received by another municipality does not count",
			in: func() Input {
				in := withoutSLHJ(domain.DischargeHomeNursing)()
				r := receipt(in.Encounters[0], "enc-1-slhj", discharged.Add(10*minute))
				r.Municipality = 330
				in.Received = append(in.Received, r)
				return in
			},
			gaps: []GapKind{GapMunicipalityNotNotified},
		},
		{
			name: "receipt naming only the message it carried counts",
			in: func() Input {
				in := withoutSLHJ(domain.DischargeHomeNursing)()
				r := receipt(in.Encounters[0], "enc-1-slhj", discharged.Add(10*minute))
				r.EncounterID = ""
				in.Received = append(in.Received, r)
				return in
			},
			status: StatusOK,
		},
		{
			name: "hospital that never sent SLHJ is named in the message",
			in: func() Input {
				in := withoutSLHJ(domain.DischargeHome)()
				in.Encounters[0].Notifications = in.Encounters[0].Notifications[:1]
				return in
			},
			gaps: []GapKind{GapMunicipalityNotNotified},
			check: func(t *testing.T, p Pathway) {
				if m := gapOf(t, p, GapMunicipalityNotNotified).Message; !strings.Contains(m, "no record of sending") {
					t.Errorf("message %q does not say the hospital sent nothing", m)
				}
			},
		},
		{
			name: "no SLHJ yet 30 minutes after discharge is AT_RISK until discharge + 1h",
			in:   withoutSLHJ(domain.DischargeHome), now: discharged.Add(30 * minute), status: StatusAtRisk,
			check: func(t *testing.T, p Pathway) {
				want := Deadline{Rule: GapMunicipalityNotNotified, Due: discharged.Add(hour), Ref: "enc-1"}
				if !slices.Contains(p.OpenDeadlines, want) {
					t.Errorf("deadlines %+v lack %+v", p.OpenDeadlines, want)
				}
			},
		},
		{
			name: "no SLHJ at exactly discharge + 1h is still AT_RISK: the deadline has not passed",
			in:   withoutSLHJ(domain.DischargeHome), now: discharged.Add(hour), status: StatusAtRisk,
		},
		{
			name: "citizen without a municipality of residence is not expected to be notified",
			in: func() Input {
				in := withoutSLHJ(domain.DischargeHome)()
				in.Citizen.Address = domain.Address{}
				return in
			},
			status: StatusOK,
		},
	})
}

func TestNoCareVisitWithin24h(t *testing.T) {
	withVisits := func(dest domain.DischargeDestination, visits ...domain.CareVisit) func() Input {
		return func() Input {
			in := cleanDischarge(dest)
			in.Visits = visits
			return in
		}
	}
	runRuleCases(t, []ruleCase{
		{
			name: "discharged to home nursing without any visit is a gap",
			in:   withVisits(domain.DischargeHomeNursing), gaps: []GapKind{GapNoCareVisitWithin24h},
			check: func(t *testing.T, p Pathway) {
				g := gapOf(t, p, GapNoCareVisitWithin24h)
				if g.Severity != SeverityHigh || !g.DetectedAt.Equal(discharged.Add(24*hour)) {
					t.Errorf("gap %s at %v, want HIGH at discharge + 24h", g.Severity, g.DetectedAt)
				}
				if !hasEvidence(g, EventCareServiceStart, "svc-1") {
					t.Errorf("evidence lacks the active service: %+v", g.Evidence)
				}
			},
		},
		{
			name: "visit planned but not performed within 24h is a gap",
			in: withVisits(domain.DischargeHomeNursing,
				unperformedVisit("v-planned", "svc-1", discharged.Add(4*hour), domain.VisitPlanned),
				unperformedVisit("v-missed", "svc-1", discharged.Add(20*hour), domain.VisitMissed),
				performedVisit("v-late", "svc-1", discharged.Add(30*hour))),
			gaps: []GapKind{GapNoCareVisitWithin24h},
			check: func(t *testing.T, p Pathway) {
				g := gapOf(t, p, GapNoCareVisitWithin24h)
				for _, ref := range []string{"v-planned", "v-missed", "v-late"} {
					if !hasEvidence(g, EventCareVisit, ref) {
						t.Errorf("evidence lacks visit %s: %+v", ref, g.Evidence)
					}
				}
				if !strings.Contains(g.Message, "2 planned visits in that time were not performed") ||
					!strings.Contains(g.Message, "first visit was performed 30 hours after discharge") {
					t.Errorf("message %q does not tell the story", g.Message)
				}
			},
		},
		{
			name: "visit performed exactly 24h after discharge is not a gap",
			in:   withVisits(domain.DischargeHomeNursing, performedVisit("v", "svc-1", discharged.Add(24*hour))), status: StatusOK,
		},
		{
			name: "visit performed at the discharge moment counts",
			in:   withVisits(domain.DischargeHomeNursing, performedVisit("v", "svc-1", discharged)), status: StatusOK,
		},
		{
			name: "visit performed 24h and 1 minute after discharge is a gap",
			in:   withVisits(domain.DischargeHomeNursing, performedVisit("v", "svc-1", discharged.Add(24*hour+minute))),
			gaps: []GapKind{GapNoCareVisitWithin24h},
		},
		{
			name: "visit performed before discharge does not count",
			in:   withVisits(domain.DischargeHomeNursing, performedVisit("v", "svc-1", discharged.Add(-hour))),
			gaps: []GapKind{GapNoCareVisitWithin24h},
		},
		{
			name: "care service active at discharge needs a visit even when discharged home",
			in: func() Input {
				in := cleanDischarge(domain.DischargeHome)
				in.Services = []domain.CareService{nursing("svc-old", admitted.Add(-60*day), time.Time{})}
				return in
			},
			gaps: []GapKind{GapNoCareVisitWithin24h},
		},
		{
			name: "service that starts two days after a discharge home needs no visit within 24h",
			in: func() Input {
				in := cleanDischarge(domain.DischargeHome)
				in.Services = []domain.CareService{nursing("svc-later", discharged.Add(48*hour), time.Time{})}
				return in
			},
			status: StatusOK,
		},
		{
			name: "service that ended before discharge needs no visit",
			in: func() Input {
				in := cleanDischarge(domain.DischargeHome)
				s := nursing("svc-ended", admitted.Add(-60*day), admitted.Add(-day))
				s.Status = domain.CareServiceEnded
				in.Services = []domain.CareService{s}
				return in
			},
			status: StatusOK,
		},
		{
			name: "planned service is not active care",
			in: func() Input {
				in := cleanDischarge(domain.DischargeHome)
				s := nursing("svc-planned", discharged, time.Time{})
				s.Status = domain.CareServicePlanned
				in.Services = []domain.CareService{s}
				return in
			},
			status: StatusOK,
		},
		{
			name: "no visit yet 10 hours after a discharge to home nursing is AT_RISK",
			in:   withVisits(domain.DischargeHomeNursing), now: discharged.Add(10 * hour), status: StatusAtRisk,
			check: func(t *testing.T, p Pathway) {
				if !slices.Contains(deadlineRules(p), GapNoCareVisitWithin24h) {
					t.Errorf("deadlines %v lack the visit rule", deadlineRules(p))
				}
			},
		},
	})
}

func TestOutOfHoursAfterDischarge(t *testing.T) {
	withContacts := func(cs ...domain.OutOfHoursContact) func() Input {
		return func() Input {
			in := cleanDischarge(domain.DischargeHome)
			in.OutOfHours = cs
			return in
		}
	}
	runRuleCases(t, []ruleCase{
		{
			name: "out-of-hours contact 18 hours after discharge is a gap",
			in:   withContacts(outOfHours("ooh-1", discharged.Add(18*hour))), gaps: []GapKind{GapOutOfHoursAfterDischarge},
			check: func(t *testing.T, p Pathway) {
				g := gapOf(t, p, GapOutOfHoursAfterDischarge)
				if g.Severity != SeverityMedium || !g.DetectedAt.Equal(discharged.Add(18*hour)) {
					t.Errorf("gap %s at %v, want MEDIUM at the contact", g.Severity, g.DetectedAt)
				}
				if !hasEvidence(g, EventOutOfHoursContact, "ooh-1") {
					t.Errorf("evidence lacks the contact: %+v", g.Evidence)
				}
			},
		},
		{
			name: "out-of-hours contact exactly 72h after discharge is a gap",
			in:   withContacts(outOfHours("ooh-1", discharged.Add(72*hour))), gaps: []GapKind{GapOutOfHoursAfterDischarge},
		},
		{
			name: "out-of-hours contact 72h and 1 minute after discharge is not a gap",
			in:   withContacts(outOfHours("ooh-1", discharged.Add(72*hour+minute))), status: StatusOK,
		},
		{
			name: "out-of-hours contact at the moment of discharge is not a gap",
			in:   withContacts(outOfHours("ooh-1", discharged)), status: StatusOK,
		},
		{
			name: "two contacts make one gap detected at the first",
			in:   withContacts(outOfHours("ooh-2", discharged.Add(40*hour)), outOfHours("ooh-1", discharged.Add(5*hour))),
			gaps: []GapKind{GapOutOfHoursAfterDischarge},
			check: func(t *testing.T, p Pathway) {
				g := gapOf(t, p, GapOutOfHoursAfterDischarge)
				if !g.DetectedAt.Equal(discharged.Add(5*hour)) || !hasEvidence(g, EventOutOfHoursContact, "ooh-2") {
					t.Errorf("gap at %v with %+v, want first contact and both as evidence", g.DetectedAt, g.Evidence)
				}
			},
		},
		{
			name: "contact not yet made at now is not seen",
			in:   withContacts(outOfHours("ooh-1", discharged.Add(18*hour))), now: discharged.Add(17 * hour),
		},
	})
}

func TestReadmittedWithin30d(t *testing.T) {
	readmittedAfter := func(after time.Duration, class domain.EncounterClass) func() Input {
		return func() Input {
			in := cleanDischarge(domain.DischargeHome)
			start := discharged.Add(after)
			in.Encounters = append(in.Encounters, stayEncounter("enc-2", class, start, start.Add(26*hour), domain.DischargeHome))
			return in
		}
	}
	runRuleCases(t, []ruleCase{
		{
			name: "readmission on day 30 counts", in: readmittedAfter(30*day, domain.ClassInpatient), now: discharged.Add(90 * day),
			gaps: []GapKind{GapReadmittedWithin30d},
			check: func(t *testing.T, p Pathway) {
				g := gapOf(t, p, GapReadmittedWithin30d)
				if !g.DetectedAt.Equal(discharged.Add(30*day)) || !hasEvidence(g, EventAdmission, "enc-2") {
					t.Errorf("gap at %v with %+v, want the new admission", g.DetectedAt, g.Evidence)
				}
				if g.Severity != SeverityMedium {
					t.Errorf("severity %s, want MEDIUM", g.Severity)
				}
			},
		},
		{name: "readmission on day 31 does not count", in: readmittedAfter(31*day, domain.ClassInpatient), now: discharged.Add(90 * day)},
		{name: "readmission one minute after day 30 does not count", in: readmittedAfter(30*day+minute, domain.ClassInpatient), now: discharged.Add(90 * day)},
		{name: "acute outpatient stay 2 days after discharge is a readmission", in: readmittedAfter(2*day, domain.ClassEmergency),
			now: discharged.Add(90 * day), gaps: []GapKind{GapReadmittedWithin30d}},
		{
			name: "transfer to another hospital is not a readmission",
			in: func() Input {
				in := cleanDischarge(domain.DischargeHome)
				first := inpatient("enc-1", admitted, discharged.Add(-48*hour), domain.DischargeOtherHospital)
				second := inpatient("enc-2", discharged.Add(-46*hour), discharged, domain.DischargeHome)
				in.Encounters = []domain.Encounter{first, second}
				in.Received = []domain.ReceivedNotification{receipt(second, "enc-2-slhj", discharged.Add(5*minute))}
				return in
			},
			status: StatusOK,
		},
	})

	t.Run("the new stay is its own pathway and the gap is on the earlier one", func(t *testing.T) {
		ps := Assemble(readmittedAfter(10*day, domain.ClassInpatient)(), DefaultRules(), discharged.Add(90*day))
		if got := ids(ps); !slices.Equal(got, []string{"pw-enc-2", "pw-enc-1"}) {
			t.Fatalf("pathways %v, want pw-enc-2 then pw-enc-1 (newest admission first)", got)
		}
		if later := byID(t, ps, "pw-enc-2"); later.HasGap(GapReadmittedWithin30d) {
			t.Errorf("the readmission itself has a READMITTED gap: %v", gapKinds(later))
		}
		if !byID(t, ps, "pw-enc-1").HasGap(GapReadmittedWithin30d) {
			t.Errorf("the earlier pathway lacks the READMITTED gap")
		}
	})
}

func TestReferrals(t *testing.T) {
	withReferrals := func(refs ...domain.Referral) func() Input {
		return func() Input {
			in := cleanDischarge(domain.DischargeHome)
			in.Referrals = refs
			return in
		}
	}
	sent := discharged.Add(2 * day)
	runRuleCases(t, []ruleCase{
		{
			name: "referral rejected during the pathway is REFERRAL_REJECTED",
			in:   withReferrals(referral("ref-1", sent, step(domain.ReferralReceived, sent.Add(hour)), step(domain.ReferralRejected, sent.Add(30*hour)))),
			gaps: []GapKind{GapReferralRejected},
			check: func(t *testing.T, p Pathway) {
				g := gapOf(t, p, GapReferralRejected)
				if g.Severity != SeverityMedium || !g.DetectedAt.Equal(sent.Add(30*hour)) {
					t.Errorf("gap %s at %v, want MEDIUM at the rejection", g.Severity, g.DetectedAt)
				}
				if !hasEvidence(g, EventReferralStatus, "ref-1") {
					t.Errorf("evidence lacks the referral: %+v", g.Evidence)
				}
				if strings.Contains(g.Message, "Testa") || strings.Contains(g.Message, "670385") {
					t.Errorf("message %q leaks the referral note", g.Message)
				}
				for _, e := range p.Events {
					if strings.Contains(e.Summary, "Testa") || strings.Contains(e.Summary, "670385") {
						t.Errorf("event summary %q leaks the referral note", e.Summary)
					}
				}
			},
		},
		{
			name: "referral still only sent 72h after sending is REFERRAL_NOT_ANSWERED",
			in:   withReferrals(referral("ref-1", sent)), gaps: []GapKind{GapReferralNotAnswered},
			check: func(t *testing.T, p Pathway) {
				g := gapOf(t, p, GapReferralNotAnswered)
				if g.Severity != SeverityLow || !g.DetectedAt.Equal(sent.Add(72*hour)) {
					t.Errorf("gap %s at %v, want LOW at sent + 72h", g.Severity, g.DetectedAt)
				}
			},
		},
		{name: "referral received exactly 72h after sending is answered",
			in: withReferrals(referral("ref-1", sent, step(domain.ReferralReceived, sent.Add(72*hour)))), status: StatusOK},
		{name: "referral received 73 hours after sending is still a gap",
			in:   withReferrals(referral("ref-1", sent, step(domain.ReferralReceived, sent.Add(73*hour)))),
			gaps: []GapKind{GapReferralNotAnswered}},
		{name: "referral sent before admission is not part of the pathway",
			in: withReferrals(referral("ref-1", admitted.Add(-hour), step(domain.ReferralRejected, admitted.Add(hour)))), status: StatusOK},
		{name: "referral sent after the window is not part of the pathway",
			in: withReferrals(referral("ref-1", discharged.Add(30*day+minute))), now: discharged.Add(60 * day), status: StatusOK},
		{
			name: "referral sent 10 hours ago without answer is AT_RISK",
			in:   withReferrals(referral("ref-1", sent)), now: sent.Add(10 * hour), status: StatusAtRisk,
			check: func(t *testing.T, p Pathway) {
				want := Deadline{Rule: GapReferralNotAnswered, Due: sent.Add(72 * hour), Ref: "ref-1"}
				if !slices.Contains(p.OpenDeadlines, want) {
					t.Errorf("deadlines %+v lack %+v", p.OpenDeadlines, want)
				}
			},
		},
	})
}

func TestMedicationCover(t *testing.T) {
	withGPContacts := func(cs ...domain.GPContact) func() Input {
		return func() Input {
			in := cleanDischarge(domain.DischargeHomeNursing)
			in.GPContacts = cs
			return in
		}
	}
	runRuleCases(t, []ruleCase{
		{
			name: "72-hour-rule discharge without GP contact within 3 days is a gap",
			in:   withGPContacts(gpContact("gp-late", discharged.Add(5*day))), gaps: []GapKind{GapMedicationCoverEndedBeforeGP},
			check: func(t *testing.T, p Pathway) {
				g := gapOf(t, p, GapMedicationCoverEndedBeforeGP)
				if g.Severity != SeverityHigh || !g.DetectedAt.Equal(discharged.Add(3*day)) {
					t.Errorf("gap %s at %v, want HIGH at discharge + 3 days", g.Severity, g.DetectedAt)
				}
				if !hasEvidence(g, EventGPContact, "gp-late") {
					t.Errorf("evidence lacks the late GP contact: %+v", g.Evidence)
				}
			},
		},
		{name: "GP contact exactly 3 days after discharge is in time", in: withGPContacts(gpContact("gp", discharged.Add(3*day))), status: StatusOK},
		{name: "GP contact before discharge does not count", in: withGPContacts(gpContact("gp", discharged.Add(-hour))),
			gaps: []GapKind{GapMedicationCoverEndedBeforeGP}},
		{
			name: "discharge home is outside the 72-hour rule and needs no GP contact",
			in: func() Input {
				in := cleanDischarge(domain.DischargeHome)
				in.GPContacts = nil
				return in
			},
			status: StatusOK,
		},
		{
			name: "5 medication cover days move the deadline",
			in:   withGPContacts(gpContact("gp", discharged.Add(4*day))), rules: func(r *Rules) { r.MedicationCoverDays = 5 },
			status: StatusOK,
		},
		{
			name: "medication cover running without GP contact is AT_RISK",
			in:   withGPContacts(), now: discharged.Add(2 * day), status: StatusAtRisk,
			check: func(t *testing.T, p Pathway) {
				want := Deadline{Rule: GapMedicationCoverEndedBeforeGP, Due: discharged.Add(3 * day), Ref: "enc-1"}
				if !slices.Contains(p.OpenDeadlines, want) {
					t.Errorf("deadlines %+v lack %+v", p.OpenDeadlines, want)
				}
			},
		},
	})
}

func TestDeathEndsTheRules(t *testing.T) {
	neglected := func() Input {
		in := cleanDischarge(domain.DischargeHomeNursing)
		in.Received, in.Visits, in.GPContacts = nil, nil, nil
		in.OutOfHours = []domain.OutOfHoursContact{outOfHours("ooh-1", discharged.Add(30*hour))}
		return in
	}
	runRuleCases(t, []ruleCase{
		{
			name: "the neglected discharge without death has every gap",
			in:   neglected,
			gaps: []GapKind{GapMunicipalityNotNotified, GapNoCareVisitWithin24h, GapOutOfHoursAfterDischarge, GapMedicationCoverEndedBeforeGP},
		},
		{
			name: "no gaps after MORS",
			in: func() Input {
				in := neglected()
				in.Encounters = []domain.Encounter{inpatient("enc-1", admitted, discharged, domain.DischargeDeceased)}
				return in
			},
			status: StatusOK,
			check: func(t *testing.T, p Pathway) {
				if !p.DiedAt.Equal(discharged) {
					t.Errorf("DiedAt = %v, want the MORS time", p.DiedAt)
				}
				if p.Responsibility.Current != nil {
					t.Errorf("responsibility after death: %+v", *p.Responsibility.Current)
				}
			},
		},
		{
			name: "no gaps after MORS even when the discharge destination was not recorded as deceased",
			in: func() Input {
				in := neglected()
				notify(&in.Encounters[0], "enc-1-mors", domain.NotifyDied, discharged.Add(-10*minute), "")
				return in
			},
			status: StatusOK,
		},
		{
			name: "death before a gap would be detected suppresses it, earlier gaps stand",
			in: func() Input {
				in := neglected()
				died := discharged.Add(20 * hour)
				in.Citizen.DeceasedAt = &died
				return in
			},
			gaps: []GapKind{GapMunicipalityNotNotified},
		},
		{
			name: "no AT_RISK after death",
			in: func() Input {
				in := neglected()
				died := discharged.Add(20 * minute)
				in.Citizen.DeceasedAt = &died
				return in
			},
			now: discharged.Add(30 * minute), status: StatusOK,
			check: func(t *testing.T, p Pathway) {
				if len(p.OpenDeadlines) > 0 {
					t.Errorf("open deadlines after death: %+v", p.OpenDeadlines)
				}
			},
		},
		{
			name: "MORS in a later stay keeps the gaps detected before it",
			in: func() Input {
				in := neglected()
				start := discharged.Add(5 * day)
				in.Encounters = append(in.Encounters, inpatient("enc-2", start, start.Add(day), domain.DischargeDeceased))
				return in
			},
			gaps: []GapKind{GapMunicipalityNotNotified, GapNoCareVisitWithin24h, GapOutOfHoursAfterDischarge,
				GapMedicationCoverEndedBeforeGP, GapReadmittedWithin30d},
		},
	})
}

func TestStatus(t *testing.T) {
	runRuleCases(t, []ruleCase{
		{
			name: "deadline not passed yet is AT_RISK",
			in: func() Input {
				in := cleanDischarge(domain.DischargeHomeNursing)
				in.Received, in.Visits, in.GPContacts = in.Received[:1], nil, nil
				return in
			},
			now: discharged.Add(30 * minute), status: StatusAtRisk,
			check: func(t *testing.T, p Pathway) {
				want := []GapKind{GapMunicipalityNotNotified, GapNoCareVisitWithin24h, GapMedicationCoverEndedBeforeGP}
				if got := deadlineRules(p); !slices.Equal(got, want) {
					t.Errorf("deadlines %v, want %v in order of due time", got, want)
				}
			},
		},
		{
			name: "a gap outranks open deadlines, which stay listed",
			in: func() Input {
				in := cleanDischarge(domain.DischargeHomeNursing)
				in.Received, in.Visits, in.GPContacts = in.Received[:1], nil, nil
				return in
			},
			now: discharged.Add(2 * hour), status: StatusGap, gaps: []GapKind{GapMunicipalityNotNotified},
			check: func(t *testing.T, p Pathway) {
				if len(p.OpenDeadlines) != 2 {
					t.Errorf("deadlines %v, want the visit and medication rules still open", deadlineRules(p))
				}
			},
		},
		{
			name: "condition met before its deadline leaves nothing open",
			in:   func() Input { return cleanDischarge(domain.DischargeHomeNursing) },
			now:  discharged.Add(50 * hour), status: StatusOK,
		},
		{
			name: "ongoing stay is OK and raises no gaps",
			in: func() Input {
				in := cleanDischarge(domain.DischargeHomeNursing)
				in.Encounters = []domain.Encounter{inpatient("enc-1", admitted, time.Time{}, "")}
				in.Received = nil
				return in
			},
			status: StatusOK,
		},
	})
}
