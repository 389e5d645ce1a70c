// Package sqlite keeps the access log (package audit) in one SQLite file:
// embedded, pure Go (modernc.org/sqlite), WAL with synchronous=FULL, so a
// commit is durable when Append returns. For one gateway process; several
// replicas share audit/postgres instead.
package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	_ "modernc.org/sqlite" // registers the pure-Go "sqlite" driver

	"github.com/sundhedsklynge/klynge/audit"
	"github.com/sundhedsklynge/klynge/domain"
)

// sqliteStore keeps the log in one SQLite file. Writes go through one
// connection whose transactions begin IMMEDIATE, so a transaction holds the
// database's write lock from its first statement and reads the chain head
// no other writer (in this or another process) can move. Reads use a
// separate pool of query-only connections, which in WAL mode see a
// consistent snapshot without blocking the writer.
type sqliteStore struct {
	writer *sql.DB
	reader *sql.DB
	keys   *audit.Keys
	// The append's statements, prepared once on the writer's one
	// connection: preparing them for every transaction cost more CPU than
	// executing them.
	readHead, insert, moveHead *sql.Stmt
	// The break-the-glass register's read, asked for every citizen a
	// request reads; prepared once on the reader pool for the same reason.
	activeGrants *sql.Stmt
}

const (
	sqlReadHead = `SELECT seq, hash FROM audit_chain_head WHERE id = 1`
	sqlInsert   = `INSERT INTO audit_records (seq, time_us, request_id, subject, role, organization,
		citizen, pseudonymised, fields, sources, purpose, outcome, reason, flagged, grant_id, grant_hash, prev_hash, key_id, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	sqlMoveHead = `UPDATE audit_chain_head SET seq = ?, hash = ? WHERE id = 1`
)

// Open opens (creating if needed) the log in the SQLite file at path,
// brings its schema up to date, and starts the writer goroutine. Commits
// are durable on return (WAL, synchronous=FULL). A statement waits up to
// Options.CommitTimeout for another connection's lock (SQLite's busy
// timeout).
func Open(ctx context.Context, path string, opts audit.Options) (*audit.Log, error) {
	opts = opts.WithDefaults()
	if err := opts.CheckKeys(); err != nil {
		return nil, err
	}
	s, err := openStore(ctx, path, opts.CommitTimeout)
	if err != nil {
		return nil, err
	}
	s.keys = opts.Keys
	return audit.New(s, opts), nil
}

func openStore(ctx context.Context, path string, busyTimeout time.Duration) (*sqliteStore, error) {
	if path == "" || path == ":memory:" || strings.HasPrefix(path, "file:") {
		return nil, errors.New("audit: open sqlite: path must name a file (an in-memory database is not durable)")
	}
	if strings.ContainsAny(path, "?#") {
		return nil, errors.New("audit: open sqlite: path must not contain '?' or '#'")
	}
	common := url.Values{}
	common.Set("_busy_timeout", fmt.Sprint(busyTimeout.Milliseconds()))
	common.Set("_journal_mode", "WAL")
	common.Set("_synchronous", "FULL")

	wq := url.Values{}
	for k, v := range common {
		wq[k] = v
	}
	wq.Set("_txlock", "immediate")
	writer, err := sql.Open("sqlite", path+"?"+wq.Encode())
	if err != nil {
		return nil, fmt.Errorf("audit: open sqlite: %w", err)
	}
	// One writer connection: the group-commit goroutine is the only
	// frequent writer, and grants and pings queue briefly behind it.
	writer.SetMaxOpenConns(1)
	writer.SetConnMaxIdleTime(0)
	if err := migrateSQLite(ctx, writer); err != nil {
		writer.Close()
		return nil, fmt.Errorf("audit: open sqlite: %w", err)
	}

	rq := url.Values{}
	for k, v := range common {
		rq[k] = v
	}
	rq.Set("_query_only", "1")
	reader, err := sql.Open("sqlite", path+"?"+rq.Encode())
	if err != nil {
		writer.Close()
		return nil, fmt.Errorf("audit: open sqlite: %w", err)
	}
	reader.SetMaxOpenConns(4)
	if err := reader.PingContext(ctx); err != nil {
		writer.Close()
		reader.Close()
		return nil, fmt.Errorf("audit: open sqlite: %w", err)
	}
	st := &sqliteStore{writer: writer, reader: reader}
	for _, p := range []struct {
		stmt **sql.Stmt
		sql  string
	}{{&st.readHead, sqlReadHead}, {&st.insert, sqlInsert}, {&st.moveHead, sqlMoveHead}} {
		if *p.stmt, err = writer.PrepareContext(ctx, p.sql); err != nil {
			st.Close()
			return nil, fmt.Errorf("audit: open sqlite: prepare: %w", err)
		}
	}
	if st.activeGrants, err = reader.PrepareContext(ctx, sqlActiveGrants); err != nil {
		st.Close()
		return nil, fmt.Errorf("audit: open sqlite: prepare: %w", err)
	}
	return st, nil
}

func (s *sqliteStore) Close() error {
	for _, st := range []*sql.Stmt{s.readHead, s.insert, s.moveHead, s.activeGrants} {
		if st != nil {
			st.Close()
		}
	}
	return errors.Join(s.writer.Close(), s.reader.Close())
}

func (s *sqliteStore) AppendBatch(ctx context.Context, recs []audit.Record) (err error) {
	tx, err := s.writer.BeginTx(ctx, nil) // BEGIN IMMEDIATE: takes the write lock
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()
	if err := s.sealAndInsert(ctx, tx, recs); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// sealAndInsert, inside a write transaction: reads the chain head, seals
// recs after it, inserts them and moves the head.
func (s *sqliteStore) sealAndInsert(ctx context.Context, tx *sql.Tx, recs []audit.Record) error {
	var head audit.ChainHead
	if err := tx.StmtContext(ctx, s.readHead).QueryRowContext(ctx).Scan(&head.Seq, &head.Hash); err != nil {
		return fmt.Errorf("read chain head: %w", err)
	}
	if len(recs) == 0 {
		return nil
	}
	newHead := s.keys.Seal(recs, head)

	stmt := tx.StmtContext(ctx, s.insert)
	for _, r := range recs {
		fields, _ := json.Marshal(nonNil(r.Fields))
		sources, _ := json.Marshal(nonNil(r.Sources))
		if _, err := stmt.ExecContext(ctx, r.Seq, r.Time.UnixMicro(), r.RequestID, r.Principal.Subject,
			r.Principal.Role, r.Principal.Organization, string(r.Citizen), r.Pseudonymised,
			string(fields), string(sources), string(r.Purpose), string(r.Outcome), r.Reason,
			r.FlaggedForReview, r.GrantID, r.GrantHash, r.PrevHash, r.KeyID, r.Hash); err != nil {
			return fmt.Errorf("insert record %d: %w", r.Seq, err)
		}
	}
	if _, err := tx.StmtContext(ctx, s.moveHead).ExecContext(ctx, newHead.Seq, newHead.Hash); err != nil {
		return fmt.Errorf("move chain head: %w", err)
	}
	return nil
}

const sqliteRecordColumns = `seq, time_us, request_id, subject, role, organization, citizen, pseudonymised,
	fields, sources, purpose, outcome, reason, flagged, grant_id, grant_hash, prev_hash, key_id, hash`

func scanSQLiteRecord(rows *sql.Rows) (audit.Record, error) {
	var (
		r               audit.Record
		timeUS          int64
		fields, sources string
		citizen         string
		purpose         string
		outcome         string
	)
	if err := rows.Scan(&r.Seq, &timeUS, &r.RequestID, &r.Principal.Subject, &r.Principal.Role,
		&r.Principal.Organization, &citizen, &r.Pseudonymised, &fields, &sources, &purpose, &outcome,
		&r.Reason, &r.FlaggedForReview, &r.GrantID, &r.GrantHash, &r.PrevHash, &r.KeyID, &r.Hash); err != nil {
		return audit.Record{}, err
	}
	r.Time = time.UnixMicro(timeUS).UTC()
	r.Citizen = domain.CPR(citizen)
	r.Purpose, r.Outcome = audit.Purpose(purpose), audit.Outcome(outcome)
	var err error
	if r.Fields, err = decodeList(fields); err != nil {
		return audit.Record{}, fmt.Errorf("record %d: fields: %w", r.Seq, err)
	}
	if r.Sources, err = decodeList(sources); err != nil {
		return audit.Record{}, fmt.Errorf("record %d: sources: %w", r.Seq, err)
	}
	return r, nil
}

func (s *sqliteStore) Query(ctx context.Context, q audit.Query) ([]audit.Record, error) {
	var (
		where []string
		args  []any
	)
	if q.Citizen != "" {
		where = append(where, "citizen = ?")
		args = append(args, string(q.Citizen))
	}
	if q.Subject != "" {
		where = append(where, "subject = ?")
		args = append(args, q.Subject)
	}
	if q.FlaggedOnly {
		where = append(where, "flagged = 1")
	}
	if q.After > 0 {
		where = append(where, "seq > ?")
		args = append(args, q.After)
	}
	if q.Before > 0 {
		where = append(where, "seq < ?")
		args = append(args, q.Before)
	}
	sqlText := `SELECT ` + sqliteRecordColumns + ` FROM audit_records`
	if len(where) > 0 {
		sqlText += " WHERE " + strings.Join(where, " AND ")
	}
	sqlText += " ORDER BY seq DESC LIMIT ?"
	args = append(args, q.First)

	rows, err := s.reader.QueryContext(ctx, sqlText, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []audit.Record
	for rows.Next() {
		r, err := scanSQLiteRecord(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func (s *sqliteStore) Head(ctx context.Context) (audit.ChainHead, error) {
	var head audit.ChainHead
	err := s.reader.QueryRowContext(ctx, `SELECT seq, hash FROM audit_chain_head WHERE id = 1`).Scan(&head.Seq, &head.Hash)
	return head, err
}

func (s *sqliteStore) Scan(ctx context.Context, onRecord func(audit.Record) error, onGrant func(audit.Grant) error) (audit.ChainHead, error) {
	// A read transaction on a WAL database reads one snapshot from its
	// first statement to its end, so the head and the records agree.
	tx, err := s.reader.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return audit.ChainHead{}, err
	}
	defer tx.Rollback()
	var head audit.ChainHead
	if err := tx.QueryRowContext(ctx, sqlReadHead).Scan(&head.Seq, &head.Hash); err != nil {
		return audit.ChainHead{}, fmt.Errorf("read chain head: %w", err)
	}
	if err := scanRows(ctx, tx, `SELECT `+sqliteRecordColumns+` FROM audit_records ORDER BY seq`, scanSQLiteRecord, onRecord); err != nil {
		return head, err
	}
	return head, scanRows(ctx, tx, `SELECT `+sqliteGrantColumns+` FROM audit_break_glass_grants ORDER BY id`,
		func(rows *sql.Rows) (audit.Grant, error) { return scanSQLiteGrant(rows) }, onGrant)
}

// scanRows runs query in tx and calls fn for each row scan reads.
func scanRows[T any](ctx context.Context, tx *sql.Tx, query string, scan func(*sql.Rows) (T, error), fn func(T) error) error {
	rows, err := tx.QueryContext(ctx, query)
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

func (s *sqliteStore) Ping(ctx context.Context) error {
	// BEGIN IMMEDIATE takes the write lock and the no-op update needs a
	// writable file; rolling back leaves nothing behind.
	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	_, err = tx.ExecContext(ctx, `UPDATE audit_chain_head SET seq = seq WHERE id = 1`)
	return err
}

func nonNil(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}

func decodeList(s string) ([]string, error) {
	var l []string
	if err := json.Unmarshal([]byte(s), &l); err != nil {
		return nil, err
	}
	if len(l) == 0 {
		return nil, nil
	}
	return l, nil
}
