package audit_test

import (
	"context"
	"errors"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/sundhedsklynge/klynge/audit"
	"github.com/sundhedsklynge/klynge/domain"
)

var emergencyDoctor = audit.Principal{Subject: "doc-88", Role: "clinician", Organization: "7005051"}

const emergencyReason = "unconscious patient brought in by ambulance, no GP reachable"

func TestBreakTheGlassGrantLifecycle(t *testing.T) {
	eachStore(t, func(t *testing.T, db *testDB) {
		ctx := context.Background()
		l := db.openLog(t, audit.Options{})
		granted := time.Date(2026, 3, 4, 2, 15, 0, 123456789, time.UTC)
		g, err := l.GrantBreakGlass(ctx, audit.Grant{
			Principal: emergencyDoctor, Citizen: citizenA, Reason: emergencyReason,
			GrantedAt: granted, ExpiresAt: granted.Add(4 * time.Hour),
		})
		if err != nil {
			t.Fatalf("GrantBreakGlass: %v", err)
		}
		if g.ID == 0 || g.Reviewed() || !g.GrantedAt.Equal(granted.Truncate(time.Microsecond)) {
			t.Fatalf("grant = %+v, want an ID, unreviewed, GrantedAt at microsecond precision", g)
		}

		t.Run("active for that principal and citizen during its window", func(t *testing.T) {
			otherRole, otherOrg := emergencyDoctor, emergencyDoctor
			otherRole.Role, otherOrg.Organization = "gp", "7005052"
			tests := []struct {
				name      string
				principal audit.Principal
				citizen   string
				at        time.Time
				want      bool
			}{
				{"at the grant time", emergencyDoctor, string(citizenA), granted, true},
				{"an hour later", emergencyDoctor, string(citizenA), granted.Add(time.Hour), true},
				{"before it was granted", emergencyDoctor, string(citizenA), granted.Add(-time.Second), false},
				{"when it expires", emergencyDoctor, string(citizenA), granted.Add(4 * time.Hour), false},
				{"for another citizen", emergencyDoctor, string(citizenB), granted.Add(time.Hour), false},
				{"for another principal", nurse, string(citizenA), granted.Add(time.Hour), false},
				// A grant follows subject, role and organisation: the same
				// person with another role's or organisation's token does
				// not carry it.
				{"for the same subject in another role", otherRole, string(citizenA), granted.Add(time.Hour), false},
				{"for the same subject at another organisation", otherOrg, string(citizenA), granted.Add(time.Hour), false},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					got, ok, err := l.ActiveGrant(ctx, tt.principal, domain.CPR(tt.citizen), tt.at)
					if err != nil {
						t.Fatal(err)
					}
					if ok != tt.want || (ok && got.ID != g.ID) {
						t.Errorf("ActiveGrant = %+v, %v; want active=%v", got, ok, tt.want)
					}
				})
			}
		})

		t.Run("the longest-lasting grant answers when there are several", func(t *testing.T) {
			longer, err := l.GrantBreakGlass(ctx, audit.Grant{
				Principal: emergencyDoctor, Citizen: citizenA, Reason: emergencyReason,
				GrantedAt: granted.Add(time.Hour), ExpiresAt: granted.Add(5 * time.Hour),
			})
			if err != nil {
				t.Fatal(err)
			}
			got, ok, err := l.ActiveGrant(ctx, emergencyDoctor, citizenA, granted.Add(2*time.Hour))
			if err != nil || !ok || got.ID != longer.ID {
				t.Errorf("ActiveGrant = %d, %v, %v; want grant %d", got.ID, ok, err, longer.ID)
			}
		})

		t.Run("review queue and review", func(t *testing.T) {
			unreviewed, reviewed := false, true
			queue, err := l.ReviewQueue(ctx, audit.ReviewQuery{Reviewed: &unreviewed, First: 10})
			if err != nil || len(queue) != 2 || queue[0].ID != g.ID {
				t.Fatalf("review queue = %+v, %v; want both grants, oldest first", queue, err)
			}
			if queue[0].Reason != emergencyReason || queue[0].Citizen != citizenA || queue[0].Principal != emergencyDoctor ||
				!queue[0].ExpiresAt.Equal(g.ExpiresAt) {
				t.Errorf("queued grant %+v does not read back as granted %+v", queue[0], g)
			}
			reviewedAt := granted.Truncate(time.Microsecond).Add(30 * time.Hour)
			if err := l.MarkReviewed(ctx, g.ID, privacyOfficer.Subject, "justified: confirmed by ward log", reviewedAt); err != nil {
				t.Fatalf("MarkReviewed: %v", err)
			}
			queue, _ = l.ReviewQueue(ctx, audit.ReviewQuery{Reviewed: &unreviewed, First: 10})
			if len(queue) != 1 || queue[0].ID == g.ID {
				t.Errorf("after review the queue holds %+v, want only the other grant", queue)
			}
			done, _ := l.ReviewQueue(ctx, audit.ReviewQuery{Reviewed: &reviewed, First: 10})
			if len(done) != 1 || done[0].ID != g.ID || done[0].ReviewedBy != privacyOfficer.Subject ||
				done[0].ReviewNote != "justified: confirmed by ward log" || !done[0].ReviewedAt.Equal(reviewedAt) || !done[0].Reviewed() {
				t.Errorf("reviewed grants = %+v, want the first with its review", done)
			}
			all, _ := l.ReviewQueue(ctx, audit.ReviewQuery{First: 10})
			page2, _ := l.ReviewQueue(ctx, audit.ReviewQuery{After: g.ID, First: 10})
			if len(all) != 2 || len(page2) != 1 || page2[0].ID != all[1].ID {
				t.Errorf("all = %d grants, after the first = %d; want 2 and 1", len(all), len(page2))
			}
			if err := l.MarkReviewed(ctx, g.ID, "po-2", "second opinion", reviewedAt); !errors.Is(err, audit.ErrAlreadyReviewed) {
				t.Errorf("second review = %v, want ErrAlreadyReviewed", err)
			}
			if err := l.MarkReviewed(ctx, 999999, "po-2", "", reviewedAt); !errors.Is(err, audit.ErrGrantNotFound) {
				t.Errorf("review of an unknown grant = %v, want ErrGrantNotFound", err)
			}
		})
	})
}

func TestBreakTheGlassGrantRefusesWhatCanNeverBeRight(t *testing.T) {
	ctx := context.Background()
	l := freshSQLite(t).openLog(t, audit.Options{})
	now := time.Now()
	valid := audit.Grant{Principal: emergencyDoctor, Citizen: citizenA, Reason: emergencyReason, GrantedAt: now, ExpiresAt: now.Add(time.Hour)}
	tests := []struct {
		name  string
		edit  func(*audit.Grant)
		field string
	}{
		{"empty reason", func(g *audit.Grant) { g.Reason = "" }, "Reason"},
		{"blank reason", func(g *audit.Grant) { g.Reason = "   " }, "Reason"},
		{"no subject", func(g *audit.Grant) { g.Principal.Subject = "" }, "Principal.Subject"},
		{"no citizen", func(g *audit.Grant) { g.Citizen = "" }, "Citizen"},
		{"expiry before grant", func(g *audit.Grant) { g.ExpiresAt = now.Add(-time.Minute) }, "ExpiresAt"},
		{"no expiry", func(g *audit.Grant) { g.ExpiresAt = time.Time{} }, "ExpiresAt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := valid
			tt.edit(&g)
			if _, err := l.GrantBreakGlass(ctx, g); err == nil || !strings.Contains(err.Error(), tt.field) {
				t.Errorf("GrantBreakGlass error = %v, want one naming %s", err, tt.field)
			}
		})
	}
	if queue, _ := l.ReviewQueue(ctx, audit.ReviewQuery{First: 10}); len(queue) != 0 {
		t.Errorf("refused grants were stored: %+v", queue)
	}
	t.Run("review needs a reviewer", func(t *testing.T) {
		g, err := l.GrantBreakGlass(ctx, valid)
		if err != nil {
			t.Fatal(err)
		}
		if err := l.MarkReviewed(ctx, g.ID, "", "ok", now); err == nil || !strings.Contains(err.Error(), "reviewer") {
			t.Errorf("MarkReviewed without reviewer = %v", err)
		}
	})
}

func TestActiveGrantsAnswersForManyCitizensInOneRead(t *testing.T) {
	eachStore(t, func(t *testing.T, db *testDB) {
		ctx := context.Background()
		l := db.openLog(t, audit.Options{})
		granted := time.Date(2026, 3, 4, 2, 15, 0, 0, time.UTC)
		grant := func(p audit.Principal, c domain.CPR, from, to time.Duration) audit.Grant {
			t.Helper()
			g, err := l.GrantBreakGlass(ctx, audit.Grant{Principal: p, Citizen: c, Reason: emergencyReason,
				GrantedAt: granted.Add(from), ExpiresAt: granted.Add(to)})
			if err != nil {
				t.Fatal(err)
			}
			return g
		}
		grant(emergencyDoctor, citizenA, 0, 4*time.Hour)
		longer := grant(emergencyDoctor, citizenA, time.Hour, 6*time.Hour)
		grant(emergencyDoctor, citizenB, -5*time.Hour, -time.Hour) // expired before the read
		forNurse := grant(nurse, citizenC, 0, 4*time.Hour)

		at := granted.Add(2 * time.Hour)
		tests := []struct {
			name      string
			principal audit.Principal
			citizens  []domain.CPR
			want      map[domain.CPR]int64
		}{
			{"the longest-lasting grant of each citizen, none for the expired or another principal's",
				emergencyDoctor, []domain.CPR{citizenA, citizenB, citizenC}, map[domain.CPR]int64{citizenA: longer.ID}},
			{"the same citizen twice and an empty one", emergencyDoctor, []domain.CPR{citizenA, "", citizenA}, map[domain.CPR]int64{citizenA: longer.ID}},
			{"another principal sees only its own", nurse, []domain.CPR{citizenA, citizenB, citizenC}, map[domain.CPR]int64{citizenC: forNurse.ID}},
			{"no citizens", emergencyDoctor, nil, map[domain.CPR]int64{}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				gs, err := l.ActiveGrants(ctx, tt.principal, tt.citizens, at)
				if err != nil {
					t.Fatal(err)
				}
				got := map[domain.CPR]int64{}
				for c, g := range gs {
					if g.Citizen != c {
						t.Errorf("grant %d is for %s, filed under %s", g.ID, g.Citizen, c)
					}
					got[c] = g.ID
				}
				if !maps.Equal(got, tt.want) {
					t.Errorf("ActiveGrants = %v, want %v", got, tt.want)
				}
			})
		}
	})
}
