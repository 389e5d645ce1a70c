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
	reviewed_by, reviewed_at, review_note`

func scanPostgresGrant(row pgx.Row) (audit.Grant, error) {
	var (
		g          audit.Grant
		citizen    string
		reviewedAt *time.Time
	)
	if err := row.Scan(&g.ID, &g.Principal.Subject, &g.Principal.Role, &g.Principal.Organization, &citizen,
		&g.Reason, &g.GrantedAt, &g.ExpiresAt, &g.ReviewedBy, &reviewedAt, &g.ReviewNote); err != nil {
		return audit.Grant{}, err
	}
	g.Citizen = domain.CPR(citizen)
	g.GrantedAt, g.ExpiresAt = g.GrantedAt.UTC(), g.ExpiresAt.UTC()
	g.ReviewedAt = timeOrZero(reviewedAt)
	return g, nil
}

func (s *postgresStore) InsertGrant(ctx context.Context, g audit.Grant) (int64, error) {
	var id int64
	err := s.pool.QueryRow(ctx, `INSERT INTO audit_break_glass_grants
		(subject, role, organization, citizen, reason, granted_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
		RETURNING id`,
		g.Principal.Subject, g.Principal.Role, g.Principal.Organization, string(g.Citizen), g.Reason,
		g.GrantedAt, g.ExpiresAt).Scan(&id)
	return id, err
}

func (s *postgresStore) ActiveGrant(ctx context.Context, subject, citizen string, now time.Time) (audit.Grant, bool, error) {
	g, err := scanPostgresGrant(s.pool.QueryRow(ctx, `SELECT `+postgresGrantColumns+` FROM audit_break_glass_grants
		WHERE subject = $1 AND citizen = $2 AND granted_at <= $3 AND expires_at > $3
		ORDER BY expires_at DESC, id DESC LIMIT 1`, subject, citizen, now))
	if errors.Is(err, pgx.ErrNoRows) {
		return audit.Grant{}, false, nil
	}
	if err != nil {
		return audit.Grant{}, false, err
	}
	return g, true, nil
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

func (s *postgresStore) MarkReviewed(ctx context.Context, id int64, reviewer, note string, at time.Time) error {
	tag, err := s.pool.Exec(ctx, `UPDATE audit_break_glass_grants
		SET reviewed_by = $1, reviewed_at = $2, review_note = $3 WHERE id = $4 AND reviewed_at IS NULL`,
		reviewer, at, note, id)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 1 {
		return nil
	}
	var exists bool
	if err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM audit_break_glass_grants WHERE id = $1)`, id).Scan(&exists); err != nil {
		return fmt.Errorf("look up grant: %w", err)
	}
	if exists {
		return audit.ErrAlreadyReviewed
	}
	return audit.ErrGrantNotFound
}
