package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/sundhedsklynge/klynge/audit"
)

// sqliteMigrations are applied in order, each once, in one transaction with
// its row in audit_schema_version. Never edit a published migration; add
// the next one.
var sqliteMigrations = []string{
	1: `
CREATE TABLE audit_records (
	seq           INTEGER PRIMARY KEY,
	time_us       INTEGER NOT NULL, -- microseconds since the Unix epoch, UTC
	request_id    TEXT    NOT NULL,
	subject       TEXT    NOT NULL,
	role          TEXT    NOT NULL,
	organization  TEXT    NOT NULL,
	citizen       TEXT    NOT NULL, -- '' when the record concerns no citizen
	pseudonymised INTEGER NOT NULL,
	fields        TEXT    NOT NULL, -- JSON array of strings
	sources       TEXT    NOT NULL, -- JSON array of strings
	purpose       TEXT    NOT NULL,
	outcome       TEXT    NOT NULL,
	reason        TEXT    NOT NULL,
	flagged       INTEGER NOT NULL,
	prev_hash     TEXT    NOT NULL,
	hash          TEXT    NOT NULL
);
CREATE INDEX audit_records_citizen_seq ON audit_records (citizen, seq);
CREATE INDEX audit_records_subject_seq ON audit_records (subject, seq);
CREATE INDEX audit_records_flagged_seq ON audit_records (seq) WHERE flagged = 1;

-- The log is append-only. These triggers stop mistakes; they cannot stop
-- someone who may drop them, which is what Verify is for.
CREATE TRIGGER audit_records_no_update BEFORE UPDATE ON audit_records
BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;
CREATE TRIGGER audit_records_no_delete BEFORE DELETE ON audit_records
BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;

-- The sealed end of the chain: lets Verify see a deleted tail, and is the
-- row every writer reads the previous hash from inside its transaction.
CREATE TABLE audit_chain_head (
	id   INTEGER PRIMARY KEY CHECK (id = 1),
	seq  INTEGER NOT NULL,
	hash TEXT    NOT NULL
);
INSERT INTO audit_chain_head (id, seq, hash) VALUES (1, 0, '` + audit.GenesisHash + `');
CREATE TRIGGER audit_chain_head_forward_only BEFORE UPDATE ON audit_chain_head
WHEN NEW.seq < OLD.seq BEGIN SELECT RAISE(ABORT, 'the audit chain head only moves forward'); END;
CREATE TRIGGER audit_chain_head_no_delete BEFORE DELETE ON audit_chain_head
BEGIN SELECT RAISE(ABORT, 'the audit chain head cannot be deleted'); END;

CREATE TABLE audit_break_glass_grants (
	id             INTEGER PRIMARY KEY AUTOINCREMENT,
	subject        TEXT    NOT NULL,
	role           TEXT    NOT NULL,
	organization   TEXT    NOT NULL,
	citizen        TEXT    NOT NULL,
	reason         TEXT    NOT NULL CHECK (reason <> ''),
	granted_at_us  INTEGER NOT NULL,
	expires_at_us  INTEGER NOT NULL,
	reviewed_by    TEXT    NOT NULL DEFAULT '',
	reviewed_at_us INTEGER,          -- NULL until reviewed
	review_note    TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX audit_break_glass_grants_active ON audit_break_glass_grants (subject, citizen, expires_at_us);
CREATE INDEX audit_break_glass_grants_unreviewed ON audit_break_glass_grants (id) WHERE reviewed_at_us IS NULL;
`,
	// Version 2: records sealed with a chain key (key_id; '' for the
	// unkeyed records before), grants sealed (key_id, seal) and attested by
	// the record of each change (grant_id, grant_hash), and grant IDs
	// reserved before the grant is written.
	2: `
ALTER TABLE audit_records ADD COLUMN grant_id   INTEGER NOT NULL DEFAULT 0;
ALTER TABLE audit_records ADD COLUMN grant_hash TEXT    NOT NULL DEFAULT '';
ALTER TABLE audit_records ADD COLUMN key_id     TEXT    NOT NULL DEFAULT '';
ALTER TABLE audit_break_glass_grants ADD COLUMN key_id TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_break_glass_grants ADD COLUMN seal   TEXT NOT NULL DEFAULT '';
CREATE INDEX audit_break_glass_grants_subject_granted ON audit_break_glass_grants (subject, granted_at_us);

-- The last grant ID handed out (ReserveGrantID).
CREATE TABLE audit_grant_ids (
	id   INTEGER PRIMARY KEY CHECK (id = 1),
	last INTEGER NOT NULL
);
INSERT INTO audit_grant_ids (id, last) SELECT 1, COALESCE(MAX(id), 0) FROM audit_break_glass_grants;

-- A grant's identity and terms never change; only its review is written,
-- once. Like the log's, these triggers stop mistakes; the seals stop the
-- rest.
CREATE TRIGGER audit_break_glass_grants_terms_fixed BEFORE UPDATE ON audit_break_glass_grants
WHEN NEW.id <> OLD.id OR NEW.subject <> OLD.subject OR NEW.role <> OLD.role OR NEW.organization <> OLD.organization
	OR NEW.citizen <> OLD.citizen OR NEW.reason <> OLD.reason OR NEW.granted_at_us <> OLD.granted_at_us
	OR NEW.expires_at_us <> OLD.expires_at_us OR OLD.reviewed_at_us IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'a break-the-glass grant''s terms are fixed and its review is written once'); END;
CREATE TRIGGER audit_break_glass_grants_no_delete BEFORE DELETE ON audit_break_glass_grants
BEGIN SELECT RAISE(ABORT, 'break-the-glass grants are never deleted'); END;
`,
}

// schemaVersion is the version this code writes and understands.
var schemaVersion = len(sqliteMigrations) - 1

func migrateSQLite(ctx context.Context, db *sql.DB) (err error) {
	if schemaVersion != audit.SchemaVersion {
		return fmt.Errorf("migrate: sqlite migrations end at version %d, the log's tables are at %d", schemaVersion, audit.SchemaVersion)
	}
	tx, err := db.BeginTx(ctx, nil) // IMMEDIATE: one migrator at a time
	if err != nil {
		return fmt.Errorf("migrate: begin: %w", err)
	}
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS audit_schema_version (
		version    INTEGER PRIMARY KEY,
		applied_us INTEGER NOT NULL
	)`); err != nil {
		return fmt.Errorf("migrate: create version table: %w", err)
	}
	var current int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM audit_schema_version`).Scan(&current); err != nil {
		return fmt.Errorf("migrate: read version: %w", err)
	}
	if current > schemaVersion {
		return fmt.Errorf("migrate: database schema version %d is newer than this program understands (%d)", current, schemaVersion)
	}
	for v := current + 1; v <= schemaVersion; v++ {
		if _, err := tx.ExecContext(ctx, sqliteMigrations[v]); err != nil {
			return fmt.Errorf("migrate: version %d: %w", v, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO audit_schema_version (version, applied_us) VALUES (?, strftime('%s','now') * 1000000)`, v); err != nil {
			return fmt.Errorf("migrate: record version %d: %w", v, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migrate: commit: %w", err)
	}
	return nil
}
