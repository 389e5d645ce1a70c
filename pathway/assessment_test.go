package pathway

import (
	"slices"
	"testing"

	"github.com/sundhedsklynge/klynge/domain"
)

func TestAssess(t *testing.T) {
	in := cleanDischarge(domain.DischargeHomeNursing)
	in.Received = nil // a gap when the municipal system answered
	now := discharged.Add(4 * day)

	t.Run("every system answered: the rules are evaluated", func(t *testing.T) {
		a := Assess(in, nil, DefaultRules(), now)
		if len(a.Pathways) != 1 || a.Pathways[0].Status != StatusGap || len(a.Missing) != 0 {
			t.Fatalf("got %+v", a)
		}
	})
	t.Run("a system failed: UNKNOWN with no gaps or deadlines, the system named", func(t *testing.T) {
		a := Assess(in, []System{SystemMunicipal}, DefaultRules(), now)
		if len(a.Pathways) != 1 {
			t.Fatalf("got %d pathways, want 1", len(a.Pathways))
		}
		p := a.Pathways[0]
		if p.Status != StatusUnknown || p.Gaps != nil || p.OpenDeadlines != nil {
			t.Errorf("status %s, gaps %v, deadlines %v; want UNKNOWN and none", p.Status, p.Gaps, p.OpenDeadlines)
		}
		if !slices.Equal(a.Missing, []System{SystemMunicipal}) {
			t.Errorf("missing %v", a.Missing)
		}
		if s := Summarize(a.Pathways); s.ByStatus[StatusUnknown] != 1 || s.ByStatus[StatusGap] != 0 {
			t.Errorf("summary by status %v, want one UNKNOWN", s.ByStatus)
		}
	})
}
