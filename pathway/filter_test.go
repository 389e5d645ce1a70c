package pathway

import (
	"slices"
	"testing"
	"time"

	"github.com/sundhedsklynge/klynge/domain"
)

func TestFilter(t *testing.T) {
	d := func(days int) time.Time { return discharged.Add(time.Duration(days) * day) }
	ps := []Pathway{
		{ID: "ok", DischargedAt: d(0), Status: StatusOK, Municipality: 370},
		{ID: "gap", DischargedAt: d(5), Status: StatusGap, Municipality: 330,
			Gaps: []Gap{{Kind: GapMunicipalityNotNotified}, {Kind: GapReadmittedWithin30d}}},
		{ID: "risk", DischargedAt: d(10), Status: StatusAtRisk, Municipality: 370},
		{ID: "ongoing", Status: StatusOK, Municipality: 370},
	}
	cases := []struct {
		name string
		c    Criteria
		want []string
	}{
		{"no criteria select everything", Criteria{}, []string{"ok", "gap", "risk", "ongoing"}},
		{"discharge window is [after, before)", Criteria{DischargedAfter: d(0), DischargedBefore: d(10)}, []string{"ok", "gap"}},
		{"a discharge bound excludes ongoing pathways", Criteria{DischargedAfter: d(-100)}, []string{"ok", "gap", "risk"}},
		{"status", Criteria{Statuses: []Status{StatusGap, StatusAtRisk}}, []string{"gap", "risk"}},
		{"gap kind matches any listed", Criteria{GapKinds: []GapKind{GapReadmittedWithin30d, GapReferralRejected}}, []string{"gap"}},
		{"gap kind not present selects none", Criteria{GapKinds: []GapKind{GapReferralRejected}}, nil},
		{"municipality", Criteria{Municipalities: []domain.MunicipalityCode{370}}, []string{"ok", "risk", "ongoing"}},
		{"all criteria must hold", Criteria{Municipalities: []domain.MunicipalityCode{370}, Statuses: []Status{StatusGap}}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := ids(Filter(ps, tc.c)); !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestSummarize(t *testing.T) {
	in := cleanDischarge(domain.DischargeHomeNursing)
	in.Received = nil
	in.Encounters = append(in.Encounters, acuteAdmission("enc-2", discharged.Add(3*day), discharged.Add(3*day+hour), time.Time{}, ""))
	s := Summarize(Assemble(in, DefaultRules(), discharged.Add(4*day)))
	if s.Pathways != 2 || s.Discharges != 1 {
		t.Errorf("pathways %d discharges %d, want 2 and 1", s.Pathways, s.Discharges)
	}
	if s.ByStatus[StatusGap] != 1 || s.ByStatus[StatusOK] != 1 || s.ByStatus[StatusAtRisk] != 0 {
		t.Errorf("by status %v", s.ByStatus)
	}
	if s.ByGapKind[GapMunicipalityNotNotified] != 1 || s.ByGapKind[GapReadmittedWithin30d] != 1 || len(s.ByGapKind) != len(GapKinds()) {
		t.Errorf("by gap kind %v", s.ByGapKind)
	}
}
