package pathway

import (
	"slices"
	"testing"
	"time"

	"github.com/sundhedsklynge/klynge/domain"
)

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
				in.Encounters = append(in.Encounters, acuteAdmission("enc-2", start, start.Add(hour), start.Add(day), domain.DischargeDeceased))
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
