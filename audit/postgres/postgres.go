// Package postgres keeps the access log (package audit) in PostgreSQL
// (pgx), shared by every gateway replica with one global chain.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sundhedsklynge/klynge/audit"
	"github.com/sundhedsklynge/klynge/domain"
)

// postgresStore keeps the log in PostgreSQL, shared by every gateway
// replica. The chain is global: each writer transaction locks the one row
// of audit_chain_head (SELECT … FOR UPDATE), reads the previous hash there,
// inserts its batch and moves the head, so writers in different processes
// take turns and the chain has no forks or gaps.
type postgresStore struct {
	pool *pgxpool.Pool
	keys *audit.Keys
}

// Open connects to the database at dsn (a pgx connection string; its
// pool_max_conns and search_path settings apply), brings the log's schema up
// to date and starts the writer goroutine. The tables live in the first
// schema of the search path.
//
// A role that may only read (or a read-only standby) can open the log to
// Query and Verify once its schema is current; Append and Ping then fail.
func Open(ctx context.Context, dsn string, opts audit.Options) (*audit.Log, error) {
	if err := opts.CheckKeys(); err != nil {
		return nil, err
	}
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		// pgx's parse errors can quote the DSN, password included.
		return nil, errors.New("audit: open postgres: the connection string cannot be parsed")
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("audit: open postgres: %w", err)
	}
	if err := migratePostgres(ctx, pool); err != nil {
		pool.Close()
		return nil, fmt.Errorf("audit: open postgres: %w", err)
	}
	return audit.New(&postgresStore{pool: pool, keys: opts.Keys}, opts.WithDefaults()), nil
}

func (s *postgresStore) Close() error {
	s.pool.Close()
	return nil
}

var postgresRecordColumns = []string{"seq", "logged_at", "request_id", "subject", "role", "organization",
	"citizen", "pseudonymised", "fields", "sources", "purpose", "outcome", "reason", "flagged", "grant_id", "grant_hash",
	"prev_hash", "key_id", "hash"}

func (s *postgresStore) AppendBatch(ctx context.Context, recs []audit.Record) (err error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer func() {
		if err != nil {
			tx.Rollback(context.WithoutCancel(ctx))
		}
	}()
	head, err := lockHead(ctx, tx)
	if err != nil {
		return err
	}
	if err := s.sealAndInsert(ctx, tx, head, recs); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// lockHead locks the chain head's row, which serialises writers across
// processes until commit, and reads it.
func lockHead(ctx context.Context, tx pgx.Tx) (audit.ChainHead, error) {
	var head audit.ChainHead
	if err := tx.QueryRow(ctx, `SELECT seq, hash FROM audit_chain_head WHERE id = 1 FOR UPDATE`).Scan(&head.Seq, &head.Hash); err != nil {
		return head, fmt.Errorf("lock chain head: %w", err)
	}
	return head, nil
}

// sealAndInsert, inside a transaction holding the head: seals recs after
// head, inserts them and moves the head.
func (s *postgresStore) sealAndInsert(ctx context.Context, tx pgx.Tx, head audit.ChainHead, recs []audit.Record) error {
	if len(recs) == 0 {
		return nil
	}
	newHead := s.keys.Seal(recs, head)
	rows := make([][]any, len(recs))
	for i, r := range recs {
		rows[i] = []any{r.Seq, r.Time, r.RequestID, r.Principal.Subject, r.Principal.Role,
			r.Principal.Organization, string(r.Citizen), r.Pseudonymised, nonNil(r.Fields), nonNil(r.Sources),
			string(r.Purpose), string(r.Outcome), r.Reason, r.FlaggedForReview, r.GrantID, r.GrantHash,
			r.PrevHash, r.KeyID, r.Hash}
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"audit_records"}, postgresRecordColumns, pgx.CopyFromRows(rows)); err != nil {
		return fmt.Errorf("insert records %d to %d: %w", recs[0].Seq, newHead.Seq, err)
	}
	if _, err := tx.Exec(ctx, `UPDATE audit_chain_head SET seq = $1, hash = $2 WHERE id = 1`, newHead.Seq, newHead.Hash); err != nil {
		return fmt.Errorf("move chain head: %w", err)
	}
	return nil
}

var postgresRecordSelect = `SELECT ` + strings.Join(postgresRecordColumns, ", ") + ` FROM audit_records`

func scanPostgresRecord(rows pgx.Rows) (audit.Record, error) {
	var (
		r                         audit.Record
		citizen, purpose, outcome string
	)
	if err := rows.Scan(&r.Seq, &r.Time, &r.RequestID, &r.Principal.Subject, &r.Principal.Role,
		&r.Principal.Organization, &citizen, &r.Pseudonymised, &r.Fields, &r.Sources, &purpose, &outcome,
		&r.Reason, &r.FlaggedForReview, &r.GrantID, &r.GrantHash, &r.PrevHash, &r.KeyID, &r.Hash); err != nil {
		return audit.Record{}, err
	}
	r.Time = r.Time.UTC()
	r.Citizen, r.Purpose, r.Outcome = domain.CPR(citizen), audit.Purpose(purpose), audit.Outcome(outcome)
	r.Fields, r.Sources = cloneList(r.Fields), cloneList(r.Sources)
	return r, nil
}

func (s *postgresStore) Query(ctx context.Context, q audit.Query) ([]audit.Record, error) {
	var (
		where []string
		args  []any
	)
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	if q.Citizen != "" {
		where = append(where, "citizen = "+arg(string(q.Citizen)))
	}
	if q.Subject != "" {
		where = append(where, "subject = "+arg(q.Subject))
	}
	if q.FlaggedOnly {
		where = append(where, "flagged")
	}
	if q.After > 0 {
		where = append(where, "seq > "+arg(q.After))
	}
	if q.Before > 0 {
		where = append(where, "seq < "+arg(q.Before))
	}
	sqlText := postgresRecordSelect
	if len(where) > 0 {
		sqlText += " WHERE " + strings.Join(where, " AND ")
	}
	sqlText += " ORDER BY seq DESC LIMIT " + arg(q.First)

	rows, err := s.pool.Query(ctx, sqlText, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []audit.Record
	for rows.Next() {
		r, err := scanPostgresRecord(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func (s *postgresStore) Head(ctx context.Context) (audit.ChainHead, error) {
	var head audit.ChainHead
	err := s.pool.QueryRow(ctx, `SELECT seq, hash FROM audit_chain_head WHERE id = 1`).Scan(&head.Seq, &head.Hash)
	return head, err
}

func (s *postgresStore) Scan(ctx context.Context, onRecord func(audit.Record) error, onGrant func(audit.Grant) error) (audit.ChainHead, error) {
	// REPEATABLE READ: the head and every record come from one snapshot,
	// however many appends commit meanwhile.
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return audit.ChainHead{}, err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	var head audit.ChainHead
	if err := tx.QueryRow(ctx, `SELECT seq, hash FROM audit_chain_head WHERE id = 1`).Scan(&head.Seq, &head.Hash); err != nil {
		return audit.ChainHead{}, fmt.Errorf("read chain head: %w", err)
	}
	if err := scanRows(ctx, tx, postgresRecordSelect+` ORDER BY seq`, scanPostgresRecord, onRecord); err != nil {
		return head, err
	}
	return head, scanRows(ctx, tx, `SELECT `+postgresGrantColumns+` FROM audit_break_glass_grants ORDER BY id`,
		func(rows pgx.Rows) (audit.Grant, error) { return scanPostgresGrant(rows) }, onGrant)
}

// scanRows runs query in tx and calls fn for each row scan reads.
func scanRows[T any](ctx context.Context, tx pgx.Tx, query string, scan func(pgx.Rows) (T, error), fn func(T) error) error {
	rows, err := tx.Query(ctx, query)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return err
		}
		if err := fn(v); err != nil {
			return err
		}
	}
	return rows.Err()
}

func (s *postgresStore) Ping(ctx context.Context) error {
	// Asks whether a write would be accepted without taking the chain
	// head's lock, which would stall every replica's writer behind probes.
	var primary, readOnly, mayInsert, mayMoveHead bool
	err := s.pool.QueryRow(ctx, `SELECT NOT pg_is_in_recovery(),
		current_setting('transaction_read_only') = 'on',
		has_table_privilege('audit_records', 'INSERT'),
		has_table_privilege('audit_chain_head', 'UPDATE')`).Scan(&primary, &readOnly, &mayInsert, &mayMoveHead)
	switch {
	case err != nil:
		return err
	case !primary:
		return errors.New("the database is a read-only standby")
	case readOnly:
		return errors.New("the database session is read-only")
	case !mayInsert || !mayMoveHead:
		return errors.New("the database role may not write the log (INSERT on audit_records, UPDATE on audit_chain_head)")
	}
	return nil
}

func timeOrZero(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

func nonNil(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}

func cloneList(l []string) []string {
	if len(l) == 0 {
		return nil
	}
	return append([]string(nil), l...)
}
