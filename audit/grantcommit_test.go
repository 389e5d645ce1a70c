package audit_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/sundhedsklynge/klynge/audit"
)

// newGrant reserves an ID and makes a grant of p for citizen A, with its
// record.
func newGrant(t *testing.T, l *audit.Log, p audit.Principal, granted time.Time) audit.GrantChange {
	t.Helper()
	id, err := l.ReserveGrantID(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	g := audit.Grant{ID: id, Principal: p, Citizen: citizenA, Reason: emergencyReason, GrantedAt: granted, ExpiresAt: granted.Add(4 * time.Hour)}
	return audit.GrantChange{New: &g, Record: breakGlass(p, citizenA, int(id))}
}

func countRecords(t *testing.T, l *audit.Log) int {
	t.Helper()
	recs, err := l.Query(context.Background(), audit.Query{First: audit.MaxQueryFirst})
	if err != nil {
		t.Fatal(err)
	}
	return len(recs)
}

// A commit is all or nothing: when one change of it is refused, no grant
// of it is written and none of its records is.
func TestCommitGrantsIsAllOrNothing(t *testing.T) {
	eachStore(t, func(t *testing.T, db *testDB) {
		ctx := context.Background()
		l := db.openLog(t, audit.Options{})
		granted := time.Date(2026, 3, 4, 2, 15, 0, 0, time.UTC)
		a := newGrant(t, l, emergencyDoctor, granted)
		bad := audit.GrantChange{Review: &audit.Review{GrantID: 424242, Reviewer: privacyOfficer.Subject, Note: "ok", At: granted},
			Record: disclosure(privacyOfficer, citizenA, 9)}
		_, err := l.CommitGrants(ctx, []audit.GrantChange{a, bad}, audit.GrantLimit{}, disclosure(nurse, citizenB, 10))
		if !errors.Is(err, audit.ErrGrantNotFound) {
			t.Fatalf("CommitGrants = %v, want ErrGrantNotFound", err)
		}
		if _, ok, _ := l.ActiveGrant(ctx, emergencyDoctor, citizenA, granted.Add(time.Hour)); ok {
			t.Error("the grant of a refused commit was written")
		}
		if n := countRecords(t, l); n != 0 {
			t.Errorf("%d records of a refused commit were written", n)
		}
		if rep := verify(t, l); !rep.OK {
			t.Errorf("Verify after a refused commit = %+v", rep)
		}

		gs, err := l.CommitGrants(ctx, []audit.GrantChange{a}, audit.GrantLimit{}, disclosure(nurse, citizenB, 10))
		if err != nil || len(gs) != 1 || gs[0].ID != a.New.ID || gs[0].Hash == "" {
			t.Fatalf("CommitGrants = %+v, %v", gs, err)
		}
		recs, _ := l.Query(ctx, audit.Query{First: 10})
		if len(recs) != 2 || recs[1].GrantID != a.New.ID || recs[1].GrantHash != gs[0].Hash || recs[0].GrantID != 0 {
			t.Errorf("records = %+v, want the grant's record attesting it and the other record", recs)
		}
		if rep := verify(t, l); !rep.OK || rep.Grants != 1 {
			t.Errorf("Verify = %+v", rep)
		}
	})
}

func TestGrantLimitPerSubject(t *testing.T) {
	eachStore(t, func(t *testing.T, db *testDB) {
		ctx := context.Background()
		l := db.openLog(t, audit.Options{})
		granted := time.Date(2026, 3, 4, 2, 15, 0, 0, time.UTC)
		limit := audit.GrantLimit{Max: 2, Since: granted.Add(-24 * time.Hour)}

		// Three in one commit: the third is over the cap, so none is written.
		three := []audit.GrantChange{newGrant(t, l, emergencyDoctor, granted), newGrant(t, l, emergencyDoctor, granted), newGrant(t, l, emergencyDoctor, granted)}
		var le *audit.LimitError
		if _, err := l.CommitGrants(ctx, three, limit); !errors.As(err, &le) || le.Max != 2 {
			t.Fatalf("three grants under a cap of two: %v, want a LimitError", err)
		}
		if n, _ := l.GrantedSince(ctx, emergencyDoctor.Subject, limit.Since); n != 0 {
			t.Errorf("%d grants written by a refused commit", n)
		}
		if _, err := l.CommitGrants(ctx, three[:2], limit); err != nil {
			t.Fatalf("two grants: %v", err)
		}
		// The cap counts the subject in any role or organisation.
		otherRole := emergencyDoctor
		otherRole.Role, otherRole.Organization = "gp", "012345"
		if _, err := l.CommitGrants(ctx, []audit.GrantChange{newGrant(t, l, otherRole, granted)}, limit); !errors.As(err, &le) {
			t.Errorf("a third grant in another role: %v, want a LimitError", err)
		}
		if _, err := l.CommitGrants(ctx, []audit.GrantChange{newGrant(t, l, nurse, granted)}, limit); err != nil {
			t.Errorf("another subject's grant: %v", err)
		}
		later := audit.GrantLimit{Max: 2, Since: granted.Add(time.Minute)}
		if _, err := l.CommitGrants(ctx, []audit.GrantChange{newGrant(t, l, emergencyDoctor, granted.Add(25*time.Hour))}, later); err != nil {
			t.Errorf("a grant once the period has passed: %v", err)
		}
	})
}

// Replicas race: two logs on one database grant for one subject at once,
// each having counted one grant short of the cap. The check inside the
// transaction lets exactly one through.
func TestGrantLimitHoldsAcrossReplicas(t *testing.T) {
	eachStore(t, func(t *testing.T, db *testDB) {
		ctx := context.Background()
		a, b := db.openLog(t, audit.Options{}), db.openLog(t, audit.Options{})
		granted := time.Date(2026, 3, 4, 2, 15, 0, 0, time.UTC)
		limit := audit.GrantLimit{Max: 1, Since: granted.Add(-time.Hour)}
		changes := []audit.GrantChange{newGrant(t, a, emergencyDoctor, granted), newGrant(t, b, emergencyDoctor, granted)}
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, l := range []*audit.Log{a, b} {
			wg.Go(func() { _, errs[i] = l.CommitGrants(ctx, changes[i:i+1], limit) })
		}
		wg.Wait()
		if (errs[0] == nil) == (errs[1] == nil) {
			t.Errorf("errors %v and %v: want exactly one grant through", errs[0], errs[1])
		}
		if n, _ := a.GrantedSince(ctx, emergencyDoctor.Subject, limit.Since); n != 1 {
			t.Errorf("%d grants written, want 1", n)
		}
	})
}

func TestReviewsThatCanNeverBeRight(t *testing.T) {
	eachStore(t, func(t *testing.T, db *testDB) {
		ctx := context.Background()
		l := db.openLog(t, audit.Options{})
		granted := time.Date(2026, 3, 4, 2, 15, 0, 0, time.UTC)
		g := grantFor(t, l, emergencyDoctor, granted)
		if err := l.MarkReviewed(ctx, g.ID, emergencyDoctor.Subject, "fine by me", granted.Add(time.Hour)); !errors.Is(err, audit.ErrSelfReview) {
			t.Errorf("a review by the grant's holder = %v, want ErrSelfReview", err)
		}
		db.dropAppendOnlyGuards(t)
		db.mustExec(t, db.sql("UPDATE audit_break_glass_grants SET reason = 'edited'", "UPDATE audit_break_glass_grants SET reason = 'edited'"))
		review := audit.GrantChange{Review: &audit.Review{GrantID: g.ID, Reviewer: privacyOfficer.Subject, Note: "ok", At: granted.Add(time.Hour)},
			Record: disclosure(privacyOfficer, citizenA, 3)}
		if _, err := l.CommitGrants(ctx, []audit.GrantChange{review}, audit.GrantLimit{}); !errors.Is(err, audit.ErrGrantTampered) {
			t.Errorf("a review of a tampered grant = %v, want ErrGrantTampered (a review must not seal a tampered grant)", err)
		}
	})
}
