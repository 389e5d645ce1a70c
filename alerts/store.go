package alerts

import (
	"context"
	"errors"
	"time"
)

// Store is the durable event log every replica shares, with what the
// watchers need to agree on: one leader per cluster, and each cluster's
// read positions in the upstreams. alerts/sqlite keeps it in one file for
// one process; alerts/postgres in PostgreSQL for several replicas.
type Store interface {
	// Append writes the events the log does not hold yet (by cluster and
	// key), gives them ids in commit order, and wakes every replica's hub.
	// It returns the events written, with their ids.
	Append(ctx context.Context, events []Event) ([]Event, error)
	// After returns up to limit events with an id above after, in id order.
	After(ctx context.Context, after int64, limit int) ([]Event, error)
	// Head is the largest id in the log (0 when empty).
	Head(ctx context.Context) (int64, error)
	// Keys returns the keys of the cluster's events detected at or after
	// since.
	Keys(ctx context.Context, cluster string, since time.Time) ([]string, error)
	// Cursor is a watcher's read position in one source ("" when none).
	Cursor(ctx context.Context, cluster, source string) (string, error)
	// SetCursor moves it.
	SetCursor(ctx context.Context, cluster, source, value string) error
	// Wake receives (coalesced) when events may have been appended, by
	// this replica or another.
	Wake() <-chan struct{}
	// Lead tries to become the one watcher of cluster among all replicas;
	// ok is false while another holds it.
	Lead(ctx context.Context, cluster string) (lease Lease, ok bool, err error)
	// Prune deletes events detected before before, returning how many.
	Prune(ctx context.Context, before time.Time) (int64, error)
	Close() error
}

// Lease is a replica's leadership of one cluster.
type Lease interface {
	// Lost is closed when leadership ends for any reason (the database
	// connection that holds it broke, Release).
	Lost() <-chan struct{}
	// Release gives leadership up.
	Release()
}

// Errors a subscriber can get.
var (
	// ErrSlowConsumer ends a subscription whose buffer filled: the client
	// did not read its events as fast as they came.
	ErrSlowConsumer = errors.New("alerts: slow consumer: the subscription's buffer is full")
	// ErrTooManySubscriptions refuses a subscription beyond the
	// principal's limit on this replica.
	ErrTooManySubscriptions = errors.New("alerts: too many subscriptions for this principal")
	// ErrClosed ends subscriptions when the hub stops.
	ErrClosed = errors.New("alerts: the hub has stopped")
)
