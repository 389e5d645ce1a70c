package audit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sundhedsklynge/klynge/logthrottle"
)

// Options configure a Log. The zero value is a safe default.
type Options struct {
	// MaxBatch is the most records one group-commit transaction holds
	// (default 256). One Append call is never split across transactions, so
	// a call with more records than MaxBatch commits alone.
	MaxBatch int
	// CommitTimeout bounds one group-commit transaction, lock waits included
	// (default 10s). A transaction whose callers all have deadlines ends at
	// the latest of them, if that is sooner: nobody waits for it after.
	CommitTimeout time.Duration
	// StallAfter is how long a commit may run before Writable reports the
	// log unwritable (default 1s): a database that hangs (stopped, locked,
	// out of disk) shows as one commit that never ends, and requests that
	// cannot be recorded are better refused at once than left to wait.
	StallAfter time.Duration
	// Now is the clock of health judgements (default time.Now); deadlines
	// always run on the real clock.
	Now func() time.Time
	// Logger receives operational events (failed commits, close). It is
	// never given a record's content. Default: discard.
	Logger *slog.Logger
	// Metrics, when set, observes append latency, batch sizes and failures.
	Metrics *Metrics
	// Keys seal every record, grant and checkpoint; required (a store's
	// Open refuses options without them).
	Keys *Keys
	// Checkpoints, when set, is where the log writes signed checkpoints of
	// its chain head (a file the database's administrators cannot write):
	// every CheckpointInterval while the head moves, and when it closes.
	Checkpoints *CheckpointFile
	// CheckpointInterval is the time between checkpoints (default 10s).
	CheckpointInterval time.Duration
}

const (
	defaultMaxBatch           = 256
	defaultCommitTimeout      = 10 * time.Second
	defaultCheckpointInterval = 10 * time.Second
	defaultStallAfter         = time.Second
)

// WithDefaults fills the zero fields with their defaults (a store opens
// with the commit timeout it will be used with).
func (o Options) WithDefaults() Options {
	if o.MaxBatch <= 0 {
		o.MaxBatch = defaultMaxBatch
	}
	if o.CommitTimeout <= 0 {
		o.CommitTimeout = defaultCommitTimeout
	}
	if o.StallAfter <= 0 {
		o.StallAfter = defaultStallAfter
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.CheckpointInterval <= 0 {
		o.CheckpointInterval = defaultCheckpointInterval
	}
	return o
}

// Log is the access log. It is safe for concurrent use. Open it with
// sqlite.Open or postgres.Open (packages audit/sqlite, audit/postgres),
// which call New; it starts one writer goroutine, which Close stops after
// it has committed every queued record.
type Log struct {
	store Store
	opts  Options

	mu     sync.Mutex
	queue  []*pendingAppend
	closed bool
	// closing mirrors closed for readers that must not wait on mu (Writable
	// is asked on the request path).
	closing atomic.Bool
	// committing is the number of records in the transaction under way;
	// tests use it to tell a queued append from one being committed.
	committing atomic.Int64

	health health
	// failures throttles the log line of failed commits: one per interval
	// with the count, however many batches fail while the database is down.
	failures *logthrottle.Throttle

	wake        chan struct{} // capacity 1: "the queue changed or the log closed"
	writerDone  chan struct{}
	closeOnce   sync.Once
	closeResult error

	// Checkpoints (checkpoint.go): the last head written, and the
	// goroutine that writes them.
	cpMu            sync.Mutex
	lastCheckpoint  ChainHead
	stopCheckpoints chan struct{}
	checkpointsDone chan struct{}
}

// Append states of a pendingAppend. The writer moves queued → taken when it
// puts the records in a transaction; a caller whose context ends moves
// queued → abandoned. Whichever moves first decides whether the records can
// still be committed.
const (
	stateQueued int32 = iota
	stateTaken
	stateAbandoned
)

type pendingAppend struct {
	recs []Record
	// deadline is the caller's (zero: none); a transaction holding only
	// appends with deadlines ends by the latest of them.
	deadline time.Time
	state    atomic.Int32
	result   chan error // capacity 1; the writer sends exactly once for taken appends
}

// New starts the log over s. The log owns s from now on: Close closes it.
func New(s Store, opts Options) *Log {
	o := opts.WithDefaults()
	l := &Log{
		store:      s,
		opts:       o,
		failures:   logthrottle.New(logthrottle.DefaultInterval, o.Now),
		wake:       make(chan struct{}, 1),
		writerDone: make(chan struct{}),
	}
	go l.write()
	if l.opts.Checkpoints != nil {
		l.stopCheckpoints, l.checkpointsDone = make(chan struct{}), make(chan struct{})
		go l.keepCheckpoints(l.stopCheckpoints, l.checkpointsDone)
	}
	return l
}

// Append adds recs to the log as one unit and returns once they are durably
// committed, or with an error, in which case the caller must not disclose
// the data the records describe (fail closed). The records are validated
// first: one invalid record fails the call and none is written.
//
// Append assigns Seq, PrevHash and Hash in the log; recs themselves are not
// modified. A zero Time becomes the time of the call.
//
// Cancellation: Append never waits past ctx. If ctx ends while the
// records are still queued, Append returns an error matching both
// ErrNotCommitted and ctx.Err(), and the records are never written. If the
// writer has already put them in a transaction, the outcome is not yet
// known: Append returns at once with an error matching ctx.Err() but not
// ErrNotCommitted, and the records may still be committed — a record of a
// disclosure that was then refused, the safe side. Either way the chain
// stays whole.
//
// An error that does not match ErrNotCommitted (a failed transaction) fails
// every caller of the batch; the records are then almost always absent, but
// a connection lost during COMMIT can leave them committed. That errs on the
// safe side: a record of a disclosure that was then refused.
func (l *Log) Append(ctx context.Context, recs ...Record) error {
	start := time.Now()
	err := l.append(ctx, recs)
	l.opts.Metrics.observeAppend(time.Since(start), err)
	return err
}

func (l *Log) append(ctx context.Context, recs []Record) error {
	if l.isClosed() {
		return notCommitted(ErrClosed)
	}
	if len(recs) == 0 {
		return nil
	}
	now := time.Now()
	stored := make([]Record, len(recs))
	for i, r := range recs {
		n, err := normalise(i, r, now)
		if err != nil {
			return notCommitted(err)
		}
		stored[i] = n
	}
	if err := ctx.Err(); err != nil {
		return notCommitted(err)
	}

	p := &pendingAppend{recs: stored, result: make(chan error, 1)}
	p.deadline, _ = ctx.Deadline()
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return notCommitted(ErrClosed)
	}
	l.queue = append(l.queue, p)
	l.mu.Unlock()
	l.signal()

	select {
	case err := <-p.result:
		return err
	case <-ctx.Done():
		if p.state.CompareAndSwap(stateQueued, stateAbandoned) {
			return notCommitted(ctx.Err())
		}
		// The writer took the records first and their transaction is
		// still under way: the caller's time is up, and it must not
		// disclose what it cannot prove recorded.
		select {
		case err := <-p.result:
			return err
		default:
		}
		return fmt.Errorf("audit: append: %w before the commit of the records ended (they may still be committed)", ctx.Err())
	}
}

func (l *Log) signal() {
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

func (l *Log) isClosed() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.closed
}

// write is the writer goroutine: it takes queued appends in order, commits
// them in one transaction and releases their callers, until the log is
// closed and the queue is empty.
func (l *Log) write() {
	defer close(l.writerDone)
	for {
		batch := l.nextBatch()
		if batch == nil {
			return
		}
		l.commit(batch)
	}
}

// nextBatch blocks until there is work and takes up to MaxBatch records'
// worth of appends from the front of the queue. It returns nil when the log
// is closed and nothing is left.
func (l *Log) nextBatch() []*pendingAppend {
	l.mu.Lock()
	defer l.mu.Unlock()
	for {
		var batch []*pendingAppend
		records := 0
		i := 0
		for ; i < len(l.queue); i++ {
			p := l.queue[i]
			if records > 0 && records+len(p.recs) > l.opts.MaxBatch {
				break
			}
			if !p.state.CompareAndSwap(stateQueued, stateTaken) {
				continue // abandoned by its caller: drop it
			}
			batch = append(batch, p)
			records += len(p.recs)
		}
		rest := copy(l.queue, l.queue[i:])
		clear(l.queue[rest:])
		l.queue = l.queue[:rest]
		if len(batch) > 0 {
			return batch
		}
		if l.closed && len(l.queue) == 0 {
			return nil
		}
		l.mu.Unlock()
		<-l.wake
		l.mu.Lock()
	}
}

func (l *Log) commit(batch []*pendingAppend) {
	n := 0
	for _, p := range batch {
		n += len(p.recs)
	}
	recs := make([]Record, 0, n)
	for _, p := range batch {
		recs = append(recs, p.recs...)
	}

	// The transaction does not use any caller's context: one caller going
	// away must not roll back the others' records. It ends when the last
	// of its callers has stopped waiting, or at CommitTimeout.
	l.committing.Store(int64(len(recs)))
	ctx, cancel := context.WithDeadline(context.Background(), commitDeadline(batch, time.Now().Add(l.opts.CommitTimeout)))
	l.health.started(l.opts.Now())
	err := l.store.AppendBatch(ctx, recs)
	cancel()
	l.health.ended(l.opts.Now(), err)
	l.committing.Store(0)
	l.opts.Metrics.observeBatch(len(recs), err)
	if err != nil {
		if repeated, ok := l.failures.Allow("commit"); ok {
			l.opts.Logger.Error("audit: group commit failed; every caller in the batch gets the error",
				slog.Int("records", len(recs)), slog.Int("appends", len(batch)), slog.Any("error", err),
				slog.Int("repeated", repeated))
		}
		err = fmt.Errorf("audit: append: commit %d records: %w", len(recs), err)
	}
	for _, p := range batch {
		p.result <- err
	}
}

// Close stops taking appends, waits until every queued append has been
// committed (or has failed), and closes the database. Appends after Close
// fail with ErrClosed. Close is idempotent.
func (l *Log) Close() error {
	l.closeOnce.Do(func() {
		l.mu.Lock()
		l.closed = true
		l.closing.Store(true)
		l.mu.Unlock()
		l.signal()
		<-l.writerDone
		l.finalCheckpoint()
		l.closeResult = l.store.Close()
		if l.closeResult != nil {
			l.closeResult = fmt.Errorf("audit: close: %w", l.closeResult)
		}
		l.opts.Logger.Info("audit: log closed")
	})
	return l.closeResult
}

// Ping reports whether the log can take a write now, without writing one;
// it backs the gateway's readiness probe. Its outcome is evidence for
// Writable too: a failed ping makes the log unwritable, and a successful one
// after failures makes it writable again (the way back once the database
// returns, when no request is let through to try a commit).
func (l *Log) Ping(ctx context.Context) error {
	if l.isClosed() {
		return ErrClosed
	}
	err := l.store.Ping(ctx)
	if err != nil {
		err = fmt.Errorf("audit: ping: %w", err)
	}
	l.health.probed(l.opts.Now(), err)
	return err
}

// Writable answers from what the log already knows, without touching the
// database, whether an Append can be expected to commit: nil after the
// latest commit or ping succeeded, an *UnwritableError when it failed or
// when a commit has run longer than Options.StallAfter. Callers check it
// before doing work whose result they could not record.
func (l *Log) Writable() error {
	if l.closing.Load() {
		return &UnwritableError{Cause: ErrClosed}
	}
	return l.health.writable(l.opts.Now(), l.opts.StallAfter)
}

// commitDeadline is when a transaction of batch gives up: at the latest of
// its callers' deadlines when every caller has one, and by limit anyway.
func commitDeadline(batch []*pendingAppend, limit time.Time) time.Time {
	var latest time.Time
	for _, p := range batch {
		if p.deadline.IsZero() {
			return limit
		}
		if p.deadline.After(latest) {
			latest = p.deadline
		}
	}
	if latest.Before(limit) {
		return latest
	}
	return limit
}

// Query returns the records matching q, newest (highest Seq) first. To page
// towards older records, pass the Seq of the last record of a page as
// Before for the next.
func (l *Log) Query(ctx context.Context, q Query) ([]Record, error) {
	if l.isClosed() {
		return nil, ErrClosed
	}
	if err := q.validate(); err != nil {
		return nil, err
	}
	recs, err := l.store.Query(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("audit: query: %w", err)
	}
	return recs, nil
}

// errStopScan is how verify stops a scan at the first broken record.
var errStopScan = errors.New("stop scan")
