package upstream

import (
	"errors"
	"strings"
	"testing"

	"github.com/sundhedsklynge/klynge/domain"
)

func TestCheckerNamesTheFirstBadField(t *testing.T) {
	tests := []struct {
		name      string
		check     func(k *Checker)
		wantField string
		wantMsg   string
	}{
		{"invalid CPR gives the rule, not the number", func(k *Checker) {
			k.At("contacts[%d]", 3)
			k.CPR("cpr", "6713851234")
		}, "contacts[3].cpr", "invalid cpr (rule month)"},
		{"time must be RFC 3339", func(k *Checker) {
			k.At("visits[%d]", 0)
			k.Time("plannedAt", "2026-02-30T10:00:00Z")
		}, "visits[0].plannedAt", "must be an RFC 3339 time"},
		{"required time missing", func(k *Checker) { k.Time("sentAt", "") }, "sentAt", "is missing"},
		{"date", func(k *Checker) { k.At("entry[%d].resource", 2); k.Date("birthDate", "1985-3-7") }, "entry[2].resource.birthDate", "YYYY-MM-DD"},
		{"enum", func(k *Checker) { k.OneOf("status", "paused", "planned", "active") }, "status", "unknown value"},
		{"only the first failure is kept", func(k *Checker) {
			k.At("a[%d]", 1)
			k.Required("id", "")
			k.At("a[%d]", 2)
			k.CPR("cpr", "x")
		}, "a[1].id", "must not be empty"},
		{"nested path", func(k *Checker) {
			k.At("referrals[%d].history[%d]", 2, 1)
			k.OneOf("status", "", "sent")
		}, "referrals[2].history[1].status", "must not be empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := NewChecker("gpreferral", "referral_search")
			tt.check(k)
			var de *DecodeError
			if !errors.As(k.Err(), &de) {
				t.Fatalf("want *DecodeError, got %v", k.Err())
			}
			if de.Field != tt.wantField || !strings.Contains(de.Error(), tt.wantMsg) {
				t.Errorf("got field %q, %q; want %q containing %q", de.Field, de.Error(), tt.wantField, tt.wantMsg)
			}
			if strings.Contains(de.Error(), "6713851234") {
				t.Errorf("error quotes the value: %v", de)
			}
		})
	}
}

func TestCheckerAcceptsGoodValues(t *testing.T) {
	k := NewChecker("s", "op")
	cpr := k.CPR("cpr", "670385-1234")
	at := k.Time("at", "2026-02-12T22:15:00+01:00")
	none := k.OptionalTime("end", "")
	day := k.Date("birthDate", "1985-03-07")
	if err := k.Err(); err != nil {
		t.Fatal(err)
	}
	if cpr != domain.CPR("6703851234") || at.IsZero() || !none.IsZero() || day.Day() != 7 {
		t.Errorf("got %v %v %v %v", cpr, at, none, day)
	}
	if !errors.Is(failingCPRCheck(), domain.ErrInvalidCPR) {
		t.Error("an invalid CPR failure does not match domain.ErrInvalidCPR")
	}
}

func failingCPRCheck() error {
	k := NewChecker("s", "op")
	k.CPR("cpr", "bad")
	return k.Err()
}
