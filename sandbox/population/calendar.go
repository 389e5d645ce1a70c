package population

import (
	"fmt"
	"time"
	_ "time/tzdata" // Europe/Copenhagen must resolve on machines without a zone database
)

// Copenhagen loads Europe/Copenhagen from the embedded zone database.
func Copenhagen() (*time.Location, error) {
	loc, err := time.LoadLocation("Europe/Copenhagen")
	if err != nil {
		return nil, fmt.Errorf("load Europe/Copenhagen: %w", err)
	}
	return loc, nil
}

// calendar knows Danish opening hours: Lægevagten's (weekdays 16:00-08:00,
// weekends and public holidays all day) and general practice's (weekdays
// 08:00-16:00).
type calendar struct {
	loc *time.Location
}

// IsOutOfHours reports whether Lægevagten, not the patient's own GP, answers
// at t.
func (c calendar) IsOutOfHours(t time.Time) bool {
	lt := t.In(c.loc)
	if c.isHoliday(lt) {
		return true
	}
	h := lt.Hour()
	return h < 8 || h >= 16
}

// isGPHours reports a weekday 08:00-16:00 that is not a public holiday.
func (c calendar) isGPHours(t time.Time) bool { return !c.IsOutOfHours(t) }

// isHoliday reports weekends and Danish public holidays (from 2024 without
// Store Bededag), plus 24 and 31 December, when Lægevagten runs all day.
func (c calendar) isHoliday(lt time.Time) bool {
	switch lt.Weekday() {
	case time.Saturday, time.Sunday:
		return true
	}
	y, m, d := lt.Date()
	switch {
	case m == time.January && d == 1,
		m == time.June && d == 5,
		m == time.December && (d == 24 || d == 25 || d == 26 || d == 31):
		return true
	}
	easter := easterSunday(y, c.loc)
	date := time.Date(y, m, d, 0, 0, 0, 0, c.loc)
	offsets := []int{-3, -2, 1, 39, 50} // Skærtorsdag, Langfredag, 2. påskedag, Kristi himmelfart, 2. pinsedag
	if y < 2024 {
		offsets = append(offsets, 26) // Store Bededag, abolished from 2024
	}
	for _, off := range offsets {
		if date.Equal(easter.AddDate(0, 0, off)) {
			return true
		}
	}
	return false
}

// easterSunday is the Gregorian Easter Sunday (anonymous Gregorian algorithm).
func easterSunday(y int, loc *time.Location) time.Time {
	a := y % 19
	b, cc := y/100, y%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := cc/4, cc%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	dd := (h+l-7*m+114)%31 + 1
	return time.Date(y, time.Month(month), dd, 0, 0, 0, 0, loc)
}

// atLocal is the instant of a local wall-clock time on t's local date.
func (c calendar) atLocal(t time.Time, hour, minute int) time.Time {
	lt := t.In(c.loc)
	return time.Date(lt.Year(), lt.Month(), lt.Day(), hour, minute, 0, 0, c.loc).UTC()
}

// startOfLocalDay is local midnight of t's date.
func (c calendar) startOfLocalDay(t time.Time) time.Time { return c.atLocal(t, 0, 0) }

// dischargeHours weigh the local hour at which wards discharge: after the
// morning round, mostly 10-17, a few in the evening, hardly any at night.
// No Danish table of discharges by hour was found; the shape follows ward
// routine (rounds, transport, the municipality's reception of the citizen).
var dischargeHours = []float64{
	0.2, 0.15, 0.1, 0.1, 0.1, 0.15, 0.3, 0.6, // 00-07
	1.5, 3.5, 7, 9.5, 11, 12, 12, 11, // 08-15
	9, 6, 4, 3, 2, 1.5, 0.8, 0.4, // 16-23
}

// acuteArrivalHours weigh the local hour acute patients arrive at the
// acute department: a daytime plateau, low at night.
var acuteArrivalHours = []float64{
	1.6, 1.3, 1.1, 0.9, 0.8, 0.9, 1.3, 2.2, // 00-07
	4, 5.5, 6.5, 6.5, 6, 6, 6, 6, // 08-15
	6, 6, 5.5, 5, 4.5, 4, 3, 2.2, // 16-23
}

// dayHours weigh daytime only (08-17), for planned starts and home
// admissions referred by a doctor.
var dayHours = []float64{0, 0, 0, 0, 0, 0, 0, 0, 3, 4, 4, 3, 3, 3, 2, 2, 1, 0, 0, 0, 0, 0, 0, 0}

// onDateAt is an instant on t's local date at an hour drawn from weights.
func (c calendar) onDateAt(st *stream, t time.Time, weights []float64) time.Time {
	return c.atLocal(t, st.pick(weights), st.IntN(60))
}

// acuteArrival is an acute arrival on t's local date, at an hour drawn
// like acute departments see them; never before notBefore (then the
// following day).
func (c calendar) acuteArrival(st *stream, t, notBefore time.Time) time.Time {
	at := c.onDateAt(st, t, acuteArrivalHours)
	for !at.After(notBefore) {
		at = c.onDateAt(st, at.Add(day), acuteArrivalHours)
	}
	return at
}

// plannedStart is a planned admission's start: a weekday morning (07-10)
// on or after t's date, after notBefore.
func (c calendar) plannedStart(st *stream, t, notBefore time.Time) time.Time {
	for {
		lt := t.In(c.loc)
		if !c.isHoliday(lt) {
			if at := c.atLocal(t, 7+st.IntN(3), st.IntN(60)); at.After(notBefore) {
				return at
			}
		}
		t = c.atLocal(t.Add(30*time.Hour), 0, 0)
	}
}

// dischargeAt moves a stay's planned end to a ward's discharge hour on its
// date, and most weekend discharges to the Friday before or the Monday
// after (KL 2013: 19 % of discharges on Fridays, a sixth more than Monday to
// Thursday; Sundhedsdatastyrelsen 2017: Saturdays and Sundays about a third
// of a weekday). The result is never before minEnd.
func (c calendar) dischargeAt(st *stream, planned, minEnd time.Time) time.Time {
	lt := planned.In(c.loc)
	switch u := st.Float64(); lt.Weekday() {
	case time.Saturday:
		if u < 0.5 {
			planned = planned.Add(-day)
		} else if u < 0.7 {
			planned = planned.Add(2 * day)
		}
	case time.Sunday:
		if u < 0.5 {
			planned = planned.Add(day)
		} else if u < 0.7 {
			planned = planned.Add(-2 * day)
		}
	}
	at := c.onDateAt(st, planned, dischargeHours)
	for at.Before(minEnd) {
		at = c.onDateAt(st, at.Add(day), dischargeHours)
	}
	return at
}

// nextDaytime is t, or when t falls at night (22-07) the next 07:00-08:59.
func (c calendar) nextDaytime(st *stream, t time.Time) time.Time {
	h := t.In(c.loc).Hour()
	switch {
	case h >= 22:
		return c.atLocal(t.Add(4*time.Hour), 7+st.IntN(2), st.IntN(60))
	case h < 7:
		return c.atLocal(t, 7+st.IntN(2), st.IntN(60))
	}
	return t
}
