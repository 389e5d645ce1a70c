package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/sundhedsklynge/klynge/audit"
	"github.com/sundhedsklynge/klynge/domain"
)

const sqliteGrantColumns = `id, subject, role, organization, citizen, reason, granted_at_us, expires_at_us,
	reviewed_by, reviewed_at_us, review_note`

func scanSQLiteGrant(row interface{ Scan(...any) error }) (audit.Grant, error) {
	var (
		g                audit.Grant
		citizen          string
		granted, expires int64
		reviewedAt       sql.NullInt64
	)
	if err := row.Scan(&g.ID, &g.Principal.Subject, &g.Principal.Role, &g.Principal.Organization, &citizen,
		&g.Reason, &granted, &expires, &g.ReviewedBy, &reviewedAt, &g.ReviewNote); err != nil {
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

func (s *sqliteStore) InsertGrant(ctx context.Context, g audit.Grant) (int64, error) {
	res, err := s.writer.ExecContext(ctx, `INSERT INTO audit_break_glass_grants
		(subject, role, organization, citizen, reason, granted_at_us, expires_at_us) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		g.Principal.Subject, g.Principal.Role, g.Principal.Organization, string(g.Citizen), g.Reason,
		g.GrantedAt.UnixMicro(), g.ExpiresAt.UnixMicro())
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

func (s *sqliteStore) ActiveGrant(ctx context.Context, subject, citizen string, now time.Time) (audit.Grant, bool, error) {
	row := s.reader.QueryRowContext(ctx, `SELECT `+sqliteGrantColumns+` FROM audit_break_glass_grants
		WHERE subject = ? AND citizen = ? AND granted_at_us <= ? AND expires_at_us > ?
		ORDER BY expires_at_us DESC, id DESC LIMIT 1`, subject, citizen, now.UnixMicro(), now.UnixMicro())
	g, err := scanSQLiteGrant(row)
	if errors.Is(err, sql.ErrNoRows) {
		return audit.Grant{}, false, nil
	}
	if err != nil {
		return audit.Grant{}, false, err
	}
	return g, true, nil
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

func (s *sqliteStore) MarkReviewed(ctx context.Context, id int64, reviewer, note string, at time.Time) error {
	res, err := s.writer.ExecContext(ctx, `UPDATE audit_break_glass_grants
		SET reviewed_by = ?, reviewed_at_us = ?, review_note = ? WHERE id = ? AND reviewed_at_us IS NULL`,
		reviewer, at.UnixMicro(), note, id)
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 1 {
		return nil
	}
	var exists bool
	if err := s.writer.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM audit_break_glass_grants WHERE id = ?)`, id).Scan(&exists); err != nil {
		return fmt.Errorf("look up grant: %w", err)
	}
	if exists {
		return audit.ErrAlreadyReviewed
	}
	return audit.ErrGrantNotFound
}
