package statistics

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"time"
	_ "time/tzdata" // Europe/Copenhagen must resolve on machines without a zone database
)

// Kind is a kind of reporting period.
type Kind int

// The kinds.
const (
	Month Kind = iota + 1
	Quarter
)

func (k Kind) String() string {
	switch k {
	case Month:
		return "MONTH"
	case Quarter:
		return "QUARTER"
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Period is a calendar month or quarter.
type Period struct {
	Kind   Kind
	Year   int
	Number int // month 1–12, quarter 1–4
}

// Copenhagen is the zone the periods are counted in.
func Copenhagen() (*time.Location, error) {
	loc, err := time.LoadLocation("Europe/Copenhagen")
	if err != nil {
		return nil, fmt.Errorf("statistics: load Europe/Copenhagen: %w", err)
	}
	return loc, nil
}

var (
	monthRE   = regexp.MustCompile(`^(\d{4})-(\d{2})$`)
	quarterRE = regexp.MustCompile(`^(\d{4})-Q(\d)$`)
	weekRE    = regexp.MustCompile(`^\d{4}-W\d{2}$`)
)

// ErrWeek is returned for an ISO week: weeks do not nest in months, so
// they are not published (docs/STATISTICS.md says why).
var ErrWeek = errors.New("ISO weeks are not published: they do not nest in months and quarters, so a week and its month together would give away the counts hidden in either; ask for the month (YYYY-MM) or the quarter (YYYY-Qn)")

// Parse reads "2026-03" (a month) or "2026-Q1" (a quarter). The error
// says which rule the text breaks.
func Parse(s string) (Period, error) {
	if m := monthRE.FindStringSubmatch(s); m != nil {
		y, _ := strconv.Atoi(m[1])
		n, _ := strconv.Atoi(m[2])
		if n < 1 || n > 12 {
			return Period{}, fmt.Errorf("month %02d does not exist: months are 01 to 12", n)
		}
		return Period{Kind: Month, Year: y, Number: n}, checkYear(y)
	}
	if m := quarterRE.FindStringSubmatch(s); m != nil {
		y, _ := strconv.Atoi(m[1])
		n, _ := strconv.Atoi(m[2])
		if n < 1 || n > 4 {
			return Period{}, fmt.Errorf("quarter Q%d does not exist: quarters are Q1 to Q4", n)
		}
		return Period{Kind: Quarter, Year: y, Number: n}, checkYear(y)
	}
	if weekRE.MatchString(s) {
		return Period{}, ErrWeek
	}
	return Period{}, errors.New("must be a calendar month as YYYY-MM (2026-03) or a quarter as YYYY-Qn (2026-Q1)")
}

func checkYear(y int) error {
	if y < 2000 || y > 2999 {
		return fmt.Errorf("year %d is out of range 2000–2999", y)
	}
	return nil
}

func (p Period) String() string {
	if p.Kind == Quarter {
		return fmt.Sprintf("%04d-Q%d", p.Year, p.Number)
	}
	return fmt.Sprintf("%04d-%02d", p.Year, p.Number)
}

// Bounds is the period as a half-open interval [from, to) of instants:
// from midnight at its start to midnight after its end, Danish time.
func (p Period) Bounds(loc *time.Location) (time.Time, time.Time) {
	first, months := p.Number, 1
	if p.Kind == Quarter {
		first, months = 3*(p.Number-1)+1, 3
	}
	from := time.Date(p.Year, time.Month(first), 1, 0, 0, 0, 0, loc)
	return from, from.AddDate(0, months, 0)
}

// QuarterOf is the quarter a month lies in (a quarter is its own).
func (p Period) QuarterOf() Period {
	if p.Kind == Quarter {
		return p
	}
	return Period{Kind: Quarter, Year: p.Year, Number: (p.Number-1)/3 + 1}
}

// Months are a quarter's months in order (a month is its only one).
func (p Period) Months() []Period {
	if p.Kind == Month {
		return []Period{p}
	}
	out := make([]Period, 3)
	for i := range out {
		out[i] = Period{Kind: Month, Year: p.Year, Number: 3*(p.Number-1) + 1 + i}
	}
	return out
}
