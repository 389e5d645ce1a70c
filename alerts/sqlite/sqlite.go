// Package sqlite keeps the alerts' event log (package alerts) in one SQLite
// file: the embedded default for one gateway process, with no Redis and no
// PostgreSQL. Leadership is the process's own (it is the only replica), and
// the hub is woken in-process when events are appended.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	_ "modernc.org/sqlite" // registers the pure-Go "sqlite" driver

	"github.com/sundhedsklynge/klynge/alerts"
)

const schema = `
CREATE TABLE IF NOT EXISTS alert_events (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	cluster     TEXT    NOT NULL,
	key         TEXT    NOT NULL,
	detected_at INTEGER NOT NULL,
	body        BLOB    NOT NULL,
	UNIQUE (cluster, key)
);
CREATE INDEX IF NOT EXISTS alert_events_detected ON alert_events (cluster, detected_at);
CREATE TABLE IF NOT EXISTS alert_cursors (
	cluster TEXT NOT NULL,
	source  TEXT NOT NULL,
	value   TEXT NOT NULL,
	PRIMARY KEY (cluster, source)
);`

// Store is the SQLite event log.
type Store struct {
	db   *sql.DB
	wake chan struct{}

	mu   sync.Mutex
	held map[string]*lease
}

var _ alerts.Store = (*Store)(nil)

// Open opens (creating if needed) the log in the SQLite file at path.
func Open(ctx context.Context, path string) (*Store, error) {
	if path == "" || path == ":memory:" || strings.ContainsAny(path, "?#") || strings.HasPrefix(path, "file:") {
		return nil, errors.New("alerts: open sqlite: path must name a file")
	}
	q := url.Values{}
	q.Set("_busy_timeout", "10000")
	q.Set("_journal_mode", "WAL")
	q.Set("_synchronous", "FULL")
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("alerts: open sqlite: %w", err)
	}
	db.SetMaxOpenConns(1) // one writer and reader: alerts are few, reads are small
	if _, err := db.ExecContext(ctx, schema); err != nil {
		db.Close()
		return nil, fmt.Errorf("alerts: open sqlite: %w", err)
	}
	return &Store{db: db, wake: make(chan struct{}, 1), held: map[string]*lease{}}, nil
}

// Append implements alerts.Store.
func (s *Store) Append(ctx context.Context, events []alerts.Event) ([]alerts.Event, error) {
	if len(events) == 0 {
		return nil, nil
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("alerts: append: %w", err)
	}
	defer tx.Rollback()
	var out []alerts.Event
	for _, e := range events {
		body, err := e.Marshal()
		if err != nil {
			return nil, err
		}
		var id int64
		err = tx.QueryRowContext(ctx, `INSERT INTO alert_events (cluster, key, detected_at, body) VALUES (?, ?, ?, ?)
			ON CONFLICT (cluster, key) DO NOTHING RETURNING id`, e.Cluster, e.Key, e.DetectedAt.UnixMilli(), body).Scan(&id)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			continue
		case err != nil:
			return nil, fmt.Errorf("alerts: append: %w", err)
		}
		e.ID = id
		out = append(out, e)
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("alerts: append: %w", err)
	}
	if len(out) > 0 {
		select {
		case s.wake <- struct{}{}:
		default:
		}
	}
	return out, nil
}

// After implements alerts.Store.
func (s *Store) After(ctx context.Context, after int64, limit int) ([]alerts.Event, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, body FROM alert_events WHERE id > ? ORDER BY id LIMIT ?`, after, limit)
	if err != nil {
		return nil, fmt.Errorf("alerts: read: %w", err)
	}
	defer rows.Close()
	var out []alerts.Event
	for rows.Next() {
		var id int64
		var body []byte
		if err := rows.Scan(&id, &body); err != nil {
			return nil, fmt.Errorf("alerts: read: %w", err)
		}
		e, err := alerts.Unmarshal(id, body)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// Head implements alerts.Store.
func (s *Store) Head(ctx context.Context) (int64, error) {
	var id sql.NullInt64
	if err := s.db.QueryRowContext(ctx, `SELECT MAX(id) FROM alert_events`).Scan(&id); err != nil {
		return 0, fmt.Errorf("alerts: head: %w", err)
	}
	return id.Int64, nil
}

// Keys implements alerts.Store.
func (s *Store) Keys(ctx context.Context, cluster string, since time.Time) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT key FROM alert_events WHERE cluster = ? AND detected_at >= ?`, cluster, since.UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("alerts: keys: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// Cursor implements alerts.Store.
func (s *Store) Cursor(ctx context.Context, cluster, source string) (string, error) {
	var v string
	err := s.db.QueryRowContext(ctx, `SELECT value FROM alert_cursors WHERE cluster = ? AND source = ?`, cluster, source).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("alerts: cursor: %w", err)
	}
	return v, nil
}

// SetCursor implements alerts.Store.
func (s *Store) SetCursor(ctx context.Context, cluster, source, value string) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO alert_cursors (cluster, source, value) VALUES (?, ?, ?)
		ON CONFLICT (cluster, source) DO UPDATE SET value = excluded.value`, cluster, source, value)
	if err != nil {
		return fmt.Errorf("alerts: set cursor: %w", err)
	}
	return nil
}

// Wake implements alerts.Store.
func (s *Store) Wake() <-chan struct{} { return s.wake }

// Prune implements alerts.Store.
func (s *Store) Prune(ctx context.Context, before time.Time) (int64, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM alert_events WHERE detected_at < ?`, before.UnixMilli())
	if err != nil {
		return 0, fmt.Errorf("alerts: prune: %w", err)
	}
	return res.RowsAffected()
}

// Lead implements alerts.Store: the one process is the leader of every
// cluster, once at a time.
func (s *Store) Lead(ctx context.Context, cluster string) (alerts.Lease, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.held[cluster]; ok {
		return nil, false, nil
	}
	l := &lease{lost: make(chan struct{})}
	l.release = func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.held[cluster] == l {
			delete(s.held, cluster)
		}
	}
	s.held[cluster] = l
	return l, true, nil
}

// Close implements alerts.Store.
func (s *Store) Close() error { return s.db.Close() }

type lease struct {
	once    sync.Once
	lost    chan struct{}
	release func()
}

func (l *lease) Lost() <-chan struct{} { return l.lost }

func (l *lease) Release() {
	l.once.Do(func() {
		l.release()
		close(l.lost)
	})
}
