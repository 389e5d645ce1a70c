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
			name: "discharged to home nursing needs a visit even before the municipality has recorded a service",
			in: func() Input {
				in := cleanDischarge(domain.DischargeHomeNursing)
				in.Services, in.Visits = nil, nil
				return in
			},
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
			name: "practical help alone (cleaning every fortnight) needs no visit within 24h",
			in: func() Input {
				in := cleanDischarge(domain.DischargeHome)
				cleaning := nursing("svc-clean", admitted.Add(-60*day), time.Time{})
				cleaning.Law, cleaning.Service = domain.ServicePersonalCare, domain.Coding{Code: "H1.7", Display: "Rengøring"}
				in.Services, in.Visits = []domain.CareService{cleaning}, nil
				return in
			},
			status: StatusOK,
		},
		{
			name: "personal care active at discharge needs a visit within 24h",
			in: func() Input {
				in := cleanDischarge(domain.DischargeHome)
				care := nursing("svc-care", admitted.Add(-60*day), time.Time{})
				care.Law, care.Service = domain.ServicePersonalCare, domain.Coding{Code: "H1.1", Display: "Personlig hygiejne"}
				in.Services, in.Visits = []domain.CareService{care}, nil
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
