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
		// The red team's reason: twenty zero-width spaces, which a privacy
		// officer sees as nothing.
		{"twenty zero-width spaces", Rules{}, clinician, cprCarla, strings.Repeat("\u200b", 20), "reason", false, 0},
		{"a real reason padded with a zero-width space", Rules{}, clinician, cprCarla, goodReason + "\u200b", "reason", false, 0},
		{"a byte-order mark", Rules{}, clinician, cprCarla, "\ufeff" + goodReason, "reason", false, 0},
		{"a right-to-left override that reverses what follows", Rules{}, clinician, cprCarla, goodReason + "\u202edetaerc", "reason", false, 0},
		{"a newline", Rules{}, clinician, cprCarla, "unconscious in the ED\nno records at all", "reason", false, 0},
		{"a NUL byte", Rules{}, clinician, cprCarla, goodReason + "\x00", "reason", false, 0},
		{"twenty Hangul fillers (letters that print nothing)", Rules{}, clinician, cprCarla, strings.Repeat("\u3164", 20), "reason", false, 0},
		{"twenty blank Braille cells", Rules{}, clinician, cprCarla, strings.Repeat("\u2800", 20), "reason", false, 0},
		{"twenty combining accents on one letter", Rules{}, clinician, cprCarla, "a" + strings.Repeat("\u0301", 20), "reason", false, 0},
		{"twenty no-break spaces", Rules{}, clinician, cprCarla, strings.Repeat("\u00a0", 20), "reason", false, 0},
		{"words spaced out to length", Rules{}, clinician, cprCarla, "a          b          c", "reason", false, 0},
		{"invalid UTF-8", Rules{}, clinician, cprCarla, goodReason + "\xff", "reason", false, 0},
		{"decomposed letters count once each", Rules{}, clinician, cprCarla, "bevidstlo\u0308s, ingen jo\u0308", "", false, 4 * time.Hour},
		{"another script", Rules{}, clinician, cprCarla, "患者は意識不明で救急外来に搬送された", "reason", false, 0},
		{"another script, long enough", Rules{}, clinician, cprCarla, "患者は意識不明で救急外来に搬送された。記録なし。", "", false, 4 * time.Hour},
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
	bad := Rules{HospitalWindow: -time.Hour, BreakGlassDuration: 48 * time.Hour, BreakGlassMinReason: 500,
		BreakGlassLimit: -1, BreakGlassLimitPeriod: time.Minute}.WithDefaults()
	err := bad.Validate()
	for _, field := range []string{"HospitalWindow", "BreakGlassDuration", "BreakGlassMinReason", "BreakGlassLimit", "BreakGlassLimitPeriod"} {
		if err == nil || !strings.Contains(err.Error(), field) {
			t.Errorf("Validate = %v, want it to name %s", err, field)
		}
	}
}

func TestCheckReviewNote(t *testing.T) {
	for note, ok := range map[string]bool{
		"justified: confirmed by the ward log": true,
		"":                                     false,
		"   ":                                  false,
		strings.Repeat("\u200b", 5):            false,
		"ok\u202e":                             false,
		strings.Repeat("a", MaxBreakGlassReason+1): false,
	} {
		if err := CheckReviewNote(note); (err == nil) != ok {
			t.Errorf("CheckReviewNote(%q) = %v, want accepted = %v", note, err, ok)
		}
	}
}
