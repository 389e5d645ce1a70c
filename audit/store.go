package audit

import (
	"context"
	"time"
)

// Store is what a database must do for the log: audit/sqlite and
// audit/postgres implement it, one package per dependency. Each keeps the
// chain in its own tables; the chain logic (sealing with Seal, verifying)
// lives in this package, not in the stores. Only New calls a Store; the
// Log serialises writes.
type Store interface {
	// AppendBatch, in one transaction: locks the chain head against every
	// other writer (in any process), seals recs after it with Seal, inserts
	// them and moves the head. recs is modified in place. On error nothing
	// of recs is in the log.
	AppendBatch(ctx context.Context, recs []Record) error
	// Query returns the records matching q, highest Seq first.
	Query(ctx context.Context, q Query) ([]Record, error)
	// Scan reads the chain head and then every record in Seq order, all in
	// one consistent snapshot, calling fn for each record. It stops at the
	// first error fn returns.
	Scan(ctx context.Context, fn func(Record) error) (ChainHead, error)
	// Ping checks that the store can take a write, without writing.
	Ping(ctx context.Context) error

	InsertGrant(ctx context.Context, g Grant) (int64, error)
	ActiveGrant(ctx context.Context, subject, citizen string, now time.Time) (Grant, bool, error)
	ReviewQueue(ctx context.Context, q ReviewQuery) ([]Grant, error)
	// MarkReviewed returns ErrGrantNotFound or ErrAlreadyReviewed when no
	// unreviewed grant with that id exists.
	MarkReviewed(ctx context.Context, id int64, reviewer, note string, at time.Time) error

	Close() error
}

// SchemaVersion is the version of the tables every store keeps: each
// store's migrations end at it, so that a log can move between them.
const SchemaVersion = 1

// ChainHead is the sealed end of the chain: the sequence number and hash of
// the last record ever committed.
type ChainHead struct {
	Seq  int64
	Hash string
}
