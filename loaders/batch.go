package loaders

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"time"

	"github.com/graph-gophers/dataloader/v7"

	"github.com/sundhedsklynge/klynge/connectors/municipal"
	"github.com/sundhedsklynge/klynge/connectors/upstream"
	"github.com/sundhedsklynge/klynge/domain"
	"github.com/sundhedsklynge/klynge/workers"
)

// batcher turns connector batch calls into dataloader batch functions:
// results in key order, len(keys) long, missing keys not-found (single
// values) or empty (lists), and a failed call an error for every key of the
// batch that needed it, never for others.
type batcher struct {
	up      Upstreams
	now     func() time.Time
	log     *slog.Logger
	observe BatchObserver // nil: none
	workers *workers.Pool
}

// fetchMany is a connector batch read.
type fetchMany[K comparable, V any] func(ctx context.Context, keys []K) (map[K]V, error)

// run calls fetch once for the batch, times it and tells the observer.
// When the connector could read all but some records, m holds what it read
// and keyErr the error of each key whose records it could not: those keys
// fail, the batch stands.
func run[K comparable, V any](ctx context.Context, b batcher, loader, system string, keys []K, fetch fetchMany[K, V]) (m map[K]V, keyErr func(K) error, src Source, err error) {
	if b.observe != nil {
		var done func(error)
		ctx, done = b.observe(ctx, Batch{Loader: loader, System: system, Keys: len(keys)})
		defer func() { done(err) }()
	}
	start := time.Now()
	m, err = fetch(ctx, keys)
	src = Source{System: system, AnsweredAt: b.now(), Duration: time.Since(start)}
	keyErr = func(K) error { return nil }
	var partial *upstream.RecordErrors[K]
	if errors.As(err, &partial) && m != nil {
		b.log.WarnContext(ctx, "upstream records could not be read", "loader", loader, "system", system,
			"keys", len(keys), "failed_keys", partial.Len(), "err", partial.Unwrap())
		keyErr = func(k K) error {
			if e := partial.Err(k); e != nil {
				return &SourceError{Source: src, Err: e}
			}
			return nil
		}
		return m, keyErr, src, nil
	}
	if err != nil {
		b.log.WarnContext(ctx, "upstream batch failed", "loader", loader, "system", system, "keys", len(keys), "err", err)
		return nil, keyErr, src, &SourceError{Source: src, Err: err}
	}
	return m, keyErr, src, nil
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// listLoader spreads a batch read of lists over the keys: a key the upstream
// did not mention has an empty list.
func listLoader[K comparable, V any](b batcher, loader, system string, fetch fetchMany[K, []V]) dataloader.BatchFunc[K, Fetched[[]V]] {
	return func(ctx context.Context, keys []K) []*dataloader.Result[Fetched[[]V]] {
		m, keyErr, src, err := run(ctx, b, loader, system, keys, fetch)
		out := make([]*dataloader.Result[Fetched[[]V]], len(keys))
		for i, k := range keys {
			if kerr := firstErr(err, keyErr(k)); kerr != nil {
				out[i] = &dataloader.Result[Fetched[[]V]]{Error: kerr}
				continue
			}
			out[i] = &dataloader.Result[Fetched[[]V]]{Data: Fetched[[]V]{Value: m[k], Source: src}}
		}
		return out
	}
}

// valueLoader spreads a batch read of single values over the keys: a key
// the upstream does not know is ErrNotFound.
func valueLoader[K comparable, V any](b batcher, loader, system string, fetch fetchMany[K, V]) dataloader.BatchFunc[K, Fetched[V]] {
	return func(ctx context.Context, keys []K) []*dataloader.Result[Fetched[V]] {
		m, keyErr, src, err := run(ctx, b, loader, system, keys, fetch)
		out := make([]*dataloader.Result[Fetched[V]], len(keys))
		for i, k := range keys {
			v, ok := m[k]
			switch kerr := firstErr(err, keyErr(k)); {
			case kerr != nil:
				out[i] = &dataloader.Result[Fetched[V]]{Error: kerr}
			case !ok:
				out[i] = &dataloader.Result[Fetched[V]]{Error: ErrNotFound}
			default:
				out[i] = &dataloader.Result[Fetched[V]]{Data: Fetched[V]{Value: v, Source: src}}
			}
		}
		return out
	}
}

// municipalLoader groups a batch by municipality and asks each municipal
// instance once (the connector chunks at the instance's limit), all
// instances concurrently. One instance failing fails only its own keys.
func municipalLoader[V any](b batcher, loader string, fetch func(c *municipal.Client, ctx context.Context, cprs []domain.CPR) (map[domain.CPR][]V, error)) dataloader.BatchFunc[MunicipalKey, Fetched[[]V]] {
	return func(ctx context.Context, keys []MunicipalKey) []*dataloader.Result[Fetched[[]V]] {
		byCode := map[domain.MunicipalityCode][]int{}
		for i, k := range keys {
			byCode[k.Municipality] = append(byCode[k.Municipality], i)
		}
		codes := slices.Collect(maps.Keys(byCode))
		out := make([]*dataloader.Result[Fetched[[]V]], len(keys))
		concurrently(b.workers, len(codes), func(c int) {
			code, idx := codes[c], byCode[codes[c]]
			system := fmt.Sprintf("municipal/%d", code)
			cprs := make([]domain.CPR, len(idx))
			for j, i := range idx {
				cprs[j] = keys[i].CPR
			}
			m, keyErr, src, err := run(ctx, b, loader, system, cprs, func(ctx context.Context, cprs []domain.CPR) (map[domain.CPR][]V, error) {
				inst, err := b.up.Municipal.Instance(code)
				if err != nil {
					// Not connected is, to the caller, that system
					// being unavailable: the field is null and the
					// error names the instance.
					return nil, &upstream.UnavailableError{System: system, Err: err}
				}
				return fetch(inst, ctx, cprs)
			})
			for _, i := range idx {
				if kerr := firstErr(err, keyErr(keys[i].CPR)); kerr != nil {
					out[i] = &dataloader.Result[Fetched[[]V]]{Error: kerr}
					continue
				}
				out[i] = &dataloader.Result[Fetched[[]V]]{Data: Fetched[[]V]{Value: m[keys[i].CPR], Source: src}}
			}
		})
		return out
	}
}

func (b batcher) patients(ctx context.Context, keys []domain.CPR) []*dataloader.Result[Fetched[domain.Citizen]] {
	return valueLoader(b, "patient", "ehospital", b.up.EHospital.PatientsByCPR)(ctx, keys)
}

func (b batcher) encounters(ctx context.Context, keys []domain.CPR) []*dataloader.Result[Fetched[[]domain.Encounter]] {
	return listLoader(b, "encounters", "ehospital", b.up.EHospital.EncountersByCPR)(ctx, keys)
}

func (b batcher) outOfHours(from, to time.Time) dataloader.BatchFunc[domain.CPR, Fetched[[]domain.OutOfHoursContact]] {
	return listLoader(b, "outofhours", "outofhours", func(ctx context.Context, cprs []domain.CPR) (map[domain.CPR][]domain.OutOfHoursContact, error) {
		return b.up.OutOfHours.ContactsByCPR(ctx, cprs, from, to)
	})
}

func (b batcher) referrals(ctx context.Context, keys []domain.CPR) []*dataloader.Result[Fetched[[]domain.Referral]] {
	return listLoader(b, "referrals", "gpreferral", b.up.GPReferral.ReferralsByCPR)(ctx, keys)
}

func (b batcher) gpContacts(ctx context.Context, keys []domain.CPR) []*dataloader.Result[Fetched[[]domain.GPContact]] {
	return listLoader(b, "gpcontacts", "gpreferral", b.up.GPReferral.ContactsByCPR)(ctx, keys)
}

func (b batcher) practices(ctx context.Context, keys []domain.Ydernummer) []*dataloader.Result[Fetched[domain.Practice]] {
	return valueLoader(b, "practice", "gpreferral", b.up.GPReferral.PracticesByYdernummer)(ctx, keys)
}

func (b batcher) careServices(ctx context.Context, keys []MunicipalKey) []*dataloader.Result[Fetched[[]domain.CareService]] {
	return municipalLoader(b, "careservices", (*municipal.Client).Services)(ctx, keys)
}

func (b batcher) careVisits(from, to time.Time) dataloader.BatchFunc[MunicipalKey, Fetched[[]domain.CareVisit]] {
	return municipalLoader(b, "carevisits", func(c *municipal.Client, ctx context.Context, cprs []domain.CPR) (map[domain.CPR][]domain.CareVisit, error) {
		return c.Visits(ctx, cprs, from, to)
	})
}

func (b batcher) notifications(from, to time.Time) dataloader.BatchFunc[MunicipalKey, Fetched[[]domain.ReceivedNotification]] {
	return municipalLoader(b, "notifications", func(c *municipal.Client, ctx context.Context, cprs []domain.CPR) (map[domain.CPR][]domain.ReceivedNotification, error) {
		return c.Notifications(ctx, cprs, from, to)
	})
}
