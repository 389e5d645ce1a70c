package sqlite

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/sundhedsklynge/klynge/audit"
)

func TestCommitsAreDurableOnReturn(t *testing.T) {
	s, err := openStore(context.Background(), filepath.Join(t.TempDir(), "audit.db"), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for pragma, want := range map[string]string{"journal_mode": "wal", "synchronous": "2"} {
		var got string
		err := s.writer.QueryRowContext(context.Background(), "PRAGMA "+pragma).Scan(&got)
		if err != nil || got != want {
			t.Errorf("PRAGMA %s = %q, %v; want %q", pragma, got, err, want)
		}
	}
}

func TestOpenRefusesALogWithoutAKey(t *testing.T) {
	if l, err := Open(context.Background(), filepath.Join(t.TempDir(), "audit.db"), audit.Options{}); err == nil {
		l.Close()
		t.Error("a log without a chain key was opened")
	}
}

func TestOpenRefusesANonDurablePath(t *testing.T) {
	keys, _ := audit.NewKeys([]byte("klynge-upgrade-test-key-0123456789abcdef"))
	for _, path := range []string{"", ":memory:", "file::memory:", "/tmp/a?mode=memory"} {
		if l, err := Open(context.Background(), path, audit.Options{Keys: keys}); err == nil {
			l.Close()
			t.Errorf("Open(%q) succeeded", path)
		}
	}
}

// A log written by version 1 (no chain keys) opens, is upgraded to version
// 2, and verifies once the operator names its last unkeyed record; what is
// appended after it is sealed with the key.
func TestAVersion1LogIsUpgraded(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "audit.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TABLE audit_schema_version (version INTEGER PRIMARY KEY, applied_us INTEGER NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(sqliteMigrations[1]); err != nil {
		t.Fatal(err)
	}
	prev := audit.GenesisHash
	for seq := int64(1); seq <= 3; seq++ {
		r := audit.Record{Seq: seq, Time: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC), RequestID: "r", PrevHash: prev,
			Principal: audit.Principal{Subject: "gp-1", Role: "gp", Organization: "012345"}, Citizen: "6101801234",
			Purpose: audit.PurposeTreatment, Outcome: audit.OutcomeAllowed}
		r.Hash = audit.UnkeyedRecordHash(r)
		if _, err := db.Exec(`INSERT INTO audit_records VALUES (?, ?, 'r', 'gp-1', 'gp', '012345', '6101801234', 0, '[]', '[]', 'treatment', 'allowed', '', 0, ?, ?)`,
			seq, r.Time.UnixMicro(), r.PrevHash, r.Hash); err != nil {
			t.Fatal(err)
		}
		prev = r.Hash
	}
	for _, stmt := range []string{
		`UPDATE audit_chain_head SET seq = 3, hash = '` + prev + `'`,
		`INSERT INTO audit_break_glass_grants (subject, role, organization, citizen, reason, granted_at_us, expires_at_us)
		 VALUES ('doc-1', 'clinician', '7005051', '6101801234', 'old grant', 1, 2)`,
		`INSERT INTO audit_schema_version VALUES (1, 0)`,
	} {
		if _, err := db.Exec(stmt); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	keys, _ := audit.NewKeys([]byte("klynge-upgrade-test-key-0123456789abcdef"))
	l, err := Open(ctx, path, audit.Options{Keys: keys})
	if err != nil {
		t.Fatalf("open a version-1 log: %v", err)
	}
	defer l.Close()
	id, err := l.ReserveGrantID(ctx)
	if err != nil || id != 2 {
		t.Errorf("the first reserved grant id = %d, %v; want 2, after the old grant", id, err)
	}
	if err := l.Append(ctx, audit.Record{Principal: audit.Principal{Subject: "gp-1", Role: "gp"}, Purpose: audit.PurposeTreatment, Outcome: audit.OutcomeAllowed}); err != nil {
		t.Fatal(err)
	}
	if rep, _ := l.Verify(ctx); rep.OK || rep.FirstBroken != 1 {
		t.Errorf("Verify = %+v, want record 1 named as unkeyed", rep)
	}
	rep, err := l.VerifyWith(ctx, audit.VerifyOptions{UnkeyedThrough: 3})
	if err != nil || !rep.OK || rep.Records != 4 || rep.Grants != 1 {
		t.Errorf("VerifyWith(unkeyed through 3) = %+v, %v; want OK over 4 records and the old grant", rep, err)
	}
}
