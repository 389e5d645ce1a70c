package audit

import (
	"context"
	"time"
)

// store is what a database must do for the log. Each implementation keeps
// the chain in its own tables; the chain logic (sealing, verifying) lives in
// this package, not in the stores.
type store interface {
	// appendBatch, in one transaction: locks the chain head against every
	// other writer (in any process), seals recs after it with seal, inserts
	// them and moves the head. recs is modified in place. On error nothing
	// of recs is in the log.
	appendBatch(ctx context.Context, recs []Record) error
	// query returns the records matching q, highest Seq first.
	query(ctx context.Context, q Query) ([]Record, error)
	// scan reads the chain head and then every record in Seq order, all in
	// one consistent snapshot, calling fn for each record. It stops at the
	// first error fn returns.
	scan(ctx context.Context, fn func(Record) error) (chainHead, error)
	// ping checks that the store can take a write, without writing.
	ping(ctx context.Context) error

	insertGrant(ctx context.Context, g Grant) (int64, error)
	activeGrant(ctx context.Context, subject, citizen string, now time.Time) (Grant, bool, error)
	reviewQueue(ctx context.Context, q ReviewQuery) ([]Grant, error)
	// markReviewed returns ErrGrantNotFound or ErrAlreadyReviewed when no
	// unreviewed grant with that id exists.
	markReviewed(ctx context.Context, id int64, reviewer, note string, at time.Time) error

	close() error
}

// chainHead is the sealed end of the chain: the sequence number and hash of
// the last record ever committed.
type chainHead struct {
	Seq  int64
	Hash string
}
