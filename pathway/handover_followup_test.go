package pathway

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sundhedsklynge/klynge/domain"
)

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
			second := stayEncounter("enc-2", class, start, start.Add(26*hour), domain.DischargeHome)
			if class == domain.ClassInpatient {
				second = acuteAdmission("enc-2", start, start.Add(2*hour), start.Add(26*hour), domain.DischargeHome)
			}
			in.Encounters = append(in.Encounters, second)
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
		{name: "acute outpatient stay 2 days after discharge is a readmission where the cluster counts STAA", in: readmittedAfter(2*day, domain.ClassEmergency),
			rules: func(r *Rules) { r.Readmission.IncludeAcuteOutpatient = true },
			now:   discharged.Add(90 * day), gaps: []GapKind{GapReadmittedWithin30d}},
		{name: "acute outpatient stay 2 days after discharge is not a readmission by the national definition", in: readmittedAfter(2*day, domain.ClassEmergency),
			now: discharged.Add(90 * day)},
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
