// Package scalars marshals klynge's custom GraphQL scalars (CPR, Date,
// DateTime) to and from domain values. Input errors are *domain.InputError so
// that the error presenter reports BAD_USER_INPUT with the rule broken.
package scalars

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/sundhedsklynge/klynge/domain"
)

// MarshalCPR writes a CPR as DDMMYY-SSSS.
func MarshalCPR(c domain.CPR) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		io.WriteString(w, strconv.Quote(c.String()))
	})
}

// UnmarshalCPR accepts DDMMYYSSSS or DDMMYY-SSSS as a string.
func UnmarshalCPR(v any) (domain.CPR, error) {
	s, ok := v.(string)
	if !ok {
		return "", &domain.InputError{Rule: fmt.Sprintf("a CPR must be a string, got %s", jsonKind(v))}
	}
	c, err := domain.ParseCPR(s)
	if err != nil {
		var cerr *domain.CPRError
		if errors.As(err, &cerr) {
			// Never echo the input: it may be a real person's number typed by mistake.
			return "", &domain.InputError{Rule: "invalid CPR (" + cerr.Rule + "): " + ruleText(cerr)}
		}
		return "", &domain.InputError{Rule: err.Error()}
	}
	return c, nil
}

func ruleText(e *domain.CPRError) string {
	switch e.Rule {
	case "format":
		return "must be 10 digits written DDMMYYSSSS or DDMMYY-SSSS"
	case "month":
		return "the month (digits 3-4) must be 01-12"
	case "day":
		return "the day (digits 1-2) must be 01-31, or 61-91 for a replacement number"
	case "date":
		return "day, month and year (with the century from digit 7) must form a calendar date"
	}
	return e.Rule
}

// MarshalDate writes a civil date as YYYY-MM-DD.
func MarshalDate(t time.Time) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		io.WriteString(w, strconv.Quote(t.Format(time.DateOnly)))
	})
}

// UnmarshalDate accepts YYYY-MM-DD.
func UnmarshalDate(v any) (time.Time, error) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, &domain.InputError{Rule: fmt.Sprintf("a Date must be a string YYYY-MM-DD, got %s", jsonKind(v))}
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, &domain.InputError{Rule: fmt.Sprintf("a Date must be YYYY-MM-DD, got %q", truncate(s))}
	}
	return t, nil
}

// MarshalDateTime writes RFC 3339 with the value's own offset.
func MarshalDateTime(t time.Time) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		io.WriteString(w, strconv.Quote(t.Format(time.RFC3339)))
	})
}

// UnmarshalDateTime accepts RFC 3339 (with offset or Z).
func UnmarshalDateTime(v any) (time.Time, error) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, &domain.InputError{Rule: fmt.Sprintf("a DateTime must be an RFC 3339 string, got %s", jsonKind(v))}
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, &domain.InputError{Rule: fmt.Sprintf("a DateTime must be RFC 3339 with an offset, e.g. 2026-11-22T14:05:00+01:00, got %q", truncate(s))}
	}
	return t, nil
}

func truncate(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case int, int32, int64, float64, float32, json.Number:
		return "a number"
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}
