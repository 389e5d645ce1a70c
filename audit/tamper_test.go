package audit_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sundhedsklynge/klynge/audit"
)

// These tests attack the log as someone who can write the database but
// does not hold the chain key: a database administrator, or whoever stole
// their credentials. They drop the append-only triggers first, as such a
// person can.

// rewriteFrom rewrites the chain from record from on as a forger without
// the key would: edit changes record from, then every record from there on
// gets a new link and a new hash by hash(), and the head follows.
func rewriteFrom(t *testing.T, db *testDB, l *audit.Log, from int64, edit func(*audit.Record), hash func(audit.Record) (keyID, sum string)) {
	t.Helper()
	recs, err := l.Query(context.Background(), audit.Query{First: audit.MaxQueryFirst})
	if err != nil {
		t.Fatal(err)
	}
	prev := audit.GenesisHash
	for i := len(recs) - 1; i >= 0; i-- { // oldest first
		r := recs[i]
		if r.Seq < from {
			prev = r.Hash
			continue
		}
		if r.Seq == from {
			edit(&r)
		}
		r.PrevHash = prev
		r.KeyID, r.Hash = hash(r)
		db.mustExec(t, db.sql(`UPDATE audit_records SET reason = ?, prev_hash = ?, key_id = ?, hash = ? WHERE seq = ?`,
			`UPDATE audit_records SET reason = $1, prev_hash = $2, key_id = $3, hash = $4 WHERE seq = $5`),
			r.Reason, r.PrevHash, r.KeyID, r.Hash, r.Seq)
		prev = r.Hash
	}
	db.mustExec(t, db.sql(`UPDATE audit_chain_head SET hash = ?`, `UPDATE audit_chain_head SET hash = $1`), prev)
}

// The first attack: rewrite a record and recompute the chain.
// Without the key the forger can only compute unkeyed hashes (or keyed
// ones under a key of their own); Verify names the rewritten record.
func TestARecordRewrittenWithARecomputedChainFailsVerify(t *testing.T) {
	whitewash := func(r *audit.Record) { r.Reason = "routine check" }
	forgers := []struct {
		name string
		hash func(audit.Record) (string, string)
	}{
		{"the unkeyed version-1 hash, the key id dropped", func(r audit.Record) (string, string) {
			return "", audit.UnkeyedRecordHash(r)
		}},
		{"plain SHA-256 under the real key's id", func(r audit.Record) (string, string) {
			sum := sha256.Sum256([]byte(r.PrevHash + r.Reason))
			return testKeys.Current().ID(), hex.EncodeToString(sum[:])
		}},
		{"a key of the forger's own", func(r audit.Record) (string, string) {
			k := mustKeys("the-forgers-own-key-0123456789abcdef").Current()
			return k.ID(), k.RecordHash(r)
		}},
	}
	for _, f := range forgers {
		t.Run(f.name, func(t *testing.T) {
			eachStore(t, func(t *testing.T, db *testDB) {
				l := db.openLog(t, audit.Options{})
				appendFive(t, l)
				db.dropAppendOnlyGuards(t)
				rewriteFrom(t, db, l, 3, whitewash, f.hash)
				rep := verify(t, l)
				if rep.OK || rep.FirstBroken != 3 {
					t.Errorf("Verify = %+v, want record 3 named", rep)
				}
			})
		})
	}
	t.Run("the whole log rewritten without keys", func(t *testing.T) {
		eachStore(t, func(t *testing.T, db *testDB) {
			l := db.openLog(t, audit.Options{})
			appendFive(t, l)
			db.dropAppendOnlyGuards(t)
			rewriteFrom(t, db, l, 1, whitewash, func(r audit.Record) (string, string) { return "", audit.UnkeyedRecordHash(r) })
			if rep := verify(t, l); rep.OK || rep.FirstBroken != 1 || !strings.Contains(rep.Problem, "not sealed with a key") {
				t.Errorf("Verify = %+v, want record 1 named as unkeyed", rep)
			}
		})
	})
}

// grantFor writes a grant as the gateway does, with its record.
func grantFor(t *testing.T, l *audit.Log, p audit.Principal, granted time.Time) audit.Grant {
	t.Helper()
	g, err := l.GrantBreakGlass(context.Background(), audit.Grant{
		Principal: p, Citizen: citizenA, Reason: emergencyReason, GrantedAt: granted, ExpiresAt: granted.Add(4 * time.Hour),
	})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// The second attack: the grant register decides access, so it is
// under the same seal. Extending a grant by a year and marking it reviewed
// (so that no privacy officer looks at it) fails Verify, and the extended
// grant opens nothing.
func TestAGrantExtendedAndMarkedReviewedOutsideTheLogFailsVerify(t *testing.T) {
	granted := time.Date(2026, 3, 4, 2, 15, 0, 0, time.UTC)
	tampers := []struct {
		name                 string
		sqlite, postgres     string
		recomputeUnkeyedSeal bool
	}{
		{"extended by a year and marked reviewed",
			"UPDATE audit_break_glass_grants SET expires_at_us = expires_at_us + 31536000000000, reviewed_by = 'po-1', reviewed_at_us = granted_at_us, review_note = 'ok'",
			"UPDATE audit_break_glass_grants SET expires_at = expires_at + interval '1 year', reviewed_by = 'po-1', reviewed_at = granted_at, review_note = 'ok'", false},
		{"extended, with a seal recomputed without the key",
			"UPDATE audit_break_glass_grants SET expires_at_us = expires_at_us + 31536000000000",
			"UPDATE audit_break_glass_grants SET expires_at = expires_at + interval '1 year'", true},
		{"given to someone else",
			"UPDATE audit_break_glass_grants SET subject = 'nurse-7'",
			"UPDATE audit_break_glass_grants SET subject = 'nurse-7'", false},
	}
	for _, tt := range tampers {
		t.Run(tt.name, func(t *testing.T) {
			eachStore(t, func(t *testing.T, db *testDB) {
				ctx := context.Background()
				l := db.openLog(t, audit.Options{})
				g := grantFor(t, l, emergencyDoctor, granted)
				db.dropAppendOnlyGuards(t)
				db.mustExec(t, db.sql(tt.sqlite, tt.postgres))
				if tt.recomputeUnkeyedSeal {
					sum := sha256.Sum256([]byte("anything a forger can compute"))
					db.mustExec(t, "UPDATE audit_break_glass_grants SET seal = '"+hex.EncodeToString(sum[:])+"'")
				}
				rep := verify(t, l)
				if rep.OK || rep.BrokenGrant != g.ID || !strings.Contains(rep.Problem, "grant") {
					t.Errorf("Verify = %+v, want grant %d named", rep, g.ID)
				}
				if _, ok, _ := l.ActiveGrant(ctx, emergencyDoctor, citizenA, granted.Add(30*24*time.Hour)); ok {
					t.Error("the extended grant opens the citizen a month later")
				}
				if _, ok, _ := l.ActiveGrant(ctx, emergencyDoctor, citizenA, granted.Add(time.Hour)); ok {
					t.Error("a tampered grant still opens the citizen in its original window")
				}
			})
		})
	}
}

// A grant inserted, deleted, or rolled back to an earlier state of its own
// (the one before its review, seal and all) by SQL fails Verify.
func TestGrantsAddedDeletedOrRolledBackOutsideTheLogFailVerify(t *testing.T) {
	granted := time.Date(2026, 3, 4, 2, 15, 0, 0, time.UTC)
	t.Run("a copy inserted for another citizen", func(t *testing.T) {
		eachStore(t, func(t *testing.T, db *testDB) {
			l := db.openLog(t, audit.Options{})
			g := grantFor(t, l, emergencyDoctor, granted)
			db.dropAppendOnlyGuards(t)
			db.mustExec(t, db.sql(
				`INSERT INTO audit_break_glass_grants (id, subject, role, organization, citizen, reason, granted_at_us, expires_at_us, key_id, seal)
				 SELECT id + 100, subject, role, organization, '`+string(citizenB)+`', reason, granted_at_us, expires_at_us, key_id, seal FROM audit_break_glass_grants`,
				`INSERT INTO audit_break_glass_grants (id, subject, role, organization, citizen, reason, granted_at, expires_at, key_id, seal)
				 OVERRIDING SYSTEM VALUE SELECT id + 100, subject, role, organization, '`+string(citizenB)+`', reason, granted_at, expires_at, key_id, seal FROM audit_break_glass_grants`))
			if rep := verify(t, l); rep.OK || rep.BrokenGrant != g.ID+100 {
				t.Errorf("Verify = %+v, want grant %d named", rep, g.ID+100)
			}
			if _, ok, _ := l.ActiveGrant(context.Background(), emergencyDoctor, citizenB, granted.Add(time.Hour)); ok {
				t.Error("the inserted grant opens the other citizen")
			}
		})
	})
	t.Run("deleted", func(t *testing.T) {
		eachStore(t, func(t *testing.T, db *testDB) {
			l := db.openLog(t, audit.Options{})
			g := grantFor(t, l, emergencyDoctor, granted)
			db.dropAppendOnlyGuards(t)
			db.mustExec(t, "DELETE FROM audit_break_glass_grants")
			if rep := verify(t, l); rep.OK || rep.BrokenGrant != g.ID || !strings.Contains(rep.Problem, "missing") {
				t.Errorf("Verify = %+v, want grant %d named missing", rep, g.ID)
			}
		})
	})
	t.Run("its review undone", func(t *testing.T) {
		eachStore(t, func(t *testing.T, db *testDB) {
			ctx := context.Background()
			l := db.openLog(t, audit.Options{})
			g := grantFor(t, l, emergencyDoctor, granted)
			if err := l.MarkReviewed(ctx, g.ID, privacyOfficer.Subject, "not justified: no emergency", granted.Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
			db.dropAppendOnlyGuards(t)
			// Back to the unreviewed state, with that state's valid seal.
			db.mustExec(t, db.sql(`UPDATE audit_break_glass_grants SET reviewed_by = '', reviewed_at_us = NULL, review_note = '', seal = ?`,
				`UPDATE audit_break_glass_grants SET reviewed_by = '', reviewed_at = NULL, review_note = '', seal = $1`), g.Hash)
			if rep := verify(t, l); rep.OK || rep.BrokenGrant != g.ID || !strings.Contains(rep.Problem, "attests") {
				t.Errorf("Verify = %+v, want grant %d named as not what the chain attests", rep, g.ID)
			}
		})
	})
}

// Cutting off the newest records and moving the head back makes a chain
// that is consistent on its own, key or no key. A checkpoint kept outside
// the database shows it.
func TestATruncatedLogIsCaughtByACheckpoint(t *testing.T) {
	eachStore(t, func(t *testing.T, db *testDB) {
		ctx := context.Background()
		cps, err := audit.OpenCheckpointFile(filepath.Join(t.TempDir(), "checkpoints.jsonl"))
		if err != nil {
			t.Fatal(err)
		}
		l := db.openLog(t, audit.Options{Checkpoints: cps, CheckpointInterval: time.Hour})
		appendFive(t, l)
		if _, err := l.Checkpoint(ctx); err != nil {
			t.Fatal(err)
		}

		db.dropAppendOnlyGuards(t)
		db.mustExec(t, "DELETE FROM audit_records WHERE seq = 5")
		recs, _ := l.Query(ctx, audit.Query{First: 1})
		db.mustExec(t, db.sql(`UPDATE audit_chain_head SET seq = ?, hash = ?`, `UPDATE audit_chain_head SET seq = $1, hash = $2`), recs[0].Seq, recs[0].Hash)

		if rep := verify(t, l); !rep.OK {
			t.Fatalf("without checkpoints a consistently truncated log verifies (the documented limit): %+v", rep)
		}
		checkpoints, err := audit.ReadCheckpoints(cps.Path())
		if err != nil || len(checkpoints) != 1 || checkpoints[0].Seq != 5 {
			t.Fatalf("checkpoints = %+v, %v; want one at record 5", checkpoints, err)
		}
		rep, err := l.VerifyWith(ctx, audit.VerifyOptions{Checkpoints: checkpoints})
		if err != nil {
			t.Fatal(err)
		}
		if rep.OK || rep.FirstBroken != 5 || !strings.Contains(rep.Problem, "checkpoint") {
			t.Errorf("VerifyWith(checkpoints) = %+v, want record 5 named missing by the checkpoint", rep)
		}
	})
}

func TestCheckpoints(t *testing.T) {
	eachStore(t, func(t *testing.T, db *testDB) {
		ctx := context.Background()
		dir := t.TempDir()
		cps, err := audit.OpenCheckpointFile(filepath.Join(dir, "checkpoints.jsonl"))
		if err != nil {
			t.Fatal(err)
		}
		l, err := db.open(ctx, audit.Options{Checkpoints: cps, CheckpointInterval: time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		appendFive(t, l)
		if c, err := l.Checkpoint(ctx); err != nil || c.Seq != 5 {
			t.Fatalf("Checkpoint = %+v, %v", c, err)
		}
		if c, _ := l.Checkpoint(ctx); c.Seq != 0 {
			t.Errorf("a checkpoint of an unmoved head was written again: %+v", c)
		}
		if err := l.Append(ctx, disclosure(nurse, citizenB, 6)); err != nil {
			t.Fatal(err)
		}
		if err := l.Close(); err != nil { // writes the last checkpoint
			t.Fatal(err)
		}
		got, err := audit.ReadCheckpoints(cps.Path())
		if err != nil || len(got) != 2 || got[1].Seq != 6 {
			t.Fatalf("checkpoints = %+v, %v; want records 5 and 6 (the last written on close)", got, err)
		}
		l = db.openLog(t, audit.Options{})
		if rep, _ := l.VerifyWith(ctx, audit.VerifyOptions{Checkpoints: got}); !rep.OK || rep.Checkpoints != 2 {
			t.Errorf("VerifyWith = %+v, want OK against both checkpoints", rep)
		}

		t.Run("an edited checkpoint is named", func(t *testing.T) {
			forged := append([]audit.Checkpoint(nil), got...)
			forged[0].Seq = 4
			if rep, _ := l.VerifyWith(ctx, audit.VerifyOptions{Checkpoints: forged}); rep.OK || !strings.Contains(rep.Problem, "line 1 has been changed") {
				t.Errorf("VerifyWith(edited) = %+v", rep)
			}
		})
		t.Run("a torn last line (a killed writer) is skipped", func(t *testing.T) {
			f, _ := os.OpenFile(cps.Path(), os.O_APPEND|os.O_WRONLY, 0)
			f.WriteString(`{"seq":7,"ha`)
			f.Close()
			if again, err := audit.ReadCheckpoints(cps.Path()); err != nil || len(again) != 2 {
				t.Errorf("ReadCheckpoints = %d, %v; want the two whole ones", len(again), err)
			}
		})
		t.Run("a malformed line in the middle is an error", func(t *testing.T) {
			bad := filepath.Join(dir, "bad.jsonl")
			os.WriteFile(bad, []byte("not json\n"), 0o600)
			if _, err := audit.ReadCheckpoints(bad); err == nil || !strings.Contains(err.Error(), "line 1") {
				t.Errorf("ReadCheckpoints = %v", err)
			}
		})
	})
}

// Rotation: records sealed under an old key verify when the old key is
// given as a previous one, and are named when it is not.
func TestKeyRotation(t *testing.T) {
	eachStore(t, func(t *testing.T, db *testDB) {
		ctx := context.Background()
		const oldKey, newKey = "the-old-chain-key-0123456789abcdefghij", "the-new-chain-key-0123456789abcdefghij"
		l, err := db.open(ctx, audit.Options{Keys: mustKeys(oldKey)})
		if err != nil {
			t.Fatal(err)
		}
		appendFive(t, l)
		l.Close()

		l = db.openLog(t, audit.Options{Keys: mustKeys(newKey, oldKey)})
		if err := l.Append(ctx, disclosure(nurse, citizenB, 6)); err != nil {
			t.Fatal(err)
		}
		if rep := verify(t, l); !rep.OK || rep.Records != 6 {
			t.Errorf("Verify with both keys = %+v", rep)
		}
		onlyNew := db.openLog(t, audit.Options{Keys: mustKeys(newKey)})
		if rep := verify(t, onlyNew); rep.OK || rep.FirstBroken != 1 || !strings.Contains(rep.Problem, mustKeys(oldKey).Current().ID()) {
			t.Errorf("Verify without the old key = %+v, want record 1 named with the old key's id", rep)
		}
	})
}

// A log written before chain keys: its unkeyed records verify when the
// operator names the last of them, and only then; a keyed record after
// them pins them.
func TestUnkeyedRecordsOfAnUpgradedLog(t *testing.T) {
	eachStore(t, func(t *testing.T, db *testDB) {
		ctx := context.Background()
		l := db.openLog(t, audit.Options{})
		appendFive(t, l)
		db.dropAppendOnlyGuards(t)
		// As version 1 wrote them: no key id, the unkeyed hash.
		rewriteFrom(t, db, l, 1, func(*audit.Record) {}, func(r audit.Record) (string, string) { return "", audit.UnkeyedRecordHash(r) })
		if err := l.Append(ctx, disclosure(nurse, citizenB, 6)); err != nil {
			t.Fatal(err)
		}
		if rep := verify(t, l); rep.OK || rep.FirstBroken != 1 {
			t.Errorf("Verify = %+v, want record 1 named as unkeyed", rep)
		}
		rep, _ := l.VerifyWith(ctx, audit.VerifyOptions{UnkeyedThrough: 5})
		if !rep.OK || rep.Records != 6 {
			t.Errorf("VerifyWith(unkeyed through 5) = %+v, want OK", rep)
		}
		rewriteFrom(t, db, l, 2, func(r *audit.Record) { r.Reason = "x" }, func(r audit.Record) (string, string) {
			if r.Seq > 5 {
				return r.KeyID, r.Hash // the forger cannot reseal record 6
			}
			return "", audit.UnkeyedRecordHash(r)
		})
		if rep, _ := l.VerifyWith(ctx, audit.VerifyOptions{UnkeyedThrough: 5}); rep.OK || rep.FirstBroken != 6 {
			t.Errorf("VerifyWith after rewriting the unkeyed part = %+v, want record 6 (whose seal pins them) named", rep)
		}
	})
}
