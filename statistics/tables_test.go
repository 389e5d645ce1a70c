package statistics

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/sundhedsklynge/klynge/disclosure"
	"github.com/sundhedsklynge/klynge/domain"
	"github.com/sundhedsklynge/klynge/internal/sdcattack"
	"github.com/sundhedsklynge/klynge/pathway"
)

var seeds = 3

var members = []domain.MunicipalityCode{330, 370, 329, 340}

// quarterOfPathways makes a seeded quarter of discharges: per municipality
// and month a few to a few dozen, some with gaps of one or two kinds.
func quarterOfPathways(t *testing.T, seed uint64, q Period) ([]pathway.Pathway, *time.Location) {
	t.Helper()
	loc, err := Copenhagen()
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(seed, 1))
	kinds := pathway.GapKinds()
	var out []pathway.Pathway
	for _, m := range q.Months() {
		from, to := m.Bounds(loc)
		for i, code := range members {
			n := 3 + rng.IntN(8*(i+1))
			for range n {
				p := pathway.Pathway{Municipality: code, Status: pathway.StatusOK,
					DischargedAt: from.Add(time.Duration(rng.Int64N(int64(to.Sub(from)))))}
				if rng.IntN(5) == 0 {
					p.Status = pathway.StatusGap
					p.Gaps = append(p.Gaps, pathway.Gap{Kind: kinds[rng.IntN(3)]})
					if rng.IntN(3) == 0 {
						p.Gaps = append(p.Gaps, pathway.Gap{Kind: kinds[3+rng.IntN(len(kinds)-3)]})
					}
				}
				out = append(out, p)
			}
		}
	}
	return out, loc
}

func within(ps []pathway.Pathway, from, to time.Time) []pathway.Pathway {
	var out []pathway.Pathway
	for _, p := range ps {
		if !p.DischargedAt.Before(from) && p.DischargedAt.Before(to) {
			out = append(out, p)
		}
	}
	return out
}

// published is what a reader gets, with the true count of each hidden
// cell beside it for judging.
func published(t *testing.T, tables []Table, ps []pathway.Pathway) []sdcattack.Published {
	t.Helper()
	var out []sdcattack.Published
	for _, tab := range tables {
		in := within(ps, tab.From, tab.To)
		for _, row := range append(slices.Clone(tab.Municipalities), tab.Total) {
			unit := "total"
			rowPs := in
			if row.Municipality != 0 {
				unit = strconv.Itoa(int(row.Municipality))
				rowPs = pathway.Filter(in, pathway.Criteria{Municipalities: []domain.MunicipalityCode{row.Municipality}})
			}
			s := pathway.Summarize(rowPs)
			for k, m := range Measures() {
				truth := len(rowPs)
				switch {
				case m.Status != "":
					truth = s.ByStatus[m.Status]
				case m.GapKind != "":
					truth = s.ByGapKind[m.GapKind]
				}
				c := row.Counts[k]
				if !c.Hidden && c.Value != truth {
					t.Fatalf("%s %s %s published %d, truth %d", tab.Period, unit, m.Name, c.Value, truth)
				}
				out = append(out, sdcattack.Published{Cluster: "c", Period: tab.Period.String(), Unit: unit, Measure: m.Name, Hidden: c.Hidden, Value: truth})
			}
		}
	}
	return out
}

func TestQuarterResistsTheAttackAndKeepsEarlierMonths(t *testing.T) {
	q := Period{Kind: Quarter, Year: 2026, Number: 2}
	for seed := range uint64(seeds) {
		ps, loc := quarterOfPathways(t, seed, q)
		var earlier []Table
		for final := 1; final <= 3; final++ {
			_, end := q.Months()[final-1].Bounds(loc)
			from, _ := q.Bounds(loc)
			b := Block{Quarter: q, Municipalities: members, Pathways: within(ps, from, end), FinalMonths: final, Location: loc}
			start := time.Now()
			tables, rep, err := Protect(b, disclosure.DefaultRule)
			t.Logf("seed %d month %d: protect %s", seed, final, time.Since(start))
			if err != nil {
				t.Fatal(err)
			}
			for i, old := range earlier {
				if !slices.EqualFunc(append(old.Municipalities, old.Total), append(tables[i].Municipalities, tables[i].Total), func(a, b Row) bool {
					return a.Municipality == b.Municipality && slices.Equal(a.Counts, b.Counts)
				}) {
					t.Errorf("seed %d: %s changed when month %d became final", seed, old.Period, final)
				}
			}
			earlier = tables
			if final < 3 {
				continue
			}
			if len(tables) != 4 || tables[3].Period != q {
				t.Fatalf("tables = %v", tables)
			}
			tab, err := sdcattack.FromStatistics(published(t, tables, ps))
			if err != nil {
				t.Fatal(err)
			}
			start = time.Now()
			att, err := sdcattack.Attack(tab, disclosure.DefaultRule.Protection)
			t.Logf("attack %s", time.Since(start))
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("seed %d: protect %+v; attack: %s", seed, rep, att)
			if rep.Primary == 0 {
				t.Errorf("seed %d: no small count: the quarter tests nothing", seed)
			}
			for _, f := range att.Recovered {
				t.Errorf("seed %d: recovered %s", seed, f)
			}
			for _, f := range att.Narrow {
				t.Errorf("seed %d: too narrow %s", seed, f)
			}
		}
	}
}

func TestAPathwayNotFinalIsRefused(t *testing.T) {
	q := Period{Kind: Quarter, Year: 2026, Number: 2}
	ps, loc := quarterOfPathways(t, 1, q)
	ps[3].Status = pathway.StatusAtRisk
	_, _, err := Protect(Block{Quarter: q, Municipalities: members, Pathways: ps, FinalMonths: 3, Location: loc}, disclosure.DefaultRule)
	if err == nil {
		t.Fatal("a quarter with an AT_RISK pathway was published")
	}
}
