package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/sundhedsklynge/klynge/audit"
	"github.com/sundhedsklynge/klynge/domain"
)

const sqliteGrantColumns = `id, subject, role, organization, citizen, reason, granted_at_us, expires_at_us,
	reviewed_by, reviewed_at_us, review_note, key_id, seal`

func scanSQLiteGrant(row interface{ Scan(...any) error }) (audit.Grant, error) {
	var (
		g                audit.Grant
		citizen          string
		granted, expires int64
		reviewedAt       sql.NullInt64
	)
	if err := row.Scan(&g.ID, &g.Principal.Subject, &g.Principal.Role, &g.Principal.Organization, &citizen,
		&g.Reason, &granted, &expires, &g.ReviewedBy, &reviewedAt, &g.ReviewNote, &g.KeyID, &g.Hash); err != nil {
		return audit.Grant{}, err
	}
	g.Citizen = domain.CPR(citizen)
	g.GrantedAt = time.UnixMicro(granted).UTC()
	g.ExpiresAt = time.UnixMicro(expires).UTC()
	if reviewedAt.Valid {
		g.ReviewedAt = time.UnixMicro(reviewedAt.Int64).UTC()
	}
	return g, nil
}

func (s *sqliteStore) ReserveGrantID(ctx context.Context) (int64, error) {
	var id int64
	err := s.writer.QueryRowContext(ctx, `UPDATE audit_grant_ids SET last = last + 1 WHERE id = 1 RETURNING last`).Scan(&id)
	return id, err
}

func (s *sqliteStore) WriteGrants(ctx context.Context, recs []audit.Record, change func(audit.GrantTx) error) (err error) {
	tx, err := s.writer.BeginTx(ctx, nil) // BEGIN IMMEDIATE: takes the write lock
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()
	if err := change(sqliteGrantTx{ctx: ctx, tx: tx}); err != nil {
		return err
	}
	if err := s.sealAndInsert(ctx, tx, recs); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// sqliteGrantTx is the grant register inside a write transaction.
type sqliteGrantTx struct {
	ctx context.Context
	tx  *sql.Tx
}

func (t sqliteGrantTx) CountGranted(subject string, since time.Time) (int, error) {
	var n int
	err := t.tx.QueryRowContext(t.ctx, `SELECT COUNT(*) FROM audit_break_glass_grants WHERE subject = ? AND granted_at_us >= ?`,
		subject, since.UnixMicro()).Scan(&n)
	return n, err
}

func (t sqliteGrantTx) Insert(g audit.Grant) error {
	_, err := t.tx.ExecContext(t.ctx, `INSERT INTO audit_break_glass_grants
		(id, subject, role, organization, citizen, reason, granted_at_us, expires_at_us, key_id, seal) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		g.ID, g.Principal.Subject, g.Principal.Role, g.Principal.Organization, string(g.Citizen), g.Reason,
		g.GrantedAt.UnixMicro(), g.ExpiresAt.UnixMicro(), g.KeyID, g.Hash)
	if err != nil {
		return fmt.Errorf("insert grant %d: %w", g.ID, err)
	}
	return nil
}

func (t sqliteGrantTx) Get(id int64) (audit.Grant, bool, error) {
	g, err := scanSQLiteGrant(t.tx.QueryRowContext(t.ctx, `SELECT `+sqliteGrantColumns+` FROM audit_break_glass_grants WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return audit.Grant{}, false, nil
	}
	return g, err == nil, err
}

func (t sqliteGrantTx) UpdateReview(g audit.Grant) error {
	res, err := t.tx.ExecContext(t.ctx, `UPDATE audit_break_glass_grants
		SET reviewed_by = ?, reviewed_at_us = ?, review_note = ?, key_id = ?, seal = ? WHERE id = ? AND reviewed_at_us IS NULL`,
		g.ReviewedBy, g.ReviewedAt.UnixMicro(), g.ReviewNote, g.KeyID, g.Hash, g.ID)
	if err != nil {
		return fmt.Errorf("review grant %d: %w", g.ID, err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return audit.ErrAlreadyReviewed
	}
	return nil
}

// sqlActiveGrants takes the citizens as one JSON array, so that one
// prepared statement answers for any number of them, searching the
// (subject, citizen, expires_at_us) index once per citizen. It names that
// index: without statistics SQLite otherwise prefers (subject,
// granted_at_us), which walks every grant the subject ever had.
const sqlActiveGrants = `SELECT ` + sqliteGrantColumns + ` FROM audit_break_glass_grants INDEXED BY audit_break_glass_grants_active
	WHERE subject = ? AND role = ? AND organization = ? AND citizen IN (SELECT value FROM json_each(?))
	AND granted_at_us <= ? AND expires_at_us > ?
	ORDER BY expires_at_us DESC, id DESC`

func (s *sqliteStore) Grants(ctx context.Context, q audit.GrantQuery) ([]audit.Grant, error) {
	var rows *sql.Rows
	var err error
	if q.ID != 0 {
		rows, err = s.reader.QueryContext(ctx, `SELECT `+sqliteGrantColumns+` FROM audit_break_glass_grants WHERE id = ?`, q.ID)
	} else {
		citizens, _ := json.Marshal(nonNil(q.Citizens))
		at := q.At.UnixMicro()
		rows, err = s.activeGrants.QueryContext(ctx, q.Principal.Subject, q.Principal.Role, q.Principal.Organization, string(citizens), at, at)
	}
	if err != nil {
		return nil, err
	}
	return collectGrants(rows)
}

func collectGrants(rows *sql.Rows) ([]audit.Grant, error) {
	defer rows.Close()
	var out []audit.Grant
	for rows.Next() {
		g, err := scanSQLiteGrant(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

func (s *sqliteStore) CountGranted(ctx context.Context, subject string, since time.Time) (int, error) {
	var n int
	err := s.reader.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_break_glass_grants WHERE subject = ? AND granted_at_us >= ?`,
		subject, since.UnixMicro()).Scan(&n)
	return n, err
}

func (s *sqliteStore) ReviewQueue(ctx context.Context, q audit.ReviewQuery) ([]audit.Grant, error) {
	where := []string{"id > ?"}
	args := []any{q.After}
	if q.Reviewed != nil {
		if *q.Reviewed {
			where = append(where, "reviewed_at_us IS NOT NULL")
		} else {
			where = append(where, "reviewed_at_us IS NULL")
		}
	}
	args = append(args, q.First)
	rows, err := s.reader.QueryContext(ctx, `SELECT `+sqliteGrantColumns+` FROM audit_break_glass_grants
		WHERE `+strings.Join(where, " AND ")+` ORDER BY id LIMIT ?`, args...)
	if err != nil {
		return nil, err
	}
	return collectGrants(rows)
}
