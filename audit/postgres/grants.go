package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/sundhedsklynge/klynge/audit"
	"github.com/sundhedsklynge/klynge/domain"
)

const postgresGrantColumns = `id, subject, role, organization, citizen, reason, granted_at, expires_at,
	reviewed_by, reviewed_at, review_note, key_id, seal`

func scanPostgresGrant(row pgx.Row) (audit.Grant, error) {
	var (
		g          audit.Grant
		citizen    string
		reviewedAt *time.Time
	)
	if err := row.Scan(&g.ID, &g.Principal.Subject, &g.Principal.Role, &g.Principal.Organization, &citizen,
		&g.Reason, &g.GrantedAt, &g.ExpiresAt, &g.ReviewedBy, &reviewedAt, &g.ReviewNote, &g.KeyID, &g.Hash); err != nil {
		return audit.Grant{}, err
	}
	g.Citizen = domain.CPR(citizen)
	g.GrantedAt, g.ExpiresAt = g.GrantedAt.UTC(), g.ExpiresAt.UTC()
	g.ReviewedAt = timeOrZero(reviewedAt)
	return g, nil
}

func (s *postgresStore) ReserveGrantID(ctx context.Context) (int64, error) {
	// A sequence hands out each value once, whatever transactions do.
	var id int64
	err := s.pool.QueryRow(ctx, `SELECT nextval(pg_get_serial_sequence('audit_break_glass_grants', 'id'))`).Scan(&id)
	return id, err
}

func (s *postgresStore) WriteGrants(ctx context.Context, recs []audit.Record, change func(audit.GrantTx) error) (err error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer func() {
		if err != nil {
			tx.Rollback(context.WithoutCancel(ctx))
		}
	}()
	// The head's lock first, as every writer takes it: grant changes and
	// appends of every replica take turns.
	head, err := lockHead(ctx, tx)
	if err != nil {
		return err
	}
	if err := change(postgresGrantTx{ctx: ctx, tx: tx}); err != nil {
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

// postgresGrantTx is the grant register inside a write transaction.
type postgresGrantTx struct {
	ctx context.Context
	tx  pgx.Tx
}

func (t postgresGrantTx) CountGranted(subject string, since time.Time) (int, error) {
	var n int
	err := t.tx.QueryRow(t.ctx, `SELECT COUNT(*) FROM audit_break_glass_grants WHERE subject = $1 AND granted_at >= $2`,
		subject, since).Scan(&n)
	return n, err
}

func (t postgresGrantTx) Insert(g audit.Grant) error {
	_, err := t.tx.Exec(t.ctx, `INSERT INTO audit_break_glass_grants
		(id, subject, role, organization, citizen, reason, granted_at, expires_at, key_id, seal)
		OVERRIDING SYSTEM VALUE VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		g.ID, g.Principal.Subject, g.Principal.Role, g.Principal.Organization, string(g.Citizen), g.Reason,
		g.GrantedAt, g.ExpiresAt, g.KeyID, g.Hash)
	if err != nil {
		return fmt.Errorf("insert grant %d: %w", g.ID, err)
	}
	return nil
}

func (t postgresGrantTx) Get(id int64) (audit.Grant, bool, error) {
	g, err := scanPostgresGrant(t.tx.QueryRow(t.ctx, `SELECT `+postgresGrantColumns+` FROM audit_break_glass_grants WHERE id = $1 FOR UPDATE`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return audit.Grant{}, false, nil
	}
	return g, err == nil, err
}

func (t postgresGrantTx) UpdateReview(g audit.Grant) error {
	tag, err := t.tx.Exec(t.ctx, `UPDATE audit_break_glass_grants
		SET reviewed_by = $1, reviewed_at = $2, review_note = $3, key_id = $4, seal = $5 WHERE id = $6 AND reviewed_at IS NULL`,
		g.ReviewedBy, g.ReviewedAt, g.ReviewNote, g.KeyID, g.Hash, g.ID)
	if err != nil {
		return fmt.Errorf("review grant %d: %w", g.ID, err)
	}
	if tag.RowsAffected() != 1 {
		return audit.ErrAlreadyReviewed
	}
	return nil
}

func (s *postgresStore) Grants(ctx context.Context, q audit.GrantQuery) ([]audit.Grant, error) {
	var rows pgx.Rows
	var err error
	if q.ID != 0 {
		rows, err = s.pool.Query(ctx, `SELECT `+postgresGrantColumns+` FROM audit_break_glass_grants WHERE id = $1`, q.ID)
	} else {
		rows, err = s.pool.Query(ctx, `SELECT `+postgresGrantColumns+` FROM audit_break_glass_grants
			WHERE subject = $1 AND role = $2 AND organization = $3 AND citizen = ANY($4) AND granted_at <= $5 AND expires_at > $5
			ORDER BY expires_at DESC, id DESC`,
			q.Principal.Subject, q.Principal.Role, q.Principal.Organization, nonNil(q.Citizens), q.At)
	}
	if err != nil {
		return nil, err
	}
	return collectGrants(rows)
}

func collectGrants(rows pgx.Rows) ([]audit.Grant, error) {
	defer rows.Close()
	var out []audit.Grant
	for rows.Next() {
		g, err := scanPostgresGrant(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

func (s *postgresStore) CountGranted(ctx context.Context, subject string, since time.Time) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, `SELECT COUNT(*) FROM audit_break_glass_grants WHERE subject = $1 AND granted_at >= $2`,
		subject, since).Scan(&n)
	return n, err
}

func (s *postgresStore) ReviewQueue(ctx context.Context, q audit.ReviewQuery) ([]audit.Grant, error) {
	where := []string{"id > $1"}
	if q.Reviewed != nil {
		if *q.Reviewed {
			where = append(where, "reviewed_at IS NOT NULL")
		} else {
			where = append(where, "reviewed_at IS NULL")
		}
	}
	rows, err := s.pool.Query(ctx, `SELECT `+postgresGrantColumns+` FROM audit_break_glass_grants
		WHERE `+strings.Join(where, " AND ")+` ORDER BY id LIMIT $2`, q.After, q.First)
	if err != nil {
		return nil, err
	}
	return collectGrants(rows)
}
