package upstream

import (
	"errors"
	"fmt"
	"time"

	"github.com/sundhedsklynge/klynge/domain"
)

// Checker validates the fields of one decoded upstream response, as a
// connector maps it to domain values, and keeps the first failure as a
// *DecodeError naming the field ("contacts[3].cpr") and the rule, never
// the value. After a failure every method returns zero values, so mapping
// code can run straight through and ask Err once at the end.
//
//	chk := upstream.NewChecker("outofhours", "contact_search")
//	for i, w := range resp.Contacts {
//		chk.At("contacts[%d]", i)
//		cpr := chk.CPR("cpr", w.CPR)
//		at := chk.Time("receivedAt", w.ReceivedAt)
//		...
//	}
//	if err := chk.Err(); err != nil { ... }
type Checker struct {
	system, op string
	format     string
	args       []any
	err        *DecodeError
}

// NewChecker starts checking a response of system's operation op.
func NewChecker(system, op string) *Checker {
	return &Checker{system: system, op: op}
}

// System is the upstream whose response is checked.
func (k *Checker) System() string { return k.system }

// Op is the operation whose response is checked.
func (k *Checker) Op() string { return k.op }

// At sets the path of the record being checked; fields named in later
// calls are relative to it. The path is formatted only on failure.
func (k *Checker) At(format string, args ...any) {
	k.format, k.args = format, args
}

// Next starts checking another record at the path format names: it is At,
// and forgets the previous record's failure, so that each record of an
// answer is judged on its own.
func (k *Checker) Next(format string, args ...any) {
	k.format, k.args, k.err = format, args, nil
}

// Failed reports whether a check has failed.
func (k *Checker) Failed() bool { return k.err != nil }

// Err is the first failure, or nil.
func (k *Checker) Err() error {
	if k.err == nil {
		return nil
	}
	return k.err
}

// Fail records that field broke rule (a phrase such as "must not be
// empty"), unless an earlier failure is already recorded.
func (k *Checker) Fail(field, rule string) {
	k.FailErr(field, errors.New(rule))
}

// FailErr is Fail with an error value. err must not quote the field's
// value.
func (k *Checker) FailErr(field string, err error) {
	if k.err != nil {
		return
	}
	prefix := k.format
	if len(k.args) > 0 {
		prefix = fmt.Sprintf(k.format, k.args...)
	}
	k.err = &DecodeError{System: k.system, Op: k.op, Field: joinPath(prefix, field), Err: err}
}

// Required returns s, failing when it is empty.
func (k *Checker) Required(field, s string) string {
	if s == "" {
		k.Fail(field, "must not be empty")
	}
	return s
}

// CPR parses a CPR number (DDMMYYSSSS or DDMMYY-SSSS).
func (k *Checker) CPR(field, s string) domain.CPR {
	if k.err != nil {
		return ""
	}
	cpr, err := domain.ParseCPR(s)
	if err != nil {
		rule := "format"
		var cerr *domain.CPRError
		if errors.As(err, &cerr) {
			rule = cerr.Rule
		}
		// The CPRError's message holds the birth date: keep only the rule.
		k.FailErr(field, fmt.Errorf("%w (rule %s)", domain.ErrInvalidCPR, rule))
		return ""
	}
	return cpr
}

// Time parses a required RFC 3339 time.
func (k *Checker) Time(field, s string) time.Time {
	if s == "" {
		k.Fail(field, "must be an RFC 3339 time, is missing")
		return time.Time{}
	}
	return k.OptionalTime(field, s)
}

// OptionalTime parses an RFC 3339 time; "" is the zero time.
func (k *Checker) OptionalTime(field, s string) time.Time {
	if s == "" || k.err != nil {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		k.Fail(field, "must be an RFC 3339 time")
		return time.Time{}
	}
	return t
}

// Date parses a civil date (YYYY-MM-DD) as UTC midnight; "" is the zero
// time.
func (k *Checker) Date(field, s string) time.Time {
	if s == "" || k.err != nil {
		return time.Time{}
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		k.Fail(field, "must be a date YYYY-MM-DD")
		return time.Time{}
	}
	return t
}

// OneOf returns s when it is one of allowed, and fails otherwise.
func (k *Checker) OneOf(field, s string, allowed ...string) string {
	for _, a := range allowed {
		if s == a {
			return s
		}
	}
	if s == "" {
		k.Fail(field, "must not be empty")
	} else {
		k.FailErr(field, fmt.Errorf("unknown value; want one of %v", allowed))
	}
	return ""
}

// Expect fails field with rule unless ok holds, and reports ok.
func (k *Checker) Expect(ok bool, field, rule string) bool {
	if !ok {
		k.Fail(field, rule)
	}
	return ok
}
