package scalars

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sundhedsklynge/klynge/domain"
)

func TestUnmarshalCPR(t *testing.T) {
	tests := []struct {
		name     string
		in       any
		want     domain.CPR
		wantRule string
	}{
		{"plain", "6703851234", "6703851234", ""},
		{"hyphenated", "670385-1234", "6703851234", ""},
		{"a number is not a CPR", 6703851234.0, "", "must be a string"},
		{"a JSON number (as the transport decodes it) is named as one", json.Number("6703851234"), "", "a CPR must be a string, got a number"},
		{"null", nil, "", "got null"},
		{"too short names the format rule", "670385", "", "invalid CPR (format)"},
		{"month 13 names the month rule", "6713851234", "", "invalid CPR (month)"},
		{"31 April names the date rule", "3104851234", "", "invalid CPR (date)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := UnmarshalCPR(tt.in)
			if tt.wantRule == "" {
				if err != nil || got != tt.want {
					t.Fatalf("UnmarshalCPR(%v) = %q, %v; want %q", tt.in, got, err, tt.want)
				}
				return
			}
			var in *domain.InputError
			if !errors.As(err, &in) || !strings.Contains(in.Rule, tt.wantRule) {
				t.Fatalf("UnmarshalCPR(%v) error = %v, want InputError containing %q", tt.in, err, tt.wantRule)
			}
			if s, ok := tt.in.(string); ok && len(s) >= 6 && strings.Contains(err.Error(), s) {
				t.Errorf("error echoes the input CPR: %v", err)
			}
		})
	}
}

func TestMarshalRoundTrips(t *testing.T) {
	var b bytes.Buffer
	MarshalCPR(domain.MustParseCPR("6703851234")).MarshalGQL(&b)
	if b.String() != `"670385-1234"` {
		t.Errorf("MarshalCPR = %s", b.String())
	}
	cph := time.FixedZone("CET", 3600)
	ts := time.Date(2026, 11, 22, 14, 5, 0, 0, cph)
	b.Reset()
	MarshalDateTime(ts).MarshalGQL(&b)
	if b.String() != `"2026-11-22T14:05:00+01:00"` {
		t.Errorf("MarshalDateTime = %s", b.String())
	}
	back, err := UnmarshalDateTime("2026-11-22T14:05:00+01:00")
	if err != nil || !back.Equal(ts) {
		t.Errorf("UnmarshalDateTime = %v, %v", back, err)
	}
	if _, err := UnmarshalDateTime("2026-11-22 14:05"); err == nil {
		t.Error("a DateTime without T and offset was accepted")
	}
	b.Reset()
	MarshalDate(time.Date(1985, 3, 7, 0, 0, 0, 0, time.UTC)).MarshalGQL(&b)
	if b.String() != `"1985-03-07"` {
		t.Errorf("MarshalDate = %s", b.String())
	}
	if _, err := UnmarshalDate("07-03-1985"); err == nil {
		t.Error("a Danish-order date was accepted")
	}
}
