package loaders

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/sundhedsklynge/klynge/connectors/ehospital"
	"github.com/sundhedsklynge/klynge/connectors/gpreferral"
	"github.com/sundhedsklynge/klynge/connectors/municipal"
	"github.com/sundhedsklynge/klynge/connectors/outofhours"
	"github.com/sundhedsklynge/klynge/domain"
	"github.com/sundhedsklynge/klynge/workers"
)

// Upstreams are the connector clients the loaders batch into.
type Upstreams struct {
	EHospital  *ehospital.Client
	OutOfHours *outofhours.Client
	Municipal  *municipal.Directory
	GPReferral *gpreferral.Client
}

// Options tune batching. Zero values are the defaults.
type Options struct {
	// Wait is how long a loader collects keys before it asks (default 1ms).
	Wait time.Duration
	// History bounds time-windowed reads (out-of-hours contacts, visits,
	// received notifications) to the last History before now (default 400
	// days, so a year's look-back and the 30-day follow-up both fit).
	History time.Duration
	// Ahead lets visit reads include planned visits up to Ahead after now
	// (default 14 days).
	Ahead time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Logger receives batch failures (never keys).
	Logger *slog.Logger
	// Observe, when set, is told of every batch call (metrics, tracing).
	Observe BatchObserver
	// Workers runs the fetches of an operation that go on concurrently;
	// nil starts a goroutine for each. One pool serves every operation.
	Workers *workers.Pool
}

func (o Options) withDefaults() Options {
	if o.Wait <= 0 {
		o.Wait = time.Millisecond
	}
	if o.History <= 0 {
		o.History = 400 * 24 * time.Hour
	}
	if o.Ahead <= 0 {
		o.Ahead = 14 * 24 * time.Hour
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

// Batch capacities: the upstream's per-request limit where the loader's
// batch maps to one request; for municipal loaders a batch spans instances
// and the connector chunks per instance, so the cap is the graph's own
// largest list (500 citizens) and each instance still gets one request per
// 100 citizens.
const (
	patientBatch    = 100 // eHospitalet _count: one page per batch
	encounterBatch  = 100
	outOfHoursBatch = 200 // Lægevagten's limit
	gpBatch         = 200 // the referral feed's limit
	municipalBatch  = 500
)

// MunicipalKey addresses a citizen in one municipality's care system.
type MunicipalKey struct {
	Municipality domain.MunicipalityCode
	CPR          domain.CPR
}

// Loaders are one operation's dataloaders.
type Loaders struct {
	Patient       *Keyed[domain.CPR, Fetched[domain.Citizen]]
	Encounters    *Keyed[domain.CPR, Fetched[[]domain.Encounter]]
	OutOfHours    *Keyed[domain.CPR, Fetched[[]domain.OutOfHoursContact]]
	Referrals     *Keyed[domain.CPR, Fetched[[]domain.Referral]]
	GPContacts    *Keyed[domain.CPR, Fetched[[]domain.GPContact]]
	Practice      *Keyed[domain.Ydernummer, Fetched[domain.Practice]]
	CareServices  *Keyed[MunicipalKey, Fetched[[]domain.CareService]]
	CareVisits    *Keyed[MunicipalKey, Fetched[[]domain.CareVisit]]
	Notifications *Keyed[MunicipalKey, Fetched[[]domain.ReceivedNotification]]

	now     time.Time
	up      Upstreams
	workers *workers.Pool

	onceMu sync.Mutex
	once   map[string]*sync.Once
}

// Once runs fn the first time name is asked for in this operation; callers
// that come while it runs wait for it. Resolvers use it to prefetch for
// every root field of an operation together.
func (l *Loaders) Once(name string, fn func()) {
	l.onceMu.Lock()
	if l.once == nil {
		l.once = map[string]*sync.Once{}
	}
	o, ok := l.once[name]
	if !ok {
		o = &sync.Once{}
		l.once[name] = o
	}
	l.onceMu.Unlock()
	o.Do(fn)
}

// New builds one operation's loaders. The read window is fixed at creation
// so that every field of the operation sees the same data.
func New(up Upstreams, opts Options) *Loaders {
	opts = opts.withDefaults()
	now := opts.Now()
	from, to := now.Add(-opts.History), now.Add(opts.Ahead)
	b := batcher{up: up, now: opts.Now, log: opts.Logger, observe: opts.Observe, workers: opts.Workers}
	return &Loaders{
		Patient:       newKeyed(opts, patientBatch, b.patients),
		Encounters:    newKeyed(opts, encounterBatch, b.encounters),
		OutOfHours:    newKeyed(opts, outOfHoursBatch, b.outOfHours(from, to)),
		Referrals:     newKeyed(opts, gpBatch, b.referrals),
		GPContacts:    newKeyed(opts, gpBatch, b.gpContacts),
		Practice:      newKeyed(opts, gpBatch, b.practices),
		CareServices:  newKeyed(opts, municipalBatch, b.careServices),
		CareVisits:    newKeyed(opts, municipalBatch, b.careVisits(from, to)),
		Notifications: newKeyed(opts, municipalBatch, b.notifications(from, to)),
		now:           now,
		up:            up,
		workers:       opts.Workers,
	}
}

// Go runs f concurrently, like wg.Go(f), on a worker of the pool the
// loaders were made with: for fetches (and checks that fetch), whose calls
// are deep enough that a new goroutine's stack would grow by copying.
func (l *Loaders) Go(wg *sync.WaitGroup, f func()) {
	l.workers.Go(wg, f)
}

// Now is the operation's clock reading, shared by all its fields.
func (l *Loaders) Now() time.Time { return l.now }

type loadersKey struct{}

// With returns ctx carrying l.
func With(ctx context.Context, l *Loaders) context.Context {
	return context.WithValue(ctx, loadersKey{}, l)
}

// For returns the operation's loaders. It panics when Middleware is not
// installed: that is a wiring bug, not a runtime condition.
func For(ctx context.Context) *Loaders {
	l, ok := ctx.Value(loadersKey{}).(*Loaders)
	if !ok {
		panic("loaders: no loaders in context; install loaders.Middleware in AroundOperations")
	}
	return l
}

// Middleware attaches fresh loaders to every operation (including each
// operation on a websocket), as gqlgen's AroundOperations hook.
func Middleware(up Upstreams, opts Options) graphql.OperationMiddleware {
	return func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		return next(With(ctx, New(up, opts)))
	}
}

// EventMiddleware attaches fresh loaders to each event of a subscription,
// as gqlgen's AroundResponses hook: an operation's loaders cache for its
// whole life, and a subscription lives for hours, so each event reads (and
// its access check decides) with its own clock reading and cache.
func EventMiddleware(up Upstreams, opts Options) graphql.ResponseMiddleware {
	return func(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
		if oc := graphql.GetOperationContext(ctx); oc != nil && oc.Operation != nil && oc.Operation.Operation == ast.Subscription {
			ctx = With(ctx, New(up, opts))
		}
		return next(ctx)
	}
}

// FinishedStays searches eHospitalet for stays (admissions, acute outpatient
// stays, home admissions) of citizens living in the given municipalities
// whose period overlaps [from, to) and which have finished: the population
// search a cluster worklist starts from. It is not a read by key, so it
// bypasses the dataloaders; everything per citizen after it goes through them.
// When some stays could not be read, the others come back together with a
// *SourceError naming those left out.
func (l *Loaders) FinishedStays(ctx context.Context, municipalities []domain.MunicipalityCode, from, to time.Time) ([]domain.Encounter, Source, error) {
	start := time.Now()
	encs, err := l.up.EHospital.SearchEncounters(ctx, ehospital.EncounterQuery{
		Municipalities: municipalities,
		Statuses:       []domain.EncounterStatus{domain.EncounterFinished},
		Classes:        []domain.EncounterClass{domain.ClassInpatient, domain.ClassEmergency, domain.ClassHomeHealth},
		From:           from,
		To:             to,
	})
	src := Source{System: "ehospital", AnsweredAt: l.now, Duration: time.Since(start)}
	if err != nil {
		return encs, src, &SourceError{Source: src, Err: err}
	}
	return encs, src, nil
}
