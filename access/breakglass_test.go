package access

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sundhedsklynge/klynge/domain"
)

func TestBreakGlass(t *testing.T) {
	const goodReason = "unconscious in the emergency department, no records"
	tests := []struct {
		name      string
		rules     Rules
		p         Principal
		cpr       domain.CPR
		reason    string
		wantField string // InputError field
		forbidden bool
		wantFor   time.Duration
	}{
		{"clinician with a reason gets 4 hours", Rules{}, clinician, cprCarla, goodReason, "", false, 4 * time.Hour},
		{"gp may break the glass", Rules{}, gp, cprCarla, goodReason, "", false, 4 * time.Hour},
		{"nurse may break the glass", Rules{}, nurse, cprCarla, goodReason, "", false, 4 * time.Hour},
		{"out-of-hours doctor may break the glass", Rules{}, oohDoctor, cprCarla, goodReason, "", false, 4 * time.Hour},
		{"configured duration", Rules{BreakGlassDuration: time.Hour}, clinician, cprCarla, goodReason, "", false, time.Hour},
		{"19 characters is too short", Rules{}, clinician, cprCarla, "emergency, no time.", "reason", false, 0},
		{"spaces do not count", Rules{}, clinician, cprCarla, "  emergency         ", "reason", false, 0},
		{"exactly 20 characters", Rules{}, clinician, cprCarla, "bevidstløs, ingen jø", "", false, 4 * time.Hour},
		{"19 letters in 21 bytes is too short: letters count, not bytes", Rules{}, clinician, cprCarla, "bevidstløs, ingen ø", "reason", false, 0},
		{"empty reason", Rules{}, clinician, cprCarla, "", "reason", false, 0},
		{"over-long reason", Rules{}, clinician, cprCarla, strings.Repeat("a", MaxBreakGlassReason+1), "reason", false, 0},
		{"malformed CPR", Rules{}, clinician, "67038", goodReason, "cpr", false, 0},
		{"citizen may not", Rules{}, anna, cprCarla, goodReason, "", true, 0},
		{"integrator may not", Rules{}, integrator, cprCarla, goodReason, "", true, 0},
		{"privacy officer may not", Rules{}, privacy, cprCarla, goodReason, "", true, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			terms, err := tt.rules.BreakGlass(tt.p, tt.cpr, tt.reason, now)
			switch {
			case tt.forbidden:
				var fe *domain.ForbiddenError
				if !errors.As(err, &fe) {
					t.Fatalf("err = %v, want *domain.ForbiddenError", err)
				}
			case tt.wantField != "":
				var ie *domain.InputError
				if !errors.As(err, &ie) || ie.Field != tt.wantField {
					t.Fatalf("err = %v, want *domain.InputError on %s", err, tt.wantField)
				}
			default:
				if err != nil {
					t.Fatalf("BreakGlass: %v", err)
				}
				if got := terms.ExpiresAt.Sub(terms.GrantedAt); got != tt.wantFor || !terms.GrantedAt.Equal(now) {
					t.Errorf("grant from %s for %s, want from %s for %s", terms.GrantedAt, got, now, tt.wantFor)
				}
				if terms.Reason != strings.TrimSpace(tt.reason) || terms.Citizen != tt.cpr {
					t.Errorf("terms = %+v", terms)
				}
			}
		})
	}
}

func TestRulesValidate(t *testing.T) {
	if err := (Rules{}).WithDefaults().Validate(); err != nil {
		t.Fatalf("defaults are invalid: %v", err)
	}
	bad := Rules{HospitalWindow: -time.Hour, BreakGlassDuration: 48 * time.Hour, BreakGlassMinReason: 500}.WithDefaults()
	err := bad.Validate()
	for _, field := range []string{"HospitalWindow", "BreakGlassDuration", "BreakGlassMinReason"} {
		if err == nil || !strings.Contains(err.Error(), field) {
			t.Errorf("Validate = %v, want it to name %s", err, field)
		}
	}
}
