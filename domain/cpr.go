package domain

import (
	"errors"
	"fmt"
	"time"
)

// CPR is a Danish civil registration number held in its canonical form: ten
// ASCII digits, DDMMYYSSSS. Parse it with ParseCPR; the zero value is not a
// valid number.
//
// A CPR identifies a person. Never write one to a log line or a trace
// attribute; use Masked where a form for humans is needed.
type CPR string

// CPRError says which rule a candidate CPR broke. Rule is a stable
// machine-readable name; the message is for people.
type CPRError struct {
	Rule  string // "format", "month", "day", "date"
	Input string // never logged: the caller decides where it may go
	msg   string
}

func (e *CPRError) Error() string { return "cpr: " + e.msg }

// ErrInvalidCPR matches every *CPRError with errors.Is.
var ErrInvalidCPR = errors.New("invalid cpr")

// Is lets errors.Is(err, ErrInvalidCPR) hold for any rule.
func (e *CPRError) Is(target error) bool { return target == ErrInvalidCPR }

func cprError(rule, input, format string, args ...any) *CPRError {
	return &CPRError{Rule: rule, Input: input, msg: fmt.Sprintf(format, args...)}
}

// ParseCPR accepts DDMMYYSSSS and DDMMYY-SSSS and nothing else (no spaces,
// no other separators). It checks that the digits form a real calendar date,
// with the day either 1–31 or, for replacement numbers, 61–91. It never
// applies the modulus-11 check: numbers without it have been issued since
// 2007.
func ParseCPR(s string) (CPR, error) {
	var digits [10]byte
	switch len(s) {
	case 10:
		copy(digits[:], s)
	case 11:
		if s[6] != '-' {
			return "", cprError("format", s, "must be 10 digits written DDMMYYSSSS or DDMMYY-SSSS")
		}
		copy(digits[:6], s[:6])
		copy(digits[6:], s[7:])
	default:
		return "", cprError("format", s, "must be 10 digits written DDMMYYSSSS or DDMMYY-SSSS (got %d characters)", len(s))
	}
	for _, d := range digits {
		if d < '0' || d > '9' {
			return "", cprError("format", s, "must be 10 digits written DDMMYYSSSS or DDMMYY-SSSS")
		}
	}
	c := CPR(digits[:])
	day, month := c.dayField(), c.month()
	if month < 1 || month > 12 {
		return "", cprError("month", s, "month %02d is not 01-12", month)
	}
	switch {
	case day >= 1 && day <= 31:
	case day >= 61 && day <= 91:
	default:
		return "", cprError("day", s, "day %02d is not 01-31 (or 61-91 for a replacement number)", day)
	}
	birth := c.BirthDate()
	if birth.Day() != c.calendarDay() || birth.Month() != time.Month(month) {
		return "", cprError("date", s, "%02d-%02d-%04d is not a calendar date", c.calendarDay(), month, c.birthYear())
	}
	return c, nil
}

// MustParseCPR is for tests and fixtures: it panics on an invalid number.
func MustParseCPR(s string) CPR {
	c, err := ParseCPR(s)
	if err != nil {
		panic(err)
	}
	return c
}

// String is the hyphenated form DDMMYY-SSSS.
func (c CPR) String() string {
	if len(c) != 10 {
		return string(c)
	}
	return string(c[:6]) + "-" + string(c[6:])
}

// Masked hides the serial part: DDMMYY-XXXX.
func (c CPR) Masked() string {
	if len(c) != 10 {
		return "XXXXXX-XXXX"
	}
	return string(c[:6]) + "-XXXX"
}

// IsReplacement reports a replacement number (day of birth + 60). Every CPR in
// this project's sandbox, tests and docs is one, so none can be a real
// person's.
func (c CPR) IsReplacement() bool { return c.dayField() > 60 }

// BirthDate is the date of birth (UTC midnight), with the century taken from
// the 7th digit and the replacement offset removed.
func (c CPR) BirthDate() time.Time {
	return time.Date(c.birthYear(), time.Month(c.month()), c.calendarDay(), 0, 0, 0, 0, time.UTC)
}

// Sex is given by the last digit: odd male, even female.
func (c CPR) Sex() Sex {
	if len(c) != 10 {
		return SexUnknown
	}
	if (c[9]-'0')%2 == 1 {
		return SexMale
	}
	return SexFemale
}

// AgeAt is the age in whole years on the calendar day of at (in at's
// location). Someone born on 29 February has their birthday on 1 March in
// common years.
func (c CPR) AgeAt(at time.Time) int {
	return AgeAt(c.BirthDate(), at)
}

// AgeAt is the age in whole years on the calendar day of at for someone born
// on birth (a civil date).
func AgeAt(birth, at time.Time) int {
	y, m, d := at.Date()
	age := y - birth.Year()
	if m < birth.Month() || (m == birth.Month() && d < birth.Day()) {
		age--
	}
	return age
}

func (c CPR) num(i, n int) int {
	v := 0
	for _, d := range []byte(c[i : i+n]) {
		v = v*10 + int(d-'0')
	}
	return v
}

func (c CPR) dayField() int { return c.num(0, 2) }
func (c CPR) month() int    { return c.num(2, 2) }

func (c CPR) calendarDay() int {
	d := c.dayField()
	if d > 60 {
		d -= 60
	}
	return d
}

// birthYear applies the CPR office's century table to the 2-digit year and
// the first serial digit.
func (c CPR) birthYear() int {
	yy := c.num(4, 2)
	switch c[6] {
	case '0', '1', '2', '3':
		return 1900 + yy
	case '4', '9':
		if yy <= 36 {
			return 2000 + yy
		}
		return 1900 + yy
	default: // 5-8
		if yy <= 57 {
			return 2000 + yy
		}
		return 1800 + yy
	}
}
