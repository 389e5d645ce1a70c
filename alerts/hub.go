package alerts

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// HubOptions bound a hub; zero values are the defaults.
type HubOptions struct {
	// Buffer is how many events one live subscription may have waiting
	// (default 64). One that falls further behind, in a burst, reads on
	// from the ring at its own pace; one that falls behind the ring is
	// ended as a slow consumer.
	Buffer int
	// MaxPerPrincipal bounds one principal's open subscriptions on this
	// replica (default 10).
	MaxPerPrincipal int
	// Ring is how many recent events the hub keeps in memory, so that a
	// subscriber resuming from a recent id reads no database (default 4096).
	Ring int
	// Fallback is how often the hub reads the log without being woken, in
	// case a wake-up was lost while a database connection reconnected
	// (default 2s).
	Fallback time.Duration
	Logger   *slog.Logger
}

func (o HubOptions) withDefaults() HubOptions {
	if o.Buffer <= 0 {
		o.Buffer = 64
	}
	if o.MaxPerPrincipal <= 0 {
		o.MaxPerPrincipal = 10
	}
	if o.Ring <= 0 {
		o.Ring = 4096
	}
	if o.Fallback <= 0 {
		o.Fallback = 2 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

// Hub fans the event log out to this replica's subscribers. One goroutine
// (Run) reads the log after the last id it saw whenever the store wakes it,
// and hands each event to the live subscriptions it matches, never
// blocking: a subscription whose buffer is full is ended with
// ErrSlowConsumer. A subscription that resumes from an older id reads the
// log (or the hub's ring of recent events) until it has caught up, then
// joins the live ones, so it misses nothing and gets nothing twice.
type Hub struct {
	store Store
	opts  HubOptions

	mu           sync.Mutex
	head         int64   // the last id dispatched
	ring         []Event // the most recent events, in id order
	floor        int64   // every event with an id above floor and up to head is in ring
	live         map[*Subscription]struct{}
	perPrincipal map[string]int
	stopped      bool
}

// NewHub returns a hub positioned at the log's head. Call Run.
func NewHub(ctx context.Context, store Store, opts HubOptions) (*Hub, error) {
	head, err := store.Head(ctx)
	if err != nil {
		return nil, fmt.Errorf("alerts: hub: %w", err)
	}
	return &Hub{store: store, opts: opts.withDefaults(), head: head, floor: head,
		live: map[*Subscription]struct{}{}, perPrincipal: map[string]int{}}, nil
}

// Run reads and dispatches until ctx ends, then ends every subscription.
func (h *Hub) Run(ctx context.Context) {
	defer h.stop()
	t := time.NewTicker(h.opts.Fallback)
	defer t.Stop()
	for {
		h.poll(ctx)
		select {
		case <-ctx.Done():
			return
		case <-h.store.Wake():
		case <-t.C:
		}
	}
}

func (h *Hub) poll(ctx context.Context) {
	for ctx.Err() == nil {
		h.mu.Lock()
		head := h.head
		h.mu.Unlock()
		evs, err := h.store.After(ctx, head, 500)
		if err != nil {
			if ctx.Err() == nil {
				h.opts.Logger.Warn("alerts: hub: read the event log", "err", err)
			}
			return
		}
		h.dispatch(evs)
		if len(evs) < 500 {
			return
		}
	}
}

func (h *Hub) dispatch(evs []Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, e := range evs {
		if e.ID <= h.head {
			continue
		}
		h.head = e.ID
		h.ring = append(h.ring, e)
		if over := len(h.ring) - h.opts.Ring; over > 0 {
			h.floor = h.ring[over-1].ID
			h.ring = append(h.ring[:0:0], h.ring[over:]...)
		}
		for s := range h.live {
			if !s.filter.Match(e) {
				continue
			}
			select {
			case s.ch <- e:
			default:
				// A burst, or a slow reader: it reads on from the ring,
				// and is ended if it falls behind that too.
				h.endLocked(s, errLagging)
			}
		}
	}
}

func (h *Hub) stop() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.stopped = true
	for s := range h.live {
		h.endLocked(s, ErrClosed)
	}
}

// endLocked ends a live subscription with err.
func (h *Hub) endLocked(s *Subscription, err error) {
	if _, ok := h.live[s]; !ok {
		return
	}
	delete(h.live, s)
	s.err = err
	close(s.ch)
}

// Subscribe opens a subscription for principal (a limit key, never a
// subject) to events matching f with an id above after; after < 0 means
// from now on.
func (h *Hub) Subscribe(principal string, f Filter, after int64) (*Subscription, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.stopped {
		return nil, ErrClosed
	}
	if h.perPrincipal[principal] >= h.opts.MaxPerPrincipal {
		return nil, fmt.Errorf("%w (%d on this replica)", ErrTooManySubscriptions, h.opts.MaxPerPrincipal)
	}
	h.perPrincipal[principal]++
	if after < 0 {
		after = h.head
	}
	// An id beyond this replica's head (another replica dispatched it
	// first) stands: events up to it are skipped when they come.
	return &Subscription{hub: h, principal: principal, filter: f, cursor: after,
		ch: make(chan Event, h.opts.Buffer)}, nil
}

// Head is the last id the hub has dispatched.
func (h *Hub) Head() int64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.head
}

// catchUpPage is how many events a subscription reads from the ring or the
// log at a time.
const catchUpPage = 64

// errLagging moves a live subscription back to reading from the ring.
var errLagging = errors.New("alerts: lagging")

// Subscription is one subscriber's position in the log.
type Subscription struct {
	hub       *Hub
	principal string
	filter    Filter
	cursor    int64 // the last id handed out or skipped
	pending   []Event
	joined    bool
	lagged    bool // it fell out of the live ones once: the ring is its bound
	ch        chan Event
	err       error // set before ch is closed
	closeOnce sync.Once
}

// Next returns the next matching event, waiting for one. It returns
// ErrSlowConsumer when the subscription fell too far behind, ErrClosed when
// the hub stopped, or ctx's error.
func (s *Subscription) Next(ctx context.Context) (Event, error) {
	for {
		if len(s.pending) > 0 {
			e := s.pending[0]
			s.pending = s.pending[1:]
			return e, nil
		}
		if !s.joined {
			if err := s.catchUp(ctx); err != nil {
				return Event{}, err
			}
			continue
		}
		select {
		case e, ok := <-s.ch:
			if !ok {
				if errors.Is(s.err, errLagging) {
					s.joined, s.lagged, s.err = false, true, nil
					s.ch = make(chan Event, s.hub.opts.Buffer)
					continue
				}
				return Event{}, s.err
			}
			if e.ID <= s.cursor {
				continue
			}
			s.cursor = e.ID
			return e, nil
		case <-ctx.Done():
			return Event{}, ctx.Err()
		}
	}
}

// catchUp reads the events after the cursor from the ring or the log into
// pending; once there are none, it joins the live subscriptions, under the
// hub's lock so that no dispatch falls between.
func (s *Subscription) catchUp(ctx context.Context) error {
	h := s.hub
	h.mu.Lock()
	if s.cursor >= h.head {
		if h.stopped {
			h.mu.Unlock()
			return ErrClosed
		}
		s.joined = true
		h.live[s] = struct{}{}
		h.mu.Unlock()
		return nil
	}
	head := h.head
	var evs []Event
	if s.lagged && s.cursor < h.floor {
		h.mu.Unlock()
		return ErrSlowConsumer
	}
	if s.cursor >= h.floor {
		// A page at a time, so that a reader that falls behind the ring
		// meanwhile is told soon.
		for _, e := range h.ring {
			if e.ID > s.cursor {
				evs = append(evs, e)
				if len(evs) == catchUpPage {
					break
				}
			}
		}
		h.mu.Unlock()
	} else {
		h.mu.Unlock()
		var err error
		if evs, err = h.store.After(ctx, s.cursor, catchUpPage); err != nil {
			return fmt.Errorf("alerts: resume: %w", err)
		}
	}
	advanced := false
	for _, e := range evs {
		if e.ID > head {
			break // not dispatched yet: it comes live
		}
		s.cursor, advanced = e.ID, true
		if s.filter.Match(e) {
			s.pending = append(s.pending, e)
		}
	}
	if !advanced {
		// Nothing left up to the head the hub had (pruned, or ids the log
		// skipped): the rest comes from the ring or live.
		s.cursor = head
	}
	return nil
}

// Close ends the subscription and frees its place in the principal's limit.
func (s *Subscription) Close() {
	s.closeOnce.Do(func() {
		h := s.hub
		h.mu.Lock()
		defer h.mu.Unlock()
		h.endLocked(s, ErrClosed)
		if h.perPrincipal[s.principal]--; h.perPrincipal[s.principal] <= 0 {
			delete(h.perPrincipal, s.principal)
		}
	})
}
