// Package postgres keeps the alerts' event log (package alerts) in
// PostgreSQL, shared by every gateway replica: the events table with ids
// in commit order (appends take one transaction-scoped advisory lock, so a
// reader that has seen id n has seen every id below it), LISTEN/NOTIFY to
// wake every replica's hub, and a session advisory lock per cluster held on
// its own connection, so that exactly one replica watches each cluster and
// another takes over as soon as that connection ends (a crash, kill -9, a
// network cut).
//
// Locks and notifications are scoped by the schema the tables live in, so
// that several deployments (or tests) can share one database.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sundhedsklynge/klynge/alerts"
)

const schemaSQL = `
CREATE TABLE IF NOT EXISTS alert_events (
	id          BIGSERIAL PRIMARY KEY,
	cluster     TEXT        NOT NULL,
	key         TEXT        NOT NULL,
	detected_at TIMESTAMPTZ NOT NULL,
	body        BYTEA       NOT NULL,
	UNIQUE (cluster, key)
);
CREATE INDEX IF NOT EXISTS alert_events_detected ON alert_events (cluster, detected_at);
CREATE TABLE IF NOT EXISTS alert_cursors (
	cluster TEXT NOT NULL,
	source  TEXT NOT NULL,
	value   TEXT NOT NULL,
	PRIMARY KEY (cluster, source)
);`

// channel is the NOTIFY channel; the payload is the schema, so replicas of
// another deployment in the same database ignore it.
const channel = "klynge_alerts"

// Options tune the store; zero values are the defaults.
type Options struct {
	// LeaseCheck is how often a leader checks that its lock connection is
	// alive (default 2s).
	LeaseCheck time.Duration
	Logger     *slog.Logger
}

// Store is the PostgreSQL event log.
type Store struct {
	pool   *pgxpool.Pool
	schema string
	opts   Options
	wake   chan struct{}
	stop   context.CancelFunc
	done   chan struct{}
}

var _ alerts.Store = (*Store)(nil)

// Open connects, creates the tables if needed in the first schema of the
// search path, and starts listening for other replicas' appends.
func Open(ctx context.Context, dsn string, opts Options) (*Store, error) {
	if opts.LeaseCheck <= 0 {
		opts.LeaseCheck = 2 * time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, errors.New("alerts: open postgres: the connection string cannot be parsed")
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("alerts: open postgres: %w", err)
	}
	s := &Store{pool: pool, opts: opts, wake: make(chan struct{}, 1), done: make(chan struct{})}
	if _, err := pool.Exec(ctx, schemaSQL); err != nil {
		pool.Close()
		return nil, fmt.Errorf("alerts: open postgres: %w", err)
	}
	if err := pool.QueryRow(ctx, `SELECT current_schema()`).Scan(&s.schema); err != nil {
		pool.Close()
		return nil, fmt.Errorf("alerts: open postgres: %w", err)
	}
	lctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	s.stop = cancel
	go s.listen(lctx)
	return s, nil
}

// listen holds a connection LISTENing for appends and wakes the hub on each
// (and after every reconnect, in case one was missed meanwhile).
func (s *Store) listen(ctx context.Context) {
	defer close(s.done)
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		err := s.listenOnce(ctx)
		if ctx.Err() != nil {
			return
		}
		s.opts.Logger.Warn("alerts: postgres listener reconnects", "err", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 5*time.Second)
	}
}

func (s *Store) listenOnce(ctx context.Context) error {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "LISTEN "+channel); err != nil {
		return err
	}
	defer func() {
		// A connection that listened goes back to the pool clean.
		_, _ = conn.Exec(context.Background(), "UNLISTEN *")
	}()
	s.signal()
	for {
		n, err := conn.Conn().WaitForNotification(ctx)
		if err != nil {
			return err
		}
		if n.Payload == s.schema {
			s.signal()
		}
	}
}

func (s *Store) signal() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Append implements alerts.Store.
func (s *Store) Append(ctx context.Context, events []alerts.Event) ([]alerts.Event, error) {
	if len(events) == 0 {
		return nil, nil
	}
	var out []alerts.Event
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		out = out[:0]
		// Ids are taken under one lock per schema and the lock is held to
		// commit, so commits come in id order.
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext(current_schema() || ':alerts-append'))`); err != nil {
			return err
		}
		for _, e := range events {
			body, err := e.Marshal()
			if err != nil {
				return err
			}
			var id int64
			err = tx.QueryRow(ctx, `INSERT INTO alert_events (cluster, key, detected_at, body) VALUES ($1, $2, $3, $4)
				ON CONFLICT (cluster, key) DO NOTHING RETURNING id`, e.Cluster, e.Key, e.DetectedAt, body).Scan(&id)
			switch {
			case errors.Is(err, pgx.ErrNoRows):
				continue
			case err != nil:
				return err
			}
			e.ID = id
			out = append(out, e)
		}
		if len(out) > 0 {
			_, err := tx.Exec(ctx, `SELECT pg_notify($1, current_schema())`, channel)
			return err
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("alerts: append: %w", err)
	}
	return out, nil
}

// After implements alerts.Store.
func (s *Store) After(ctx context.Context, after int64, limit int) ([]alerts.Event, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, body FROM alert_events WHERE id > $1 ORDER BY id LIMIT $2`, after, limit)
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
	var id *int64
	if err := s.pool.QueryRow(ctx, `SELECT MAX(id) FROM alert_events`).Scan(&id); err != nil {
		return 0, fmt.Errorf("alerts: head: %w", err)
	}
	if id == nil {
		return 0, nil
	}
	return *id, nil
}

// Keys implements alerts.Store.
func (s *Store) Keys(ctx context.Context, cluster string, since time.Time) ([]string, error) {
	rows, err := s.pool.Query(ctx, `SELECT key FROM alert_events WHERE cluster = $1 AND detected_at >= $2`, cluster, since)
	if err != nil {
		return nil, fmt.Errorf("alerts: keys: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// Cursor implements alerts.Store.
func (s *Store) Cursor(ctx context.Context, cluster, source string) (string, error) {
	var v string
	err := s.pool.QueryRow(ctx, `SELECT value FROM alert_cursors WHERE cluster = $1 AND source = $2`, cluster, source).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("alerts: cursor: %w", err)
	}
	return v, nil
}

// SetCursor implements alerts.Store.
func (s *Store) SetCursor(ctx context.Context, cluster, source, value string) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO alert_cursors (cluster, source, value) VALUES ($1, $2, $3)
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
	tag, err := s.pool.Exec(ctx, `DELETE FROM alert_events WHERE detected_at < $1`, before)
	if err != nil {
		return 0, fmt.Errorf("alerts: prune: %w", err)
	}
	return tag.RowsAffected(), nil
}

// Lead implements alerts.Store: a session advisory lock on a connection of
// its own, which PostgreSQL releases when that session ends.
func (s *Store) Lead(ctx context.Context, cluster string) (alerts.Lease, bool, error) {
	conn, err := pgx.ConnectConfig(ctx, s.pool.Config().ConnConfig.Copy())
	if err != nil {
		return nil, false, fmt.Errorf("alerts: lead: %w", err)
	}
	var ok bool
	if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock(hashtext(current_schema() || ':alerts-watch:' || $1))`, cluster).Scan(&ok); err != nil {
		conn.Close(context.Background())
		return nil, false, fmt.Errorf("alerts: lead: %w", err)
	}
	if !ok {
		conn.Close(context.Background())
		return nil, false, nil
	}
	l := &lease{conn: conn, lost: make(chan struct{}), quit: make(chan struct{})}
	go l.watch(s.opts.LeaseCheck)
	return l, true, nil
}

// Close implements alerts.Store.
func (s *Store) Close() error {
	s.stop()
	<-s.done
	s.pool.Close()
	return nil
}

type lease struct {
	conn     *pgx.Conn
	lost     chan struct{}
	quit     chan struct{}
	lostOnce sync.Once
	quitOnce sync.Once
}

// watch pings the lock's connection; when it fails, the lock is gone.
func (l *lease) watch(every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	defer l.lostOnce.Do(func() { close(l.lost) })
	defer l.conn.Close(context.Background())
	for {
		select {
		case <-l.quit:
			return
		case <-t.C:
			ctx, cancel := context.WithTimeout(context.Background(), every)
			err := l.conn.Ping(ctx)
			cancel()
			if err != nil {
				return
			}
		}
	}
}

func (l *lease) Lost() <-chan struct{} { return l.lost }

// Release closes the lock's connection, which releases the lock.
func (l *lease) Release() {
	l.quitOnce.Do(func() { close(l.quit) })
	<-l.lost
}
