package main

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sundhedsklynge/klynge/audit"
	"github.com/sundhedsklynge/klynge/audit/sqlite"
	"github.com/sundhedsklynge/klynge/domain"
)

// auditFixture writes n records to a fresh SQLite log and closes it.
func auditFixture(t *testing.T, n int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "audit.db")
	l, err := sqlite.Open(t.Context(), path, audit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		err := l.Append(t.Context(), audit.Record{
			RequestID: "req", Principal: audit.Principal{Subject: "clin-1", Role: "clinician", Organization: "990301000000302"},
			Citizen: domain.CPR("6703851234"), Fields: []string{"Citizen.name"}, Sources: []string{"ehospital"},
			Purpose: audit.PurposeTreatment, Outcome: audit.OutcomeAllowed, Reason: "care relationship " + string(rune('a'+i%26)),
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// tamperSQLite edits the log behind its back, as an administrator could:
// drop the append-only guard and run stmt.
func tamperSQLite(t *testing.T, path, stmt string) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, s := range []string{
		"DROP TRIGGER IF EXISTS audit_records_no_update",
		"DROP TRIGGER IF EXISTS audit_records_no_delete",
		stmt,
	} {
		if _, err := db.ExecContext(context.Background(), s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

func TestAuditVerifyCommand(t *testing.T) {
	t.Run("an intact log passes", func(t *testing.T) {
		path := auditFixture(t, 5)
		code, out, errOut := run(t, "audit", "verify", "-sqlite", path)
		if code != 0 || !strings.Contains(out, "OK") || !strings.Contains(out, "records checked: 5") {
			t.Fatalf("exit %d\n%s%s", code, out, errOut)
		}
	})
	tests := []struct {
		name   string
		stmt   string
		record string
	}{
		{"an edited record is named", "UPDATE audit_records SET reason = 'nothing to see' WHERE seq = 3", "BROKEN at record 3"},
		{"a deleted record is named by the gap", "DELETE FROM audit_records WHERE seq = 2", "BROKEN at record 3: record 2 is missing"},
		{"a deleted last record is named", "DELETE FROM audit_records WHERE seq = 5", "BROKEN at record 5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := auditFixture(t, 5)
			tamperSQLite(t, path, tt.stmt)
			code, out, errOut := run(t, "audit", "verify", "-sqlite", path)
			if code != 1 || !strings.Contains(out, tt.record) || !strings.Contains(errOut, "failed verification") {
				t.Fatalf("exit %d, want 1 naming %q\nstdout: %s\nstderr: %s", code, tt.record, out, errOut)
			}
			if strings.Contains(out+errOut, "6703851234") {
				t.Fatal("the report names a citizen")
			}
		})
	}
	t.Run("a missing file is an error, not a new empty log", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "nope.db")
		code, _, errOut := run(t, "audit", "verify", "-sqlite", path)
		if code != 1 || !strings.Contains(errOut, "nope.db") {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		if _, err := os.Stat(path); err == nil {
			t.Fatal("verify created the file")
		}
	})
	t.Run("reads the log's place from a configuration file", func(t *testing.T) {
		path := auditFixture(t, 2)
		cfg := filepath.Join(t.TempDir(), "klynge.yaml")
		os.WriteFile(cfg, []byte(`
auth: {issuer: "https://idp.example/realms/klynge"}
audit: {sqlite: "`+path+`"}
upstreams:
  ehospital: {baseURL: "http://127.0.0.1:1/fhir"}
  outofhours: {baseURL: "http://127.0.0.1:1/ooh"}
  gpreferral: {baseURL: "http://127.0.0.1:1/gp"}
  municipal: {baseURLTemplate: "http://127.0.0.1:1/m/{code}", codes: [330]}
`), 0o600)
		code, out, errOut := run(t, "audit", "verify", "-config", cfg)
		if code != 0 || !strings.Contains(out, "records checked: 2") {
			t.Fatalf("exit %d\n%s%s", code, out, errOut)
		}
	})
	t.Run("usage errors", func(t *testing.T) {
		for _, args := range [][]string{
			{"audit"},
			{"audit", "check"},
			{"audit", "verify"},
			{"audit", "verify", "-sqlite", "a.db", "-postgres", "postgres://x/y"},
		} {
			if code, _, _ := run(t, args...); code != 2 {
				t.Errorf("%v: exit %d, want 2", args, code)
			}
		}
	})
}
