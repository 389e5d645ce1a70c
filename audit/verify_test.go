package audit_test

import (
	"context"
	"strings"
	"testing"

	"github.com/sundhedsklynge/klynge/audit"
)

// appendFive appends records 1..5; record 3 has every column filled, so that
// every edit of it changes a value.
func appendFive(t *testing.T, l *audit.Log) {
	t.Helper()
	r3 := breakGlass(gp, citizenA, 3)
	r3.Pseudonymised = true
	err := l.Append(context.Background(),
		disclosure(nurse, citizenA, 1),
		denial(gp, citizenB, 2),
		r3,
		disclosure(nurse, citizenC, 4),
		disclosure(nurse, citizenA, 5),
	)
	if err != nil {
		t.Fatal(err)
	}
}

func verify(t *testing.T, l *audit.Log) audit.VerifyReport {
	t.Helper()
	rep, err := l.Verify(context.Background())
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	return rep
}

func TestVerifyPassesAnIntactChain(t *testing.T) {
	eachStore(t, func(t *testing.T, db *testDB) {
		l := db.openLog(t, audit.Options{})
		if rep := verify(t, l); !rep.OK || rep.Records != 0 || rep.HeadSeq != 0 || rep.HeadHash != audit.GenesisHash {
			t.Errorf("empty log: Verify = %+v, want OK with the genesis head", rep)
		}
		appendFive(t, l)
		rep := verify(t, l)
		if !rep.OK || rep.Records != 5 || rep.FirstBroken != 0 || rep.Problem != "" || rep.HeadSeq != 5 {
			t.Errorf("Verify = %+v, want OK over 5 records with head at 5", rep)
		}
		latest, _ := l.Query(context.Background(), audit.Query{First: 1})
		if rep.HeadHash != latest[0].Hash {
			t.Errorf("HeadHash = %s, want the last record's hash %s", rep.HeadHash, latest[0].Hash)
		}
	})
}

func TestTheDatabaseRefusesEditsOfTheLog(t *testing.T) {
	eachStore(t, func(t *testing.T, db *testDB) {
		l := db.openLog(t, audit.Options{})
		appendFive(t, l)
		ctx := context.Background()
		for _, stmt := range []string{
			"UPDATE audit_records SET reason = 'x' WHERE seq = 3",
			"DELETE FROM audit_records WHERE seq = 5",
			"UPDATE audit_chain_head SET seq = 4 WHERE id = 1",
			"DELETE FROM audit_chain_head",
		} {
			if err := db.exec(ctx, stmt); err == nil {
				t.Errorf("%s succeeded; the append-only guard should refuse it", stmt)
			}
		}
		if rep := verify(t, l); !rep.OK {
			t.Errorf("Verify after refused edits = %+v", rep)
		}
	})
}

// Someone with full rights drops the guards and edits one column of record
// 3; Verify must name record 3.
func TestVerifyNamesARecordWithAnyEditedColumn(t *testing.T) {
	const otherHash = "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
	tests := []struct {
		column           string
		sqlite, postgres string // SET clause
		wantBroken       int64
	}{
		{"seq", "seq = seq + 1000", "seq = seq + 1000", 4}, // a moved record leaves a gap before the next
		{"time", "time_us = time_us + 1", "logged_at = logged_at + interval '1 microsecond'", 3},
		{"request_id", "request_id = request_id || 'x'", "request_id = request_id || 'x'", 3},
		{"subject", "subject = 'gp-4413'", "subject = 'gp-4413'", 3},
		{"role", "role = 'clinician'", "role = 'clinician'", 3},
		{"organization", "organization = '012346'", "organization = '012346'", 3},
		{"citizen", "citizen = '" + string(citizenB) + "'", "citizen = '" + string(citizenB) + "'", 3},
		{"pseudonymised", "pseudonymised = 1 - pseudonymised", "pseudonymised = NOT pseudonymised", 3},
		{"fields", `fields = '["Citizen.hospitalEncounters"]'`, `fields = ARRAY['Citizen.hospitalEncounters']`, 3},
		{"sources", `sources = '[]'`, `sources = '{}'`, 3},
		{"purpose", "purpose = 'treatment'", "purpose = 'treatment'", 3},
		{"outcome", "outcome = 'denied'", "outcome = 'denied'", 3},
		{"reason", "reason = reason || '.'", "reason = reason || '.'", 3},
		{"flagged", "flagged = 1 - flagged", "flagged = NOT flagged", 3},
		{"grant_id", "grant_id = 99", "grant_id = 99", 3},
		{"grant_hash", "grant_hash = '" + otherHash + "'", "grant_hash = '" + otherHash + "'", 3},
		{"key_id", "key_id = 'ffffffffffffffff'", "key_id = 'ffffffffffffffff'", 3},
		{"prev_hash", "prev_hash = '" + otherHash + "'", "prev_hash = '" + otherHash + "'", 3},
		{"hash", "hash = '" + otherHash + "'", "hash = '" + otherHash + "'", 3},
	}
	t.Run("every column is covered", func(t *testing.T) {
		eachStore(t, func(t *testing.T, db *testDB) {
			db.openLog(t, audit.Options{})
			n, err := db.queryInt(context.Background(), db.sql(
				`SELECT COUNT(*) FROM pragma_table_info('audit_records')`,
				`SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'audit_records'`))
			if err != nil {
				t.Fatal(err)
			}
			if int(n) != len(tests) {
				t.Errorf("audit_records has %d columns but %d are edited here: cover the new one", n, len(tests))
			}
		})
	})
	for _, tt := range tests {
		t.Run("edited "+tt.column, func(t *testing.T) {
			eachStore(t, func(t *testing.T, db *testDB) {
				l := db.openLog(t, audit.Options{})
				appendFive(t, l)
				db.dropAppendOnlyGuards(t)
				db.mustExec(t, "UPDATE audit_records SET "+db.sql(tt.sqlite, tt.postgres)+" WHERE seq = 3")
				rep := verify(t, l)
				if rep.OK || rep.FirstBroken != tt.wantBroken {
					t.Errorf("Verify = %+v, want record %d named", rep, tt.wantBroken)
				}
				if strings.Contains(rep.Problem, string(citizenA)) || strings.Contains(rep.Problem, string(citizenB)) {
					t.Errorf("Problem %q quotes a CPR", rep.Problem)
				}
			})
		})
	}
}

func TestVerifyNamesDeletedAndAddedRecords(t *testing.T) {
	tests := []struct {
		name        string
		tamper      []string
		wantBroken  int64
		wantProblem string
	}{
		{"a deleted middle record is named by the record after it",
			[]string{"DELETE FROM audit_records WHERE seq = 3"}, 4, "record 3 is missing"},
		{"several deleted middle records",
			[]string{"DELETE FROM audit_records WHERE seq IN (2, 3)"}, 4, "records 2 to 3 are missing"},
		{"a deleted first record",
			[]string{"DELETE FROM audit_records WHERE seq = 1"}, 2, "record 1 is missing"},
		{"a deleted last record is missed by the chain head",
			[]string{"DELETE FROM audit_records WHERE seq = 5"}, 5, "record 5 is missing at the end"},
		{"the whole log deleted",
			[]string{"DELETE FROM audit_records"}, 1, "records 1 to 5 are missing at the end"},
		{"a record added outside the log with the best hash a forger without the key can make",
			[]string{"forge"}, 6, "not sealed with a key"},
		{"a chain head moved back past deleted records",
			[]string{"DELETE FROM audit_records WHERE seq = 5", "UPDATE audit_chain_head SET seq = 4"}, 4, "chain head's hash does not match record 4"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			eachStore(t, func(t *testing.T, db *testDB) {
				l := db.openLog(t, audit.Options{})
				appendFive(t, l)
				db.dropAppendOnlyGuards(t)
				for _, stmt := range tt.tamper {
					if stmt == "forge" {
						insertForgedSixth(t, db, l)
						continue
					}
					db.mustExec(t, stmt)
				}
				rep := verify(t, l)
				if rep.OK || rep.FirstBroken != tt.wantBroken || !strings.Contains(rep.Problem, tt.wantProblem) {
					t.Errorf("Verify = %+v, want record %d named with a problem containing %q", rep, tt.wantBroken, tt.wantProblem)
				}
			})
		})
	}
}

// insertForgedSixth inserts, by SQL, a record 6 that links to record 5, with
// the best hash someone who knows the format but not the key can make (the
// unkeyed one).
func insertForgedSixth(t *testing.T, db *testDB, l *audit.Log) {
	t.Helper()
	recs, err := l.Query(context.Background(), audit.Query{First: 1})
	if err != nil {
		t.Fatal(err)
	}
	r := disclosure(gp, citizenC, 6)
	r.Seq, r.PrevHash = 6, recs[0].Hash
	r.Hash = audit.UnkeyedRecordHash(r)
	if db.kind == "sqlite" {
		db.mustExec(t, `INSERT INTO audit_records (seq, time_us, request_id, subject, role, organization, citizen, pseudonymised,
			fields, sources, purpose, outcome, reason, flagged, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, '', 0, ?, ?)`,
			r.Seq, r.Time.UnixMicro(), r.RequestID, r.Principal.Subject, r.Principal.Role, r.Principal.Organization,
			string(r.Citizen), `["`+strings.Join(r.Fields, `","`)+`"]`, `["`+strings.Join(r.Sources, `","`)+`"]`,
			string(r.Purpose), string(r.Outcome), r.PrevHash, r.Hash)
		return
	}
	db.mustExec(t, `INSERT INTO audit_records (seq, logged_at, request_id, subject, role, organization, citizen, pseudonymised,
		fields, sources, purpose, outcome, reason, flagged, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, false, $8, $9, $10, $11, '', false, $12, $13)`,
		r.Seq, r.Time, r.RequestID, r.Principal.Subject, r.Principal.Role, r.Principal.Organization,
		string(r.Citizen), r.Fields, r.Sources, string(r.Purpose), string(r.Outcome), r.PrevHash, r.Hash)
}
