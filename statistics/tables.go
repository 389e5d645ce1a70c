package statistics

import (
	"fmt"
	"strconv"
	"time"

	"github.com/sundhedsklynge/klynge/disclosure"
	"github.com/sundhedsklynge/klynge/domain"
	"github.com/sundhedsklynge/klynge/pathway"
)

// Measure is a column of the tables.
type Measure struct {
	// Name: "DISCHARGES", a status ("OK", "GAP") or a gap kind.
	Name string
	// Status or GapKind is set for those columns.
	Status  pathway.Status
	GapKind pathway.GapKind
}

// Measures are the columns in order: discharges, the final statuses, the
// gap kinds. AT_RISK and UNKNOWN never appear in a final period.
func Measures() []Measure {
	out := []Measure{{Name: "DISCHARGES"}, {Name: string(pathway.StatusOK), Status: pathway.StatusOK}, {Name: string(pathway.StatusGap), Status: pathway.StatusGap}}
	for _, k := range pathway.GapKinds() {
		out = append(out, Measure{Name: string(k), GapKind: k})
	}
	return out
}

// Count is one published cell.
type Count struct {
	Value  int // 0 when Hidden
	Hidden bool
}

// Row is one municipality's counts, or the cluster's (Municipality 0),
// in the order of Measures.
type Row struct {
	Municipality domain.MunicipalityCode
	Counts       []Count
}

// Table is one period's published counts.
type Table struct {
	Period   Period
	From, To time.Time
	// Total is the whole cluster; Municipalities follow the cluster's order.
	Total          Row
	Municipalities []Row
}

// Block is a cluster's quarter: the pathways discharged in it, the
// cluster's municipalities, and how far it is final.
type Block struct {
	Quarter        Period
	Municipalities []domain.MunicipalityCode
	// Pathways discharged in the quarter's final months, of citizens living
	// in Municipalities.
	Pathways []pathway.Pathway
	// FinalMonths is how many of the quarter's months are final (0–3).
	FinalMonths int
	Location    *time.Location
}

// coords per municipality and month: OK, GAP, then one per gap kind.
const coordOK, coordGap, coordKinds = 0, 1, 2

type layout struct {
	units, coords int
}

func (l layout) inner(unit, month, coord int) int { return (month*l.units+unit)*l.coords + coord }

// Protect tabulates the block's final months (and the quarter once all
// three are) and decides what to hide, month by month as they became
// final. It fails on data that is not final (a pathway still AT_RISK or
// UNKNOWN in a final month) or outside the block.
func Protect(b Block, rule disclosure.Rule) ([]Table, disclosure.Report, error) {
	kinds := pathway.GapKinds()
	l := layout{units: len(b.Municipalities), coords: coordKinds + len(kinds)}
	values, err := b.innerValues(l)
	if err != nil {
		return nil, disclosure.Report{}, err
	}
	months := b.Quarter.Months()
	var periods []Period
	for j := range b.FinalMonths {
		periods = append(periods, months[j])
	}
	if b.FinalMonths == 3 {
		periods = append(periods, b.Quarter)
	}
	p := disclosure.Problem{Inner: 3 * l.units * l.coords}
	var fixed []disclosure.Status
	var total disclosure.Report
	var tables []Table
	var cellsOf [][]int // per table: its cells in p.Cells, row-major
	for j := range b.FinalMonths {
		step := []Period{months[j]}
		if j == 2 {
			step = append(step, b.Quarter)
		}
		for _, per := range step {
			first, last := j, j
			if per.Kind == Quarter {
				first = 0
			}
			cellsOf = append(cellsOf, b.addCells(&p, l, values, per, first, last))
		}
		b.addConstraints(&p, l, j)
		for i := range fixed {
			p.Cells[i].Fixed = fixed[i]
		}
		status, rep, err := disclosure.Protect(p, rule)
		if err != nil {
			return nil, total, fmt.Errorf("statistics: %s: %w", months[j], err)
		}
		fixed = status
		total.Primary += rep.Primary
		total.Secondary += rep.Secondary
		total.IntervalHidden += rep.IntervalHidden
		total.LinearPrograms += rep.LinearPrograms
		total.PublishedCells += rep.PublishedCells
	}
	for t, per := range periods {
		from, to := per.Bounds(b.Location)
		tab := Table{Period: per, From: from, To: to}
		nm := len(Measures())
		for u := 0; u <= l.units; u++ {
			row := Row{Counts: make([]Count, nm)}
			for m := range nm {
				i := cellsOf[t][u*nm+m]
				if fixed[i].Hidden() {
					row.Counts[m] = Count{Hidden: true}
				} else {
					row.Counts[m] = Count{Value: p.Cells[i].Value}
				}
			}
			if u == l.units {
				tab.Total = row
			} else {
				row.Municipality = b.Municipalities[u]
				tab.Municipalities = append(tab.Municipalities, row)
			}
		}
		tables = append(tables, tab)
	}
	return tables, total, nil
}

// innerValues counts each municipality's pathways per month by final
// status and gap kind.
func (b Block) innerValues(l layout) ([]int, error) {
	unit := map[domain.MunicipalityCode]int{}
	for u, m := range b.Municipalities {
		unit[m] = u
	}
	months := b.Quarter.Months()
	values := make([]int, 3*l.units*l.coords)
	for _, p := range b.Pathways {
		u, ok := unit[p.Municipality]
		if !ok {
			return nil, fmt.Errorf("statistics: a pathway of municipality %d, not a member", p.Municipality)
		}
		j := -1
		for k, m := range months[:b.FinalMonths] {
			if from, to := m.Bounds(b.Location); !p.DischargedAt.Before(from) && p.DischargedAt.Before(to) {
				j = k
			}
		}
		if j < 0 {
			return nil, fmt.Errorf("statistics: a pathway discharged at %s, outside the final months of %s", p.DischargedAt.Format(time.RFC3339), b.Quarter)
		}
		switch p.Status {
		case pathway.StatusOK:
			values[l.inner(u, j, coordOK)]++
		case pathway.StatusGap:
			values[l.inner(u, j, coordGap)]++
			for k, kind := range pathway.GapKinds() {
				if p.HasGap(kind) {
					values[l.inner(u, j, coordKinds+k)]++
				}
			}
		default:
			return nil, fmt.Errorf("statistics: %s: a pathway is %s in a month that should be final; the statistics are published complete or not at all", months[j], p.Status)
		}
	}
	return values, nil
}

// addCells adds a period's table (months first..last) to p and returns its
// cells row-major: each municipality, then the total; Measures in order.
func (b Block) addCells(p *disclosure.Problem, l layout, values []int, per Period, first, last int) []int {
	var out []int
	for u := 0; u <= l.units; u++ {
		units := []int{u}
		name := "total"
		if u == l.units {
			units = units[:0]
			for x := range l.units {
				units = append(units, x)
			}
		} else {
			name = strconv.Itoa(int(b.Municipalities[u]))
		}
		for _, m := range Measures() {
			coords := []int{coordOK}
			switch {
			case m.Name == "DISCHARGES":
				coords = []int{coordOK, coordGap}
			case m.Status == pathway.StatusGap:
				coords = []int{coordGap}
			case m.GapKind != "":
				for k, kind := range pathway.GapKinds() {
					if kind == m.GapKind {
						coords = []int{coordKinds + k}
					}
				}
			}
			c := disclosure.Cell{Key: per.String() + "/" + name + "/" + m.Name}
			for j := first; j <= last; j++ {
				for _, x := range units {
					for _, k := range coords {
						a := l.inner(x, j, k)
						c.Inner = append(c.Inner, a)
						c.Value += values[a]
					}
				}
			}
			p.Cells = append(p.Cells, c)
			out = append(out, len(p.Cells)-1)
		}
	}
	return out
}

// addConstraints adds, for month j, what any reader knows: a gap kind
// never counts more pathways than GAP, and every GAP pathway has a kind.
func (b Block) addConstraints(p *disclosure.Problem, l layout, j int) {
	for u := range l.units {
		gap := l.inner(u, j, coordGap)
		all := disclosure.Constraint{Inner: []int{gap}, Coefs: []float64{-1}}
		for k := coordKinds; k < l.coords; k++ {
			g := l.inner(u, j, k)
			p.Constraints = append(p.Constraints, disclosure.Constraint{Inner: []int{gap, g}, Coefs: []float64{1, -1}})
			all.Inner, all.Coefs = append(all.Inner, g), append(all.Coefs, 1)
		}
		p.Constraints = append(p.Constraints, all)
	}
}
