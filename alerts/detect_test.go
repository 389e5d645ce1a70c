package alerts

import (
	"slices"
	"testing"
	"time"

	"github.com/sundhedsklynge/klynge/domain"
	"github.com/sundhedsklynge/klynge/pathway"
)

func TestDetect(t *testing.T) {
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	since := now.Add(-time.Hour)
	cit := domain.Citizen{CPR: "6701011234"}
	cit.Address.Municipality = 330
	care := []domain.CareService{{CPR: cit.CPR, Municipality: 330, Status: domain.CareServiceActive, Start: now.Add(-30 * 24 * time.Hour)}}
	base := pathway.Pathway{ID: "pw-enc-1", Status: pathway.StatusOK, AdmittedAt: now.Add(-48 * time.Hour)}
	with := func(f func(p *pathway.Pathway)) pathway.Pathway {
		p := base
		f(&p)
		return p
	}
	reported := func(keys ...string) func(string) bool {
		return func(q string) bool {
			return slices.ContainsFunc(keys, func(k string) bool { return KeyMatches(q, k) })
		}
	}
	tests := []struct {
		name     string
		p        pathway.Pathway
		services []domain.CareService
		reported func(string) bool
		want     []Kind
	}{
		{"nothing new", base, care, nil, nil},
		{"a discharge after the baseline", with(func(p *pathway.Pathway) {
			p.DischargedAt, p.Destination = now.Add(-10*time.Minute), domain.DischargeHomeNursing
		}), nil, nil, []Kind{KindDischarged}},
		{"a discharge before the baseline is not news", with(func(p *pathway.Pathway) { p.DischargedAt = since.Add(-time.Minute) }), nil, nil, nil},
		{"an admission of a citizen with active municipal care", with(func(p *pathway.Pathway) { p.AdmittedAt = now.Add(-5 * time.Minute) }), care, nil, []Kind{KindAdmitted}},
		{"an admission without municipal care is not an alert", with(func(p *pathway.Pathway) { p.AdmittedAt = now.Add(-5 * time.Minute) }), nil, nil, nil},
		{"a gap the rule found after the baseline", with(func(p *pathway.Pathway) {
			p.Status = pathway.StatusGap
			p.Gaps = []pathway.Gap{{Kind: pathway.GapMunicipalityNotNotified, DetectedAt: now.Add(-time.Minute)}}
		}), nil, nil, []Kind{KindGapDetected}},
		{"a deadline within the lead", with(func(p *pathway.Pathway) {
			p.Status = pathway.StatusAtRisk
			p.OpenDeadlines = []pathway.Deadline{{Rule: pathway.GapNoCareVisitWithin24h, Due: now.Add(2 * time.Hour)}}
		}), nil, nil, []Kind{KindDeadlineApproaching}},
		{"a deadline beyond the lead", with(func(p *pathway.Pathway) {
			p.OpenDeadlines = []pathway.Deadline{{Rule: pathway.GapNoCareVisitWithin24h, Due: now.Add(5 * time.Hour)}}
		}), nil, nil, nil},
		{"an announced gap that is gone is resolved", base, nil, reported("gap|pw-enc-1|MUNICIPALITY_NOT_NOTIFIED"), []Kind{KindGapResolved}},
		{"an announced deadline met is resolved", base, nil, reported("deadline|pw-enc-1|NO_CARE_VISIT_WITHIN_24H|123"), []Kind{KindGapResolved}},
		{"a resolution is announced once", base, nil, reported("gap|pw-enc-1|MUNICIPALITY_NOT_NOTIFIED", "resolved|pw-enc-1|MUNICIPALITY_NOT_NOTIFIED"), nil},
		{"an unknown pathway owes nothing, not even a resolution", with(func(p *pathway.Pathway) {
			p.Status, p.DischargedAt = pathway.StatusUnknown, now.Add(-time.Minute)
		}), nil, reported("gap|pw-enc-1|MUNICIPALITY_NOT_NOTIFIED"), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			evs := Detect(Assessed{Citizen: cit, Pathways: []pathway.Pathway{tt.p}, Services: tt.services},
				Detection{Cluster: "c", Now: now, Since: since, Lead: 3 * time.Hour, Reported: tt.reported})
			var got []Kind
			for _, e := range evs {
				got = append(got, e.Kind)
				if e.Cluster != "c" || e.Municipality != 330 || e.CPR != cit.CPR || e.Key == "" || e.Message == "" {
					t.Errorf("incomplete event %+v", e)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Fatalf("kinds %v, want %v", got, tt.want)
			}
			again := Detect(Assessed{Citizen: cit, Pathways: []pathway.Pathway{tt.p}, Services: tt.services},
				Detection{Cluster: "c", Now: now.Add(time.Minute), Since: since, Lead: 3 * time.Hour, Reported: tt.reported})
			for i := range min(len(evs), len(again)) {
				if evs[i].Key != again[i].Key {
					t.Fatalf("key changed between assessments: %q then %q", evs[i].Key, again[i].Key)
				}
			}
		})
	}
}
