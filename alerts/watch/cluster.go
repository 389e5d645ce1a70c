package watch

import (
	"container/heap"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/sundhedsklynge/klynge/alerts"
	"github.com/sundhedsklynge/klynge/domain"
)

// clusterWatch is one cluster's watcher; its state lives only while this
// replica leads the cluster.
type clusterWatch struct {
	opts  Options
	id    string
	codes []domain.MunicipalityCode // the members with a care system configured

	since    time.Time           // the baseline: what was there before is not news
	reported map[string][]string // pathway id -> keys of its events
	timers   timerHeap
	set      map[timer]bool      // the timers in the heap, so each is set once
	open     map[domain.CPR]bool // citizens with an ongoing or open pathway
}

const baselineCursor = "baseline"

// watch runs the cluster's watcher until ctx ends or a step fails.
func (c *clusterWatch) watch(ctx context.Context) error {
	if err := c.start(ctx); err != nil {
		return err
	}
	c.opts.Logger.Info("alerts: watching the cluster", "cluster", c.id, "open_citizens", len(c.open))
	c.opts.Metrics.watches(c.id, true)
	defer c.opts.Metrics.watches(c.id, false)
	tick := func(d time.Duration) *time.Ticker { return time.NewTicker(d) }
	eh, mu, gp, sw := tick(c.opts.EHospital), tick(c.opts.Municipal), tick(c.opts.GPReferral), tick(c.opts.Sweep)
	defer eh.Stop()
	defer mu.Stop()
	defer gp.Stop()
	defer sw.Stop()
	for {
		var due <-chan time.Time
		if len(c.timers) > 0 {
			wait := min(c.timers[0].at.Sub(c.opts.Now()), c.opts.MaxTimerWait)
			due = time.After(max(wait, 0))
		}
		var (
			touched []domain.CPR
			reason  string
			err     error
		)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-eh.C:
			touched, err = c.pollEHospital(ctx)
			reason = "changed"
		case <-mu.C:
			touched, err = c.pollMunicipal(ctx)
			reason = "changed"
		case <-gp.C:
			touched, err = c.pollGP(ctx)
			reason = "changed"
		case <-sw.C:
			for cpr := range c.open {
				touched = append(touched, cpr)
			}
			reason = "sweep"
		case <-due:
			touched, reason = c.fired(), "timer"
		}
		if err != nil {
			// An upstream that does not answer is read again at its next
			// tick from the same position; the others go on.
			c.opts.Logger.Warn("alerts: poll failed", "cluster", c.id, "err", err)
			continue
		}
		if err := c.reassess(ctx, touched, reason); err != nil {
			c.opts.Logger.Warn("alerts: reassessment failed", "cluster", c.id, "err", err)
		}
	}
}

// start sets the baseline (once, ever, per cluster), reads which events were
// announced within the pathways' horizon, and assesses every pathway that
// may still change.
func (c *clusterWatch) start(ctx context.Context) error {
	now := c.opts.Now()
	b, err := c.opts.Store.Cursor(ctx, c.id, baselineCursor)
	if err != nil {
		return err
	}
	if b == "" {
		b = now.UTC().Format(time.RFC3339Nano)
		if err := c.opts.Store.SetCursor(ctx, c.id, baselineCursor, b); err != nil {
			return err
		}
	}
	if c.since, err = time.Parse(time.RFC3339Nano, b); err != nil {
		return fmt.Errorf("watch: baseline %q: %w", b, err)
	}
	keys, err := c.opts.Store.Keys(ctx, c.id, now.Add(-c.horizon()))
	if err != nil {
		return err
	}
	c.reported, c.open, c.timers, c.set = map[string][]string{}, map[domain.CPR]bool{}, nil, map[timer]bool{}
	for _, k := range keys {
		c.remember(k)
	}
	if err := c.initCursors(ctx); err != nil {
		return err
	}
	cprs, err := c.openPathways(ctx, now)
	if err != nil {
		return err
	}
	return c.reassess(ctx, cprs, "start")
}

// horizon is how long a pathway can still change: its follow-up window and
// a margin for the stay itself.
func (c *clusterWatch) horizon() time.Duration {
	return c.opts.Rules(c.id).FollowUp + 60*24*time.Hour
}

// remember notes an announced event's key under its pathway.
func (c *clusterWatch) remember(key string) {
	parts := strings.SplitN(key, "|", 3)
	if len(parts) >= 2 {
		c.reported[parts[1]] = append(c.reported[parts[1]], key)
	}
}

// reportedFor answers Detection.Reported for one pathway.
func (c *clusterWatch) reportedFor(pathwayID string) func(string) bool {
	keys := c.reported[pathwayID]
	return func(q string) bool {
		for _, k := range keys {
			if alerts.KeyMatches(q, k) {
				return true
			}
		}
		return false
	}
}

// timer is a moment a citizen's pathways must be looked at again.
type timer struct {
	at  time.Time
	cpr domain.CPR
}

type timerHeap []timer

func (h timerHeap) Len() int           { return len(h) }
func (h timerHeap) Less(i, j int) bool { return h[i].at.Before(h[j].at) }
func (h timerHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *timerHeap) Push(x any)        { *h = append(*h, x.(timer)) }
func (h *timerHeap) Pop() any {
	old := *h
	t := old[len(old)-1]
	*h = old[:len(old)-1]
	return t
}

func (c *clusterWatch) schedule(at time.Time, cpr domain.CPR) {
	t := timer{at: at.UTC(), cpr: cpr}
	if !c.set[t] {
		c.set[t] = true
		heap.Push(&c.timers, t)
	}
}

// fired pops the timers that are due and returns their citizens.
func (c *clusterWatch) fired() []domain.CPR {
	now := c.opts.Now()
	seen := map[domain.CPR]bool{}
	var out []domain.CPR
	for len(c.timers) > 0 && !c.timers[0].at.After(now) {
		t := heap.Pop(&c.timers).(timer)
		delete(c.set, t)
		if !seen[t.cpr] {
			seen[t.cpr] = true
			out = append(out, t.cpr)
		}
	}
	return out
}
