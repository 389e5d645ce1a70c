package access

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sundhedsklynge/klynge/domain"
)

// BreakGlassTerms are the terms of a grant BreakGlass allows; the caller
// stores them (audit.Log.GrantBreakGlass) and records the grant.
type BreakGlassTerms struct {
	Citizen   domain.CPR
	Reason    string // trimmed
	GrantedAt time.Time
	ExpiresAt time.Time
}

// BreakGlass decides a request for emergency access to a citizen outside
// any care relationship. Only health professionals may break the glass; the
// reason must say why, in at least BreakGlassMinReason characters. Every
// access under the grant is flagged for a privacy officer's review.
//
// A refused role is a *domain.ForbiddenError; a bad argument a
// *domain.InputError naming it.
func (r Rules) BreakGlass(p Principal, cpr domain.CPR, reason string, now time.Time) (BreakGlassTerms, error) {
	r = r.WithDefaults()
	if !p.Role.Clinical() {
		return BreakGlassTerms{}, &domain.ForbiddenError{Reason: "only health professionals (clinician, gp, municipal_nurse, out_of_hours_doctor) may break the glass"}
	}
	if c, err := domain.ParseCPR(string(cpr)); err != nil || c != cpr {
		return BreakGlassTerms{}, domain.InvalidInput("cpr", "must be a CPR number (10 digits)")
	}
	reason = strings.TrimSpace(reason)
	n := utf8.RuneCountInString(reason)
	switch {
	case !utf8.ValidString(reason) || strings.IndexByte(reason, 0) >= 0:
		return BreakGlassTerms{}, domain.InvalidInput("reason", "must be text")
	case n < r.BreakGlassMinReason:
		return BreakGlassTerms{}, domain.InvalidInput("reason",
			"must say why access is needed in at least %d characters, got %d", r.BreakGlassMinReason, n)
	case n > MaxBreakGlassReason:
		return BreakGlassTerms{}, domain.InvalidInput("reason", "must be at most %d characters, got %d", MaxBreakGlassReason, n)
	}
	return BreakGlassTerms{
		Citizen:   cpr,
		Reason:    reason,
		GrantedAt: now,
		ExpiresAt: now.Add(r.BreakGlassDuration),
	}, nil
}
