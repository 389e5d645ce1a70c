package audit

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/sundhedsklynge/klynge/domain"
)

// Grant is a break-the-glass grant: time-limited access for one principal
// to one citizen's data, outside any care relationship, which a privacy
// officer reviews afterwards. The access layer decides the rules (reason
// length, duration); this package stores grants and refuses only what can
// never be right.
type Grant struct {
	ID        int64 // assigned by the log
	Principal Principal
	Citizen   domain.CPR
	Reason    string
	GrantedAt time.Time // the time of the call when zero
	ExpiresAt time.Time

	// Set by MarkReviewed; zero until then.
	ReviewedBy string
	ReviewedAt time.Time
	ReviewNote string
}

// Reviewed reports whether a privacy officer has reviewed the grant.
func (g Grant) Reviewed() bool { return !g.ReviewedAt.IsZero() }

// ReviewQuery selects grants for the review queue, oldest (lowest ID) first.
type ReviewQuery struct {
	Reviewed *bool // nil: all; false: waiting for review; true: reviewed
	After    int64 // only grants with ID > After: the paging cursor
	First    int   // page size, 1..MaxQueryFirst
}

func grantError(field, rule string) error {
	return fmt.Errorf("audit: break-the-glass grant: %s %s", field, rule)
}

// GrantBreakGlass stores g and returns it with its ID. It refuses a grant
// without a principal, a valid citizen, a reason, or an expiry after the
// grant time.
func (l *Log) GrantBreakGlass(ctx context.Context, g Grant) (Grant, error) {
	if l.isClosed() {
		return Grant{}, ErrClosed
	}
	if strings.TrimSpace(g.Principal.Subject) == "" {
		return Grant{}, grantError("Principal.Subject", "is required")
	}
	if strings.TrimSpace(g.Principal.Role) == "" {
		return Grant{}, grantError("Principal.Role", "is required")
	}
	if c, err := domain.ParseCPR(string(g.Citizen)); err != nil || c != g.Citizen {
		return Grant{}, grantError("Citizen", "must be a valid CPR in its canonical form DDMMYYSSSS")
	}
	if strings.TrimSpace(g.Reason) == "" {
		return Grant{}, grantError("Reason", "is required")
	}
	for _, t := range []struct{ field, value string }{
		{"Principal.Subject", g.Principal.Subject},
		{"Principal.Role", g.Principal.Role},
		{"Principal.Organization", g.Principal.Organization},
		{"Reason", g.Reason},
	} {
		if rule := textRule(t.value); rule != "" {
			return Grant{}, grantError(t.field, rule)
		}
	}
	if g.GrantedAt.IsZero() {
		g.GrantedAt = time.Now()
	}
	g.GrantedAt = normaliseTime(g.GrantedAt)
	g.ExpiresAt = normaliseTime(g.ExpiresAt)
	if !g.ExpiresAt.After(g.GrantedAt) {
		return Grant{}, grantError("ExpiresAt", "must be after GrantedAt")
	}
	if y := g.ExpiresAt.Year(); g.GrantedAt.Year() < 1970 || y > 9999 {
		return Grant{}, grantError("GrantedAt", "and ExpiresAt must be between the years 1970 and 9999")
	}
	g.ReviewedBy, g.ReviewedAt, g.ReviewNote = "", time.Time{}, ""
	id, err := l.store.InsertGrant(ctx, g)
	if err != nil {
		return Grant{}, fmt.Errorf("audit: grant break-the-glass: %w", err)
	}
	g.ID = id
	return g, nil
}

// ActiveGrant returns the grant that lets subject see citizen at now
// (GrantedAt <= now < ExpiresAt); of several, the one that lasts longest.
func (l *Log) ActiveGrant(ctx context.Context, subject string, citizen domain.CPR, now time.Time) (Grant, bool, error) {
	if l.isClosed() {
		return Grant{}, false, ErrClosed
	}
	if subject == "" || citizen == "" {
		return Grant{}, false, nil
	}
	g, ok, err := l.store.ActiveGrant(ctx, subject, string(citizen), normaliseTime(now))
	if err != nil {
		return Grant{}, false, fmt.Errorf("audit: active grant: %w", err)
	}
	return g, ok, nil
}

// ReviewQueue lists grants for privacy officers, oldest first.
func (l *Log) ReviewQueue(ctx context.Context, q ReviewQuery) ([]Grant, error) {
	if l.isClosed() {
		return nil, ErrClosed
	}
	if q.First < 1 || q.First > MaxQueryFirst {
		return nil, fmt.Errorf("audit: review queue: First must be between 1 and %d", MaxQueryFirst)
	}
	if q.After < 0 {
		return nil, fmt.Errorf("audit: review queue: After must not be negative")
	}
	gs, err := l.store.ReviewQueue(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("audit: review queue: %w", err)
	}
	return gs, nil
}

// MarkReviewed records that reviewer reviewed grant id at at, with a note.
// A grant is reviewed once: a second review fails with ErrAlreadyReviewed,
// an unknown id with ErrGrantNotFound.
func (l *Log) MarkReviewed(ctx context.Context, id int64, reviewer string, note string, at time.Time) error {
	if l.isClosed() {
		return ErrClosed
	}
	if strings.TrimSpace(reviewer) == "" {
		return fmt.Errorf("audit: mark reviewed: reviewer is required")
	}
	if at.IsZero() {
		return fmt.Errorf("audit: mark reviewed: at is required")
	}
	for _, t := range []struct{ field, value string }{{"reviewer", reviewer}, {"note", note}} {
		if rule := textRule(t.value); rule != "" {
			return fmt.Errorf("audit: mark reviewed: %s %s", t.field, rule)
		}
	}
	if err := l.store.MarkReviewed(ctx, id, reviewer, note, normaliseTime(at)); err != nil {
		return fmt.Errorf("audit: mark reviewed %d: %w", id, err)
	}
	return nil
}
