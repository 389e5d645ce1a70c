package audit

import (
	"context"
	"time"
)

// Store is what a database must do for the log: audit/sqlite and
// audit/postgres implement it, one package per dependency. Each keeps the
// chain in its own tables; the chain logic (sealing with Keys.Seal,
// verifying, the rules of grant changes) lives in this package, not in the
// stores. Only New calls a Store; the Log serialises writes.
type Store interface {
	// AppendBatch, in one transaction: locks the chain head against every
	// other writer (in any process), seals recs after it with the keys the
	// store was opened with (Keys.Seal), inserts them and moves the head.
	// recs is modified in place. On error nothing of recs is in the log.
	AppendBatch(ctx context.Context, recs []Record) error
	// WriteGrants, in one transaction that holds the chain head as
	// AppendBatch does: runs change against the grant register, then
	// seals recs (which change may have amended) after the head, inserts
	// them and moves the head. On any error nothing is written: no grant
	// change without its records, no records without the change.
	WriteGrants(ctx context.Context, recs []Record, change func(GrantTx) error) error
	// Query returns the records matching q, highest Seq first.
	Query(ctx context.Context, q Query) ([]Record, error)
	// Scan reads the chain head, then every record in Seq order, then
	// every grant in ID order, all in one consistent snapshot, calling
	// onRecord and onGrant. It stops at the first error either returns.
	Scan(ctx context.Context, onRecord func(Record) error, onGrant func(Grant) error) (ChainHead, error)
	// Head reads the chain head.
	Head(ctx context.Context) (ChainHead, error)
	// Ping checks that the store can take a write, without writing.
	Ping(ctx context.Context) error

	// ReserveGrantID hands out an ID no grant has or will be given by
	// another reservation (a reserved ID whose grant is never written is
	// a gap).
	ReserveGrantID(ctx context.Context) (int64, error)
	// Grants returns the grants matching q (their seals unchecked).
	Grants(ctx context.Context, q GrantQuery) ([]Grant, error)
	// ReviewQueue returns grants for privacy officers, lowest ID first.
	ReviewQueue(ctx context.Context, q ReviewQuery) ([]Grant, error)
	// CountGranted counts the grants of subject granted at or after since.
	CountGranted(ctx context.Context, subject string, since time.Time) (int, error)

	Close() error
}

// GrantTx is the grant register inside a WriteGrants transaction.
type GrantTx interface {
	// CountGranted counts the grants of subject granted at or after since.
	CountGranted(subject string, since time.Time) (int, error)
	// Insert writes a new grant with its (reserved) ID and seal.
	Insert(g Grant) error
	// Get reads one grant; ok is false when there is none.
	Get(id int64) (g Grant, ok bool, err error)
	// UpdateReview writes g's review fields and seal.
	UpdateReview(g Grant) error
}

// GrantQuery selects grants: one by ID, or those of one principal (subject,
// role and organisation, all three) about any of Citizens that are valid at
// At (GrantedAt <= At < ExpiresAt), longest-lasting first. One query answers
// for every citizen of an operation, as a dataloader would.
type GrantQuery struct {
	ID        int64 // one grant by ID (the other fields are ignored)
	Principal Principal
	Citizens  []string
	At        time.Time
}

// SchemaVersion is the version of the tables every store keeps: each
// store's migrations end at it, so that a log can move between them.
// Version 2 added chain keys (records' key_id), grant seals and the
// records that attest them.
const SchemaVersion = 2

// ChainHead is the sealed end of the chain: the sequence number and hash of
// the last record ever committed.
type ChainHead struct {
	Seq  int64
	Hash string
}
