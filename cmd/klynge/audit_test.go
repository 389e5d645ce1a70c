package main

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sundhedsklynge/klynge/audit"
	"github.com/sundhedsklynge/klynge/audit/sqlite"
	"github.com/sundhedsklynge/klynge/domain"
)

// auditLog is a SQLite access log written by a test, with the chain key
// file and checkpoint file it was written with.
type auditLog struct {
	path, keyFile, checkpoints string
}

// auditFixture writes n records and one break-the-glass grant to a fresh
// SQLite log, checkpoints its head, and closes it.
func auditFixture(t *testing.T, n int) auditLog {
	t.Helper()
	dir := t.TempDir()
	a := auditLog{path: filepath.Join(dir, "audit.db"), keyFile: filepath.Join(dir, "chain.key"), checkpoints: filepath.Join(dir, "checkpoints.jsonl")}
	if err := os.WriteFile(a.keyFile, []byte(newChainKey()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	keys, err := readKeyFile(a.keyFile)
	if err != nil {
		t.Fatal(err)
	}
	ks, _ := audit.NewKeys(keys)
	cps, _ := audit.OpenCheckpointFile(a.checkpoints)
	l, err := sqlite.Open(t.Context(), a.path, audit.Options{Keys: ks, Checkpoints: cps, CheckpointInterval: time.Hour})
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
	now := time.Date(2026, 3, 4, 2, 0, 0, 0, time.UTC)
	if _, err := l.GrantBreakGlass(t.Context(), audit.Grant{Principal: audit.Principal{Subject: "clin-1", Role: "clinician", Organization: "990301000000302"},
		Citizen: "6703851234", Reason: "unconscious in the emergency department", GrantedAt: now, ExpiresAt: now.Add(4 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil { // checkpoints the head
		t.Fatal(err)
	}
	return a
}

// tamperSQLite edits the log behind its back, as an administrator could:
// drop the guards and run the statements.
func tamperSQLite(t *testing.T, path string, stmts ...string) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, tr := range []string{"audit_records_no_update", "audit_records_no_delete", "audit_chain_head_forward_only",
		"audit_break_glass_grants_terms_fixed", "audit_break_glass_grants_no_delete"} {
		stmts = append([]string{"DROP TRIGGER IF EXISTS " + tr}, stmts...)
	}
	for _, s := range stmts {
		if _, err := db.ExecContext(context.Background(), s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// recomputeUnkeyed rewrites the chain from record from on with the best
// hash someone without the key can make, and moves the head to match: the
// issue's "rewrite a record and recompute the chain".
func recomputeUnkeyed(t *testing.T, a auditLog, from int64) {
	t.Helper()
	keys, _ := readKeyFile(a.keyFile)
	ks, _ := audit.NewKeys(keys)
	l, err := sqlite.Open(t.Context(), a.path, audit.Options{Keys: ks})
	if err != nil {
		t.Fatal(err)
	}
	recs, err := l.Query(t.Context(), audit.Query{First: audit.MaxQueryFirst})
	l.Close()
	if err != nil {
		t.Fatal(err)
	}
	var stmts []string
	prev := audit.GenesisHash
	for i := len(recs) - 1; i >= 0; i-- {
		r := recs[i]
		if r.Seq >= from {
			r.PrevHash, r.KeyID = prev, ""
			r.Hash = audit.UnkeyedRecordHash(r)
			stmts = append(stmts, "UPDATE audit_records SET prev_hash = '"+r.PrevHash+"', key_id = '', hash = '"+r.Hash+"' WHERE seq = "+strconv.FormatInt(r.Seq, 10))
		}
		prev = r.Hash
	}
	tamperSQLite(t, a.path, append(stmts, "UPDATE audit_chain_head SET hash = '"+prev+"'")...)
}

func TestAuditVerifyCommand(t *testing.T) {
	t.Run("an intact log passes, with its grant and checkpoint", func(t *testing.T) {
		a := auditFixture(t, 5)
		code, out, errOut := run(t, "audit", "verify", "-sqlite", a.path, "-key-file", a.keyFile, "-checkpoints", a.checkpoints)
		if code != 0 || !strings.Contains(out, "OK") || !strings.Contains(out, "records checked: 6") ||
			!strings.Contains(out, "grants checked: 1") || !strings.Contains(out, "checkpoints checked: 1") {
			t.Fatalf("exit %d\n%s%s", code, out, errOut)
		}
	})
	tests := []struct {
		name   string
		tamper func(t *testing.T, a auditLog)
		want   string
	}{
		{"an edited record is named", func(t *testing.T, a auditLog) {
			tamperSQLite(t, a.path, "UPDATE audit_records SET reason = 'nothing to see' WHERE seq = 3")
		}, "BROKEN at record 3"},
		{"an edited record with the chain recomputed is named", func(t *testing.T, a auditLog) {
			tamperSQLite(t, a.path, "UPDATE audit_records SET reason = 'nothing to see' WHERE seq = 3")
			recomputeUnkeyed(t, a, 3)
		}, "BROKEN at record 3"},
		{"a deleted record is named by the gap", func(t *testing.T, a auditLog) {
			tamperSQLite(t, a.path, "DELETE FROM audit_records WHERE seq = 2")
		}, "BROKEN at record 3: record 2 is missing"},
		{"a deleted last record is named", func(t *testing.T, a auditLog) {
			tamperSQLite(t, a.path, "DELETE FROM audit_records WHERE seq = 6")
		}, "BROKEN at record 6"},
		{"records cut off with the head moved back are named by the checkpoint", func(t *testing.T, a auditLog) {
			tamperSQLite(t, a.path, "DELETE FROM audit_records WHERE seq = 6",
				"UPDATE audit_chain_head SET seq = 5, hash = (SELECT hash FROM audit_records WHERE seq = 5)")
		}, "BROKEN at record 6: record 6 is missing at the end: a checkpoint"},
		{"a grant extended by a year and marked reviewed is named", func(t *testing.T, a auditLog) {
			tamperSQLite(t, a.path, "UPDATE audit_break_glass_grants SET expires_at_us = expires_at_us + 31536000000000, "+
				"reviewed_by = 'po-1', reviewed_at_us = granted_at_us + 1, review_note = 'justified'")
		}, "BROKEN at break-the-glass grant 1"},
		{"a grant extended with an unkeyed seal is named", func(t *testing.T, a auditLog) {
			sum := sha256.Sum256([]byte("a seal without the key"))
			tamperSQLite(t, a.path, "UPDATE audit_break_glass_grants SET expires_at_us = expires_at_us + 31536000000000, seal = '"+hex.EncodeToString(sum[:])+"'")
		}, "BROKEN at break-the-glass grant 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := auditFixture(t, 5)
			tt.tamper(t, a)
			code, out, errOut := run(t, "audit", "verify", "-sqlite", a.path, "-key-file", a.keyFile, "-checkpoints", a.checkpoints)
			if code != 1 || !strings.Contains(out, tt.want) || !strings.Contains(errOut, "failed verification") {
				t.Fatalf("exit %d, want 1 naming %q\nstdout: %s\nstderr: %s", code, tt.want, out, errOut)
			}
			if strings.Contains(out+errOut, "6703851234") {
				t.Fatal("the report names a citizen")
			}
		})
	}
	t.Run("the key from the environment", func(t *testing.T) {
		a := auditFixture(t, 2)
		key, _ := readKeyFile(a.keyFile)
		t.Setenv("KLYNGE_AUDIT_CHAINKEY", string(key))
		if code, out, errOut := run(t, "audit", "verify", "-sqlite", a.path); code != 0 || !strings.Contains(out, "OK") {
			t.Fatalf("exit %d\n%s%s", code, out, errOut)
		}
	})
	t.Run("without the key it says where the key goes", func(t *testing.T) {
		a := auditFixture(t, 2)
		if code, _, errOut := run(t, "audit", "verify", "-sqlite", a.path); code != 1 || !strings.Contains(errOut, "audit.chainKeyFile") {
			t.Fatalf("exit %d: %s", code, errOut)
		}
	})
	t.Run("with another key every record is named", func(t *testing.T) {
		a := auditFixture(t, 2)
		other := filepath.Join(t.TempDir(), "other.key")
		os.WriteFile(other, []byte(newChainKey()), 0o600)
		if code, out, _ := run(t, "audit", "verify", "-sqlite", a.path, "-key-file", other); code != 1 || !strings.Contains(out, "BROKEN at record 1") {
			t.Fatalf("exit %d: %s", code, out)
		}
	})
	t.Run("a missing file is an error, not a new empty log", func(t *testing.T) {
		a := auditFixture(t, 1)
		path := filepath.Join(t.TempDir(), "nope.db")
		code, _, errOut := run(t, "audit", "verify", "-sqlite", path, "-key-file", a.keyFile)
		if code != 1 || !strings.Contains(errOut, "nope.db") {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		if _, err := os.Stat(path); err == nil {
			t.Fatal("verify created the file")
		}
	})
	t.Run("reads the log, its key and its checkpoints from a configuration file", func(t *testing.T) {
		a := auditFixture(t, 2)
		cfg := filepath.Join(t.TempDir(), "klynge.yaml")
		os.WriteFile(cfg, []byte(`
auth: {issuer: "https://idp.example/realms/klynge"}
audit: {sqlite: "`+a.path+`", chainKeyFile: "`+a.keyFile+`", checkpointFile: "`+a.checkpoints+`"}
upstreams:
  ehospital: {baseURL: "http://127.0.0.1:1/fhir"}
  outofhours: {baseURL: "http://127.0.0.1:1/ooh"}
  gpreferral: {baseURL: "http://127.0.0.1:1/gp"}
  municipal: {baseURLTemplate: "http://127.0.0.1:1/m/{code}", codes: [330]}
`), 0o600)
		code, out, errOut := run(t, "audit", "verify", "-config", cfg)
		if code != 0 || !strings.Contains(out, "records checked: 3") || !strings.Contains(out, "checkpoints checked: 1") {
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
