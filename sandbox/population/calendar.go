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
