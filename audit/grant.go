package audit

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/sundhedsklynge/klynge/domain"
)

// Grant is a break-the-glass grant: time-limited access for one principal
// (subject, role and organisation together) to one citizen's data, outside
// any care relationship, which a privacy officer reviews afterwards. The
// access layer decides the rules (reason, duration, how many); this package
// stores grants under the chain's seal and refuses only what can never be
// right.
type Grant struct {
	ID        int64 // reserved with ReserveGrantID before the grant is written
	Principal Principal
	Citizen   domain.CPR
	Reason    string
	GrantedAt time.Time
	ExpiresAt time.Time

	// Set by a review; zero until then.
	ReviewedBy string
	ReviewedAt time.Time
	ReviewNote string

	// KeyID and Hash seal the grant's current state (ChainKey.GrantHash);
	// the log sets them. A grant whose seal does not hold was changed
	// outside the log and opens nothing.
	KeyID string
	Hash  string
}

// Reviewed reports whether a privacy officer has reviewed the grant.
func (g Grant) Reviewed() bool { return !g.ReviewedAt.IsZero() }

// ReviewQuery selects grants for the review queue, oldest (lowest ID) first.
type ReviewQuery struct {
	Reviewed *bool // nil: all; false: waiting for review; true: reviewed
	After    int64 // only grants with ID > After: the paging cursor
	First    int   // page size, 1..MaxQueryFirst
}

// Review is a privacy officer's review of one grant.
type Review struct {
	GrantID  int64
	Reviewer string // the privacy officer's subject
	Note     string
	At       time.Time
}

// GrantChange is one change of the grant register: a new grant or a
// review, with the access-log record that tells of it. The log writes the
// change and the record in one transaction, and sets the record's GrantID
// and GrantHash to the grant and the seal of its new state, so that the
// chain attests every state the register has held.
type GrantChange struct {
	New    *Grant
	Review *Review
	Record Record
}

// GrantLimit caps new grants per subject: a new grant is refused when its
// subject was already granted Max grants at or after Since (the refused
// grant's own operation included). Zero Max: no cap.
type GrantLimit struct {
	Max   int
	Since time.Time
}

// Errors of grant changes. They name no citizen.
var (
	// ErrGrantNotFound: a review of an unknown grant.
	ErrGrantNotFound = errors.New("audit: break-the-glass grant not found")
	// ErrAlreadyReviewed: a grant is reviewed once, never overwritten.
	ErrAlreadyReviewed = errors.New("audit: break-the-glass grant already reviewed")
	// ErrSelfReview: nobody reviews their own grant.
	ErrSelfReview = errors.New("audit: a break-the-glass grant cannot be reviewed by its holder")
	// ErrGrantTampered: the grant's seal does not hold; it was changed
	// outside the log, and reviewing it would seal the change.
	ErrGrantTampered = errors.New("audit: the break-the-glass grant was changed outside the log (its seal does not hold)")
)

// LimitError refuses a new grant beyond GrantLimit.
type LimitError struct {
	Max   int
	Since time.Time
}

func (e *LimitError) Error() string {
	return fmt.Sprintf("audit: break-the-glass limit reached: %d grants since %s", e.Max, e.Since.UTC().Format(time.RFC3339))
}

func grantError(field, rule string) error {
	return fmt.Errorf("audit: break-the-glass grant: %s %s", field, rule)
}

// ReserveGrantID returns the ID a new grant will have: the caller shows it
// before the grant is written (with the response that grants it), and a
// grant that is then not written leaves a gap in the IDs, nothing else.
func (l *Log) ReserveGrantID(ctx context.Context) (int64, error) {
	if l.isClosed() {
		return 0, ErrClosed
	}
	id, err := l.store.ReserveGrantID(ctx)
	if err != nil {
		return 0, fmt.Errorf("audit: reserve grant id: %w", err)
	}
	return id, nil
}

// CommitGrants writes changes and their records, and others (the rest of
// the response's records), in one transaction: all or nothing. New grants
// beyond limit fail with a *LimitError; a review of an unknown, reviewed,
// own or tampered grant with ErrGrantNotFound, ErrAlreadyReviewed,
// ErrSelfReview or ErrGrantTampered. It returns the grants as written.
func (l *Log) CommitGrants(ctx context.Context, changes []GrantChange, limit GrantLimit, others ...Record) ([]Grant, error) {
	if l.isClosed() {
		return nil, ErrClosed
	}
	now := time.Now()
	recs := make([]Record, 0, len(changes)+len(others))
	for i, c := range changes {
		if (c.New == nil) == (c.Review == nil) {
			return nil, fmt.Errorf("audit: commit grants: change %d must be a new grant or a review", i)
		}
		if c.New != nil {
			if err := checkNewGrant(c.New); err != nil {
				return nil, err
			}
		} else if err := checkReview(c.Review); err != nil {
			return nil, err
		}
		r, err := normalise(i, c.Record, now)
		if err != nil {
			return nil, notCommitted(err)
		}
		recs = append(recs, r)
	}
	for i, o := range others {
		r, err := normalise(len(changes)+i, o, now)
		if err != nil {
			return nil, notCommitted(err)
		}
		recs = append(recs, r)
	}
	written := make([]Grant, len(changes))
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), l.opts.CommitTimeout)
	defer cancel()
	err := l.store.WriteGrants(ctx, recs, func(tx GrantTx) error {
		for i, c := range changes {
			g, err := l.applyChange(tx, c, limit)
			if err != nil {
				return err
			}
			written[i] = g
			recs[i].GrantID, recs[i].GrantHash = g.ID, g.Hash
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("audit: commit grants: %w", err)
	}
	return written, nil
}

func (l *Log) applyChange(tx GrantTx, c GrantChange, limit GrantLimit) (Grant, error) {
	if c.New != nil {
		g := *c.New
		if limit.Max > 0 {
			// The count sees this transaction's own inserts too.
			n, err := tx.CountGranted(g.Principal.Subject, normaliseTime(limit.Since))
			if err != nil {
				return Grant{}, err
			}
			if n >= limit.Max {
				return Grant{}, &LimitError{Max: limit.Max, Since: limit.Since}
			}
		}
		l.opts.Keys.SealGrant(&g)
		return g, tx.Insert(g)
	}
	r := c.Review
	g, ok, err := tx.Get(r.GrantID)
	switch {
	case err != nil:
		return Grant{}, err
	case !ok:
		return Grant{}, ErrGrantNotFound
	case !l.opts.Keys.grantSealed(g):
		return Grant{}, ErrGrantTampered
	case g.Reviewed():
		return Grant{}, ErrAlreadyReviewed
	case g.Principal.Subject == r.Reviewer:
		return Grant{}, ErrSelfReview
	}
	g.ReviewedBy, g.ReviewedAt, g.ReviewNote = r.Reviewer, normaliseTime(r.At), r.Note
	l.opts.Keys.SealGrant(&g)
	return g, tx.UpdateReview(g)
}

// checkNewGrant refuses a grant without its ID, principal, a valid
// citizen, a reason, or an expiry after the grant time, and normalises its
// times.
func checkNewGrant(g *Grant) error {
	if g.ID < 1 {
		return grantError("ID", "must be reserved (ReserveGrantID)")
	}
	if strings.TrimSpace(g.Principal.Subject) == "" {
		return grantError("Principal.Subject", "is required")
	}
	if strings.TrimSpace(g.Principal.Role) == "" {
		return grantError("Principal.Role", "is required")
	}
	if c, err := domain.ParseCPR(string(g.Citizen)); err != nil || c != g.Citizen {
		return grantError("Citizen", "must be a valid CPR in its canonical form DDMMYYSSSS")
	}
	if strings.TrimSpace(g.Reason) == "" {
		return grantError("Reason", "is required")
	}
	for _, t := range []struct{ field, value string }{
		{"Principal.Subject", g.Principal.Subject},
		{"Principal.Role", g.Principal.Role},
		{"Principal.Organization", g.Principal.Organization},
		{"Reason", g.Reason},
	} {
		if rule := textRule(t.value); rule != "" {
			return grantError(t.field, rule)
		}
	}
	if g.GrantedAt.IsZero() {
		g.GrantedAt = time.Now()
	}
	g.GrantedAt = normaliseTime(g.GrantedAt)
	g.ExpiresAt = normaliseTime(g.ExpiresAt)
	if !g.ExpiresAt.After(g.GrantedAt) {
		return grantError("ExpiresAt", "must be after GrantedAt")
	}
	if y := g.ExpiresAt.Year(); g.GrantedAt.Year() < 1970 || y > 9999 {
		return grantError("GrantedAt", "and ExpiresAt must be between the years 1970 and 9999")
	}
	g.ReviewedBy, g.ReviewedAt, g.ReviewNote, g.KeyID, g.Hash = "", time.Time{}, "", "", ""
	return nil
}

func checkReview(r *Review) error {
	if r.GrantID < 1 {
		return ErrGrantNotFound
	}
	if strings.TrimSpace(r.Reviewer) == "" {
		return errors.New("audit: review: reviewer is required")
	}
	if r.At.IsZero() {
		return errors.New("audit: review: at is required")
	}
	for _, t := range []struct{ field, value string }{{"reviewer", r.Reviewer}, {"note", r.Note}} {
		if rule := textRule(t.value); rule != "" {
			return fmt.Errorf("audit: review: %s %s", t.field, rule)
		}
	}
	return nil
}

// GrantBreakGlass reserves an ID for g and writes it with a flagged
// break-the-glass record of its own (no request id): the short way for a
// caller that has no response to tie it to. It refuses what CommitGrants
// refuses.
func (l *Log) GrantBreakGlass(ctx context.Context, g Grant) (Grant, error) {
	id, err := l.ReserveGrantID(ctx)
	if err != nil {
		return Grant{}, err
	}
	g.ID = id
	rec := Record{Principal: g.Principal, Citizen: g.Citizen, Fields: []string{"Mutation.breakGlass"},
		Purpose: PurposeBreakTheGlass, Outcome: OutcomeAllowed, Reason: g.Reason, FlaggedForReview: true}
	gs, err := l.CommitGrants(ctx, []GrantChange{{New: &g, Record: rec}}, GrantLimit{})
	if err != nil {
		return Grant{}, err
	}
	return gs[0], nil
}

// MarkReviewed records that reviewer reviewed grant id at at, with a note,
// and an access-log record of the review; CommitGrants's errors apply.
func (l *Log) MarkReviewed(ctx context.Context, id int64, reviewer, note string, at time.Time) error {
	g, ok, err := l.Grant(ctx, id)
	if err != nil {
		return err
	}
	if !ok {
		return ErrGrantNotFound
	}
	rec := Record{Principal: Principal{Subject: reviewer, Role: "privacy_officer"}, Citizen: g.Citizen,
		Fields: []string{"Mutation.reviewBreakGlass"}, Purpose: PurposeAdministration, Outcome: OutcomeAllowed,
		Reason: "break-the-glass review"}
	_, err = l.CommitGrants(ctx, []GrantChange{{Review: &Review{GrantID: id, Reviewer: reviewer, Note: note, At: at}, Record: rec}}, GrantLimit{})
	return err
}

// Grant reads one grant by ID; ok is false when there is none, or when its
// seal does not hold (it was changed outside the log).
func (l *Log) Grant(ctx context.Context, id int64) (Grant, bool, error) {
	if l.isClosed() {
		return Grant{}, false, ErrClosed
	}
	gs, err := l.store.Grants(ctx, GrantQuery{ID: id})
	if err != nil {
		return Grant{}, false, fmt.Errorf("audit: grant %d: %w", id, err)
	}
	if len(gs) == 0 || !l.sealed(gs[0]) {
		return Grant{}, false, nil
	}
	return gs[0], true, nil
}

// ActiveGrant returns the grant that lets the principal (subject, role and
// organisation: a grant follows all three, not the subject alone) see
// citizen at now (GrantedAt <= now < ExpiresAt); of several, the one that
// lasts longest. A grant whose seal does not hold is ignored and reported
// to the operators' log: it was written outside the log.
func (l *Log) ActiveGrant(ctx context.Context, p Principal, citizen domain.CPR, now time.Time) (Grant, bool, error) {
	gs, err := l.ActiveGrants(ctx, p, []domain.CPR{citizen}, now)
	g, ok := gs[citizen]
	return g, ok, err
}

// ActiveGrants is ActiveGrant for several citizens in one read of the
// register: the citizens with an active grant map to it, the others are
// absent. An operation that checks many citizens asks once, not once per
// citizen.
func (l *Log) ActiveGrants(ctx context.Context, p Principal, citizens []domain.CPR, now time.Time) (map[domain.CPR]Grant, error) {
	if l.isClosed() {
		return nil, ErrClosed
	}
	ids := make([]string, 0, len(citizens))
	for _, c := range citizens {
		if c != "" {
			ids = append(ids, string(c))
		}
	}
	if p.Subject == "" || len(ids) == 0 {
		return nil, nil
	}
	l.opts.Metrics.observeGrantRead()
	gs, err := l.store.Grants(ctx, GrantQuery{Principal: p, Citizens: ids, At: normaliseTime(now)})
	if err != nil {
		return nil, fmt.Errorf("audit: active grants: %w", err)
	}
	out := make(map[domain.CPR]Grant)
	for _, g := range gs { // longest-lasting first: the first sealed one answers
		if _, ok := out[g.Citizen]; !ok && l.sealed(g) {
			out[g.Citizen] = g
		}
	}
	return out, nil
}

// sealed checks a grant's seal, and tells the operators of one that fails.
func (l *Log) sealed(g Grant) bool {
	if l.opts.Keys.grantSealed(g) {
		return true
	}
	l.opts.Logger.Error("audit: a break-the-glass grant's seal does not hold: it was written or changed outside the log and opens nothing; run klynge audit verify",
		"grant", g.ID)
	return false
}

// GrantedSince counts the grants of subject granted at or after since.
func (l *Log) GrantedSince(ctx context.Context, subject string, since time.Time) (int, error) {
	if l.isClosed() {
		return 0, ErrClosed
	}
	n, err := l.store.CountGranted(ctx, subject, normaliseTime(since))
	if err != nil {
		return 0, fmt.Errorf("audit: count grants: %w", err)
	}
	return n, nil
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
