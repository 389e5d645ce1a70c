package disclosure

import (
	"cmp"
	"fmt"
	"slices"
)

// Report says what Protect did.
type Report struct {
	Primary          int // cells hidden because they count 1 to Threshold-1
	Secondary        int // cells hidden so that no primary cell is derivable
	IntervalHidden   int // of Secondary: hidden to widen a primary cell's interval
	LinearPrograms   int // linear programs solved to check the intervals
	PublishedCells   int
	DecidedBeforeNow int // cells whose status was fixed by an earlier publication
}

// Protect decides the status of every Open cell of p under r and returns
// every cell's status (Fixed cells keep theirs). It fails when the fixed
// cells already disclose a hidden count, which a correct earlier
// publication never does.
func Protect(p Problem, r Rule) ([]Status, Report, error) {
	r = r.withDefaults()
	if err := p.validate(r); err != nil {
		return nil, Report{}, err
	}
	status, candidates, rep := classify(p, r)
	e, err := startElimination(p, status)
	if err != nil {
		return nil, rep, err
	}
	// Publish the rest in priority order: aggregates before their parts,
	// larger counts before smaller, then by key.
	slices.SortStableFunc(candidates, func(a, b int) int {
		ca, cb := p.Cells[a], p.Cells[b]
		return cmp.Or(cmp.Compare(len(cb.Inner), len(ca.Inner)), cmp.Compare(cb.Value, ca.Value), cmp.Compare(ca.Key, cb.Key))
	})
	for _, i := range candidates {
		if e.tryPublish(p.Cells[i].Inner) {
			status[i] = Published
		} else {
			status[i] = Secondary
		}
	}
	lps, widened, err := widen(p, r, status, candidates)
	if err != nil {
		return nil, rep, err
	}
	n, err := release(p, status, candidates)
	if err != nil {
		return nil, rep, err
	}
	lps += n
	for i, s := range status {
		switch {
		case p.Cells[i].Fixed != Open:
		case s == Primary:
			rep.Primary++
		case s == Secondary:
			rep.Secondary++
		case s == Published:
			rep.PublishedCells++
		}
	}
	rep.IntervalHidden, rep.LinearPrograms = widened, lps
	return status, rep, nil
}

// classify decides what needs no choosing: fixed cells keep their status,
// sensitive counts are primary, zeros are published. The rest are the
// candidates, in cell order.
func classify(p Problem, r Rule) (status []Status, candidates []int, rep Report) {
	status = make([]Status, len(p.Cells))
	for i, c := range p.Cells {
		switch {
		case c.Fixed != Open:
			status[i] = c.Fixed
			rep.DecidedBeforeNow++
		case r.sensitive(c.Value):
			status[i] = Primary
		case c.Value == 0:
			status[i] = Published
		default:
			candidates = append(candidates, i)
		}
	}
	return status, candidates, rep
}

// publishedElimination is the elimination of what a reader knows from the
// cells published so far: the zeros first, then every published count.
func publishedElimination(p Problem, status []Status) *elimination {
	e := newElimination(p.Inner)
	for i, c := range p.Cells {
		if status[i] == Published && c.Value == 0 {
			e.publishZero(c.Inner)
		}
	}
	for i, c := range p.Cells {
		if status[i] == Published && c.Value > 0 {
			e.add(e.vector(c.Inner))
		}
	}
	return e
}

// startElimination publishes what is published whatever happens (earlier
// publications, zeros) and then watches the primary cells, and fails if
// those publications already disclose a cell they hid.
func startElimination(p Problem, status []Status) (*elimination, error) {
	e := publishedElimination(p, status)
	// Hidden cells of earlier publications stay hidden in fact, not only in
	// name: a reader must not work out even a complementary count later.
	for i, c := range p.Cells {
		if status[i] == Primary || (status[i] == Secondary && c.Fixed == Secondary) {
			e.watch(i, c.Inner)
		}
	}
	if d := e.derivable(); len(d) > 0 {
		slices.Sort(d)
		return nil, fmt.Errorf("disclosure: cell %s can be worked out from cells published before", p.Cells[d[0]].Key)
	}
	return e, nil
}

// widen hides further candidates until every primary cell's interval
// reaches its value plus the protection: for each risky cell, the cells
// beside it in a published line first (they can absorb its change), then
// the lines themselves, larger counts first; failing those, any other.
func widen(p Problem, r Rule, status []Status, candidates []int) (lps, widened int, err error) {
	rd, err := newReader(p, status)
	if err != nil {
		return 0, 0, err
	}
	risky, err := rd.risky(r)
	lps += rd.solved
	if err != nil || len(risky) == 0 {
		return lps, 0, err
	}
	// Hiding more only widens every interval, so each risky cell is fixed
	// on its own, checking only it after each cell hidden; a final audit
	// confirms them all.
	for _, h := range risky {
		for {
			ok, err := rd.protected(h, r)
			if err != nil {
				return lps + rd.solved, widened, err
			}
			if ok {
				break
			}
			next := nextToHide(p, status, candidates, h)
			if next < 0 {
				return lps + rd.solved, widened, fmt.Errorf("disclosure: cell %s cannot be protected by hiding more of the cells decided now", p.Cells[h].Key)
			}
			status[next] = Secondary
			widened++
			lps += rd.solved
			if rd, err = newReader(p, status); err != nil {
				return lps, widened, err
			}
		}
	}
	lps += rd.solved
	if rd, err = newReader(p, status); err != nil {
		return lps, widened, err
	}
	risky, err = rd.risky(r)
	lps += rd.solved
	if err == nil && len(risky) > 0 {
		err = fmt.Errorf("disclosure: cell %s is still too narrow after widening", p.Cells[risky[0]].Key)
	}
	return lps, widened, err
}

// release publishes the secondary cells a reader can work out exactly all
// the same: hiding them protects nothing, and a reader should not be told
// a value is hidden when it is not. Publishing a cell the published cells
// already imply changes nothing a reader can conclude.
func release(p Problem, status []Status, candidates []int) (int, error) {
	e := publishedElimination(p, status)
	var pinned []int
	for _, i := range candidates {
		if status[i] != Secondary {
			continue
		}
		v := e.vector(p.Cells[i].Inner)
		e.reduce(v)
		if isZero(v) {
			pinned = append(pinned, i)
		}
	}
	for _, i := range pinned {
		status[i] = Published
	}
	rd, err := newReader(p, status)
	if err != nil {
		return 0, err
	}
	pinned = pinned[:0]
	for _, i := range candidates {
		if status[i] != Secondary {
			continue
		}
		lo, err := rd.lower(i)
		if err != nil {
			return rd.solved, err
		}
		hi, err := rd.upper(i)
		if err != nil {
			return rd.solved, err
		}
		if hi-lo < 0.5 {
			pinned = append(pinned, i)
		}
	}
	for _, i := range pinned {
		status[i] = Published
	}
	return rd.solved, nil
}

// nextToHide picks the published candidate that best widens cell h.
func nextToHide(p Problem, status []Status, candidates []int, h int) int {
	inH := map[int]bool{}
	for _, a := range p.Cells[h].Inner {
		inH[a] = true
	}
	onLine := map[int]bool{} // inner cells of published cells and constraints through h
	for i, c := range p.Cells {
		if status[i] != Published || !shares(c.Inner, inH) {
			continue
		}
		for _, a := range c.Inner {
			onLine[a] = true
		}
	}
	for _, k := range p.Constraints {
		if shares(k.Inner, inH) {
			for _, a := range k.Inner {
				onLine[a] = true
			}
		}
	}
	best, bestRank := -1, 3
	for _, i := range candidates {
		c := p.Cells[i]
		if status[i] != Published || c.Value == 0 {
			continue
		}
		rank := 2
		switch {
		case shares(c.Inner, inH):
			rank = 1 // a line through h
		case shares(c.Inner, onLine):
			rank = 0 // beside h in a line
		}
		if best < 0 || rank < bestRank || (rank == bestRank && better(c, p.Cells[best])) {
			best, bestRank = i, rank
		}
	}
	return best
}

func better(a, b Cell) bool {
	if a.Value != b.Value {
		return a.Value > b.Value
	}
	return a.Key < b.Key
}

func shares(inner []int, set map[int]bool) bool {
	for _, a := range inner {
		if set[a] {
			return true
		}
	}
	return false
}
