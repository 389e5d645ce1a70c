package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sundhedsklynge/klynge/audit"
)

// postgresMigrations are applied in order, each once, in one transaction with
// its row in audit_schema_version. Never edit a published migration; add
// the next one. They must match sqliteMigrations in number.
var postgresMigrations = []string{
	1: `
CREATE TABLE audit_records (
	seq           bigint      PRIMARY KEY,
	logged_at     timestamptz NOT NULL,
	request_id    text        NOT NULL,
	subject       text        NOT NULL,
	role          text        NOT NULL,
	organization  text        NOT NULL,
	citizen       text        NOT NULL, -- '' when the record concerns no citizen
	pseudonymised boolean     NOT NULL,
	fields        text[]      NOT NULL,
	sources       text[]      NOT NULL,
	purpose       text        NOT NULL,
	outcome       text        NOT NULL,
	reason        text        NOT NULL,
	flagged       boolean     NOT NULL,
	prev_hash     text        NOT NULL,
	hash          text        NOT NULL
);
CREATE INDEX audit_records_citizen_seq ON audit_records (citizen, seq);
CREATE INDEX audit_records_subject_seq ON audit_records (subject, seq);
CREATE INDEX audit_records_flagged_seq ON audit_records (seq) WHERE flagged;

-- The log is append-only. These triggers stop mistakes; they cannot stop
-- someone who may drop them, which is what Verify is for.
CREATE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'audit records are append-only';
END
$$;
CREATE TRIGGER audit_records_append_only BEFORE UPDATE OR DELETE ON audit_records
	FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_records_no_truncate BEFORE TRUNCATE ON audit_records
	FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();

-- The sealed end of the chain: lets Verify see a deleted tail, and is the
-- row every writer locks and reads the previous hash from.
CREATE TABLE audit_chain_head (
	id   smallint PRIMARY KEY CHECK (id = 1),
	seq  bigint   NOT NULL,
	hash text     NOT NULL
);
INSERT INTO audit_chain_head (id, seq, hash) VALUES (1, 0, '` + audit.GenesisHash + `');
CREATE FUNCTION audit_chain_head_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.seq < OLD.seq THEN
		RAISE EXCEPTION 'the audit chain head only moves forward';
	END IF;
	RETURN NEW;
END
$$;
CREATE TRIGGER audit_chain_head_forward_only BEFORE UPDATE ON audit_chain_head
	FOR EACH ROW EXECUTE FUNCTION audit_chain_head_forward_only();
CREATE TRIGGER audit_chain_head_no_delete BEFORE DELETE ON audit_chain_head
	FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();

CREATE TABLE audit_break_glass_grants (
	id           bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	subject      text        NOT NULL,
	role         text        NOT NULL,
	organization text        NOT NULL,
	citizen      text        NOT NULL,
	reason       text        NOT NULL CHECK (reason <> ''),
	granted_at   timestamptz NOT NULL,
	expires_at   timestamptz NOT NULL,
	reviewed_by  text        NOT NULL DEFAULT '',
	reviewed_at  timestamptz,           -- NULL until reviewed
	review_note  text        NOT NULL DEFAULT ''
);
CREATE INDEX audit_break_glass_grants_active ON audit_break_glass_grants (subject, citizen, expires_at);
CREATE INDEX audit_break_glass_grants_unreviewed ON audit_break_glass_grants (id) WHERE reviewed_at IS NULL;
`,
	// Version 2: records sealed with a chain key (key_id; '' for the
	// unkeyed records before), grants sealed (key_id, seal) and attested by
	// the record of each change (grant_id, grant_hash); grant IDs are
	// reserved from the identity's sequence before the grant is written.
	2: `
ALTER TABLE audit_records ADD COLUMN grant_id   bigint NOT NULL DEFAULT 0;
ALTER TABLE audit_records ADD COLUMN grant_hash text   NOT NULL DEFAULT '';
ALTER TABLE audit_records ADD COLUMN key_id     text   NOT NULL DEFAULT '';
ALTER TABLE audit_break_glass_grants ADD COLUMN key_id text NOT NULL DEFAULT '';
ALTER TABLE audit_break_glass_grants ADD COLUMN seal   text NOT NULL DEFAULT '';
CREATE INDEX audit_break_glass_grants_subject_granted ON audit_break_glass_grants (subject, granted_at);

-- A grant's identity and terms never change; only its review is written,
-- once. Like the log's, these triggers stop mistakes; the seals stop the
-- rest.
CREATE FUNCTION audit_grant_terms_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.id <> OLD.id OR NEW.subject <> OLD.subject OR NEW.role <> OLD.role OR NEW.organization <> OLD.organization
		OR NEW.citizen <> OLD.citizen OR NEW.reason <> OLD.reason OR NEW.granted_at <> OLD.granted_at
		OR NEW.expires_at <> OLD.expires_at OR OLD.reviewed_at IS NOT NULL THEN
		RAISE EXCEPTION 'a break-the-glass grant''s terms are fixed and its review is written once';
	END IF;
	RETURN NEW;
END
$$;
CREATE TRIGGER audit_break_glass_grants_terms_fixed BEFORE UPDATE ON audit_break_glass_grants
	FOR EACH ROW EXECUTE FUNCTION audit_grant_terms_fixed();
CREATE TRIGGER audit_break_glass_grants_no_delete BEFORE DELETE ON audit_break_glass_grants
	FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_break_glass_grants_no_truncate BEFORE TRUNCATE ON audit_break_glass_grants
	FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
`,
}

func postgresSchemaVersion(ctx context.Context, q interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}) (int, error) {
	var exists bool
	if err := q.QueryRow(ctx, `SELECT to_regclass('audit_schema_version') IS NOT NULL`).Scan(&exists); err != nil {
		return 0, fmt.Errorf("migrate: look for version table: %w", err)
	}
	if !exists {
		return 0, nil
	}
	var v int
	if err := q.QueryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM audit_schema_version`).Scan(&v); err != nil {
		return 0, fmt.Errorf("migrate: read version: %w", err)
	}
	return v, nil
}

// schemaVersion is the version this code writes and understands.
var schemaVersion = len(postgresMigrations) - 1

func migratePostgres(ctx context.Context, pool *pgxpool.Pool) (err error) {
	if schemaVersion != audit.SchemaVersion {
		return fmt.Errorf("migrate: postgres migrations end at version %d, the log's tables are at %d", schemaVersion, audit.SchemaVersion)
	}
	// Look first without writing, so that a read-only role can open a
	// current log to query and verify it.
	current, err := postgresSchemaVersion(ctx, pool)
	if err != nil {
		return err
	}
	if current == schemaVersion {
		return nil
	}
	if current > schemaVersion {
		return fmt.Errorf("migrate: database schema version %d is newer than this program understands (%d)", current, schemaVersion)
	}

	tx, err := pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("migrate: begin: %w", err)
	}
	defer func() {
		if err != nil {
			tx.Rollback(context.WithoutCancel(ctx))
		}
	}()
	// Replicas starting together take turns; the lock is per schema, so
	// logs in different schemas of one database migrate independently.
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext(COALESCE(current_schema(), '') || '.klynge_audit_migrate'))`); err != nil {
		return fmt.Errorf("migrate: lock: %w", err)
	}
	if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS audit_schema_version (
		version    integer     PRIMARY KEY,
		applied_at timestamptz NOT NULL DEFAULT now()
	)`); err != nil {
		return fmt.Errorf("migrate: create version table: %w", err)
	}
	if current, err = postgresSchemaVersion(ctx, tx); err != nil {
		return err
	}
	if current > schemaVersion {
		return fmt.Errorf("migrate: database schema version %d is newer than this program understands (%d)", current, schemaVersion)
	}
	for v := current + 1; v <= schemaVersion; v++ {
		if _, err := tx.Exec(ctx, postgresMigrations[v]); err != nil {
			return fmt.Errorf("migrate: version %d: %w", v, err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO audit_schema_version (version) VALUES ($1)`, v); err != nil {
			return fmt.Errorf("migrate: record version %d: %w", v, err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("migrate: commit: %w", err)
	}
	return nil
}
