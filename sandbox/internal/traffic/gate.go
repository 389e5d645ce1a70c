package traffic

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/sundhedsklynge/klynge/sandbox/internal/httpapi"
)

// probeHeader marks a request a gateway makes on its own — a readiness
// probe, a capability reading — not for a query (the same name as
// connectors/upstream.ProbeHeader; the sandbox shares no code with the
// gateway beyond the wire contracts).
const probeHeader = "X-Klynge-Probe"

// Gate wraps every route of the simulated systems.
type Gate struct {
	stats   *Stats
	faults  *Faults
	latency time.Duration
	exact   bool // no jitter: every answer waits exactly latency
	log     *slog.Logger

	mu     sync.Mutex
	jitter *rand.Rand
}

// NewGate builds a gate adding base latency (with up to 50% jitter drawn
// from a generator seeded by seed, unless exact) to every answer.
func NewGate(stats *Stats, faults *Faults, latency time.Duration, exact bool, seed int64, log *slog.Logger) *Gate {
	return &Gate{
		stats:   stats,
		faults:  faults,
		latency: latency,
		exact:   exact,
		log:     log,
		jitter:  rand.New(rand.NewPCG(uint64(seed), 0x6c6174656e6379)),
	}
}

// Route serves one route of a system: it resolves the instance, runs the
// handler into a buffer (so that even a request answered by an injected
// fault is counted with its keys), then delays and delivers the answer as
// the faults say.
func (g *Gate) Route(sys httpapi.System, rt httpapi.Route) http.Handler {
	routeKey := rt.Key()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		system, ok := sys.Key(r)
		if !ok {
			sys.WriteError(w, http.StatusNotFound, "not_found", sys.UnknownInstance(r))
			return
		}
		ctx, keys := httpapi.WithKeyCounter(r.Context())
		rec := newRecorder()
		g.serveRecovered(sys, rt, rec, r.WithContext(ctx))
		if r.Header.Get(probeHeader) == "" {
			// A gateway's own requests (readiness probes, capability
			// readings) are answered, faults and all, but not counted: the
			// counts are of the graph's reads, and these come on a clock.
			g.stats.Record(system, routeKey, *keys)
		}

		dec, faulted := g.faults.decide(system)
		if !sleep(ctx, g.baseLatency()+time.Duration(dec.fault.Latency)) {
			return // the client gave up
		}
		if faulted {
			switch {
			case dec.fault.Down:
				drop(w)
				return
			case dec.fail:
				status := dec.fault.Status()
				sys.WriteError(w, status, "injected_fault", fmt.Sprintf("injected fault: %s answers %d", system, status))
				return
			case dec.fault.Malformed:
				rec.body = *bytes.NewBuffer(Malform(rec.body.Bytes()))
				rec.status = http.StatusOK
			}
			if dec.fault.SlowBody > 0 {
				rec.deliverSlowly(ctx, w, time.Duration(dec.fault.SlowBody))
				return
			}
		}
		rec.deliver(w)
	})
}

// serveRecovered runs the handler; a panic becomes a 500 in the system's
// format instead of a dropped connection.
func (g *Gate) serveRecovered(sys httpapi.System, rt httpapi.Route, rec *recorder, r *http.Request) {
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			// The panic value may quote the request: log only where it happened.
			g.log.Error("sandbox: handler panicked", "route", rt.Key(), "panic_type", fmt.Sprintf("%T", v))
			rec.reset()
			sys.WriteError(rec, http.StatusInternalServerError, "internal", "internal error")
		}
	}()
	rt.Handler(rec, r)
}

func (g *Gate) baseLatency() time.Duration {
	if g.latency <= 0 || g.exact {
		return max(g.latency, 0)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.latency + time.Duration(g.jitter.Int64N(int64(g.latency)/2+1))
}

// sleep waits d unless ctx ends first; it reports whether the wait ran out.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// drop closes the connection without any response, as a crashed or
// unreachable system would.
func drop(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler) // HTTP/2: net/http resets the stream
	}
	conn.Close()
}

// recorder buffers a handler's answer.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func newRecorder() *recorder { return &recorder{header: http.Header{}} }

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
}

func (r *recorder) Write(p []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(p)
}

func (r *recorder) reset() {
	r.header = http.Header{}
	r.status = 0
	r.body.Reset()
}

func (r *recorder) writeHead(w http.ResponseWriter) {
	for k, v := range r.header {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Length", strconv.Itoa(r.body.Len()))
	if r.status == 0 {
		r.status = http.StatusOK
	}
	w.WriteHeader(r.status)
}

func (r *recorder) deliver(w http.ResponseWriter) {
	r.writeHead(w)
	w.Write(r.body.Bytes())
}

// deliverSlowly spreads the body over d in ten parts, flushing each.
func (r *recorder) deliverSlowly(ctx context.Context, w http.ResponseWriter, d time.Duration) {
	r.writeHead(w)
	rc := http.NewResponseController(w)
	body := r.body.Bytes()
	const parts = 10
	size := (len(body) + parts - 1) / parts
	for k := 0; k < parts; k++ {
		lo, hi := min(k*size, len(body)), min((k+1)*size, len(body))
		if lo < hi {
			w.Write(body[lo:hi])
		}
		rc.Flush()
		if k < parts-1 && !sleep(ctx, d/parts) {
			return
		}
	}
}
