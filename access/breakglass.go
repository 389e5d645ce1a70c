package access

import (
	"fmt"
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
// reason must say why in text a privacy officer can read: at least
// BreakGlassMinReason visible characters (visibleLength: spaces around and
// between words do not pad it), and no control or invisible formatting
// characters (twenty zero-width spaces are not a reason). Every access
// under the grant is flagged for a privacy officer's review. How many
// grants a principal may hold in a period (BreakGlassLimit) needs the
// grant register: the caller checks it.
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
	if err := r.CheckReason(reason); err != nil {
		return BreakGlassTerms{}, err
	}
	reason = strings.TrimSpace(reason)
	return BreakGlassTerms{
		Citizen:   cpr,
		Reason:    reason,
		GrantedAt: now,
		ExpiresAt: now.Add(r.BreakGlassDuration),
	}, nil
}

// CheckReason is the rule a break-the-glass reason must meet; the error is
// a *domain.InputError on "reason" that says what is wrong, quoting no
// more of the reason than the code point of a hidden character.
func (r Rules) CheckReason(reason string) error {
	r = r.WithDefaults()
	if c, hidden := firstHidden(reason); hidden {
		if c == utf8.RuneError {
			return domain.InvalidInput("reason", "must be text (valid UTF-8)")
		}
		return domain.InvalidInput("reason", "must not contain control or invisible formatting characters (found U+%04X)", c)
	}
	switch n := visibleLength(reason); {
	case n < r.BreakGlassMinReason:
		return domain.InvalidInput("reason",
			"must say why access is needed in at least %d visible characters (letters, digits, punctuation; spaces do not pad it), got %d", r.BreakGlassMinReason, n)
	case utf8.RuneCountInString(reason) > MaxBreakGlassReason:
		return domain.InvalidInput("reason", "must be at most %d characters, got %d", MaxBreakGlassReason, utf8.RuneCountInString(reason))
	}
	return nil
}

// BreakGlassLimitError refuses a grant beyond the principal's limit.
type BreakGlassLimitError struct {
	Limit  int
	Period time.Duration
}

func (e *BreakGlassLimitError) Error() string {
	return fmt.Sprintf("break-the-glass limit reached: you have broken the glass %d times in the last %s, the most allowed; "+
		"a privacy officer reviews these grants; if this is an emergency, contact them", e.Limit, days(e.Period))
}

// LimitSince is the start of the period whose grants count against the
// limit at now.
func (r Rules) LimitSince(now time.Time) time.Time {
	return now.Add(-r.WithDefaults().BreakGlassLimitPeriod)
}

// CheckReviewNote is the rule of a privacy officer's review note: visible
// text saying what the review found, without hidden characters (as a
// reason), at most MaxBreakGlassReason characters.
func CheckReviewNote(note string) error {
	if c, hidden := firstHidden(note); hidden {
		if c == utf8.RuneError {
			return domain.InvalidInput("note", "must be text (valid UTF-8)")
		}
		return domain.InvalidInput("note", "must not contain control or invisible formatting characters (found U+%04X)", c)
	}
	if visibleLength(note) == 0 {
		return domain.InvalidInput("note", "must say what the review found")
	}
	if n := utf8.RuneCountInString(note); n > MaxBreakGlassReason {
		return domain.InvalidInput("note", "must be at most %d characters, got %d", MaxBreakGlassReason, n)
	}
	return nil
}
