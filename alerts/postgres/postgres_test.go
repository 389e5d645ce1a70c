package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/sundhedsklynge/klynge/alerts"
	"github.com/sundhedsklynge/klynge/alerts/alertstest"
)

// freshSchema is a DSN whose search path is a new schema, dropped after
// the test; the test is skipped without KLYNGE_TEST_POSTGRES_DSN.
func freshSchema(t *testing.T) string {
	t.Helper()
	dsn := os.Getenv("KLYNGE_TEST_POSTGRES_DSN")
	if dsn == "" {
		t.Skip("PostgreSQL not tested: KLYNGE_TEST_POSTGRES_DSN is not set (eval \"$(scripts/postgres-start.sh)\")")
	}
	admin, err := pgx.Connect(t.Context(), dsn)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	var b [6]byte
	rand.Read(b[:])
	schema := "klynge_alerts_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec(t.Context(), "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		admin.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
		admin.Close(context.Background())
	})
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, _ := url.Parse(dsn)
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		return u.String()
	}
	return dsn + " search_path=" + schema
}

func open(t *testing.T, dsn string) *Store {
	t.Helper()
	s, err := Open(t.Context(), dsn, Options{LeaseCheck: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestContract(t *testing.T) {
	dsns := map[string]string{}
	alertstest.Contract(t, func(t *testing.T) alerts.Store {
		// Every store a subtest opens shares its schema: replicas.
		dsn, ok := dsns[t.Name()]
		if !ok {
			dsn = freshSchema(t)
			dsns[t.Name()] = dsn
		}
		return open(t, dsn)
	})
}

// TestLeaseEndsWithItsSession: when the leader's session ends without a
// word (the process was killed), PostgreSQL releases the lock, the lease
// says it is lost, and another replica leads.
func TestLeaseEndsWithItsSession(t *testing.T) {
	dsn := freshSchema(t)
	a, b := open(t, dsn), open(t, dsn)
	l, ok, err := a.Lead(t.Context(), "c")
	if err != nil || !ok {
		t.Fatalf("Lead = %v, %v", ok, err)
	}
	pid := l.(*lease).conn.PgConn().PID()
	admin, err := pgx.Connect(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(context.Background())
	if _, err := admin.Exec(t.Context(), "SELECT pg_terminate_backend($1)", pid); err != nil {
		t.Fatal(err)
	}
	select {
	case <-l.Lost():
	case <-time.After(10 * time.Second):
		t.Fatal("the lease was not lost within 10s of its session ending")
	}
	lb, ok, err := b.Lead(t.Context(), "c")
	if err != nil || !ok {
		t.Fatalf("Lead after the leader's session ended = %v, %v", ok, err)
	}
	lb.Release()
}

// TestAppendsCommitInIDOrder: concurrent appends from two replicas never
// let a reader see an id before a smaller one commits.
func TestAppendsCommitInIDOrder(t *testing.T) {
	dsn := freshSchema(t)
	a, b := open(t, dsn), open(t, dsn)
	at := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	done := make(chan error, 2)
	for i, s := range []*Store{a, b} {
		go func() {
			for k := range 50 {
				if _, err := s.Append(t.Context(), []alerts.Event{alertstest.Event("c", string(rune('a'+i))+string(rune(k+'0')), at)}); err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}()
	}
	var seen int64
	var count int
	deadline := time.After(30 * time.Second)
	for finished := 0; finished < 2 || count < 100; {
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
			finished++
		case <-deadline:
			t.Fatalf("read %d of 100 events", count)
		default:
		}
		evs, err := a.After(t.Context(), seen, 1000)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range evs {
			if e.ID != seen+1 && seen != 0 {
				// ids may skip only where an insert conflicted; none does here
				t.Fatalf("read id %d after %d: an id was skipped or seen out of order", e.ID, seen)
			}
			seen = e.ID
			count++
		}
	}
}
