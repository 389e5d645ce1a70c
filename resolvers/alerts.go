package resolvers

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/sundhedsklynge/klynge/access"
	"github.com/sundhedsklynge/klynge/alerts"
	"github.com/sundhedsklynge/klynge/domain"
	"github.com/sundhedsklynge/klynge/errcode"
	"github.com/sundhedsklynge/klynge/gate"
	"github.com/sundhedsklynge/klynge/graph/model"
	"github.com/sundhedsklynge/klynge/stream"
)

// handoverAlerts subscribes the caller to a cluster's alerts: the hub's
// events matching the filter, each admitted by the access rules (gate)
// and its access-log record owed to the response that carries it.
func (r *Resolver) handoverAlerts(ctx context.Context, cluster string, municipality *int, kinds []model.HandoverAlertKind, after *string) (<-chan *model.HandoverAlert, error) {
	if r.Alerts == nil {
		return nil, &gqlerror.Error{Message: errcode.Message(errcode.AlertsOff, ""), Extensions: map[string]any{"code": errcode.AlertsOff}}
	}
	c, ok := r.Registry.Cluster(cluster)
	if !ok {
		return nil, domain.InvalidInput("cluster", "%q is not a cluster id (see the registry's clusters)", cluster)
	}
	f := alerts.Filter{Cluster: c.ID}
	if municipality != nil {
		code := domain.MunicipalityCode(*municipality)
		if !c.HasMember(code) {
			return nil, domain.InvalidInput("municipality", "%d is not a member of cluster %s", *municipality, c.ID)
		}
		f.Municipality = code
	}
	for _, k := range kinds {
		f.Kinds = append(f.Kinds, alerts.Kind(k))
	}
	from, err := resumeID(ctx, after)
	if err != nil {
		return nil, err
	}
	ar, err := gate.OpenAlerts(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	sub, err := r.Alerts.Subscribe(ar.Principal().LimitKey(), f, from)
	if errors.Is(err, alerts.ErrTooManySubscriptions) {
		return nil, &gqlerror.Error{Message: err.Error(), Extensions: map[string]any{"code": errcode.TooManySubscriptions}}
	}
	if err != nil {
		return nil, err
	}
	ch := make(chan *model.HandoverAlert) // unbuffered: the hub's buffer is the only one
	go r.deliverAlerts(ctx, sub, ar, ch)
	return ch, nil
}

// resumeID is the id to resume after: the argument, else the transport's
// Last-Event-ID, else -1 (from now on).
func resumeID(ctx context.Context, after *string) (int64, error) {
	field, raw := "after", ""
	if after != nil {
		raw = *after
	} else if raw = stream.Resume(ctx); raw != "" {
		field = "Last-Event-ID"
	}
	if raw == "" {
		return -1, nil
	}
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id < 0 {
		return 0, domain.InvalidInput(field, "must be the id of an alert received before (digits), got %q", raw)
	}
	return id, nil
}

// deliverAlerts hands the subscriber the alerts it may see until the
// subscription ends; a slow consumer's connection is closed with a reason.
func (r *Resolver) deliverAlerts(ctx context.Context, sub *alerts.Subscription, ar *gate.AlertReader, ch chan<- *model.HandoverAlert) {
	defer close(ch)
	defer sub.Close()
	for {
		ev, err := sub.Next(ctx)
		if err != nil {
			if errors.Is(err, alerts.ErrSlowConsumer) {
				stream.Close(ctx, stream.CloseSlowConsumer, "slow consumer: alerts were not read as fast as they came; reconnect and resume after the last id received")
			}
			return
		}
		adm, ok, err := ar.Admit(ev.CPR, accessFacts(ev), r.now())
		if err != nil || !ok {
			continue // not the caller's to see (an error is a pseudonym that cannot be made: fail closed)
		}
		alert := mapAlert(ev)
		if err := ar.Pseudonymise(alert.Pathway); err != nil {
			continue // fail closed: nothing of it is sent
		}
		ar.Deliver(adm, ev.CPR, ev.Municipality)
		stream.Sent(ctx, alert.ID)
		select {
		case ch <- alert:
		case <-ctx.Done():
			return
		}
	}
}

func (r *Resolver) now() time.Time {
	if r.Clock != nil {
		return r.Clock()
	}
	return time.Now()
}

// accessFacts are the facts the watcher read at detection, as the access
// rules read them.
func accessFacts(e alerts.Event) access.Facts {
	return access.Facts{
		Patient:    e.Facts.Citizen(e.CPR),
		Encounters: e.Facts.Encounters,
		Services:   e.Facts.Services,
		OutOfHours: e.Facts.OutOfHours,
	}
}

func mapAlert(e alerts.Event) *model.HandoverAlert {
	p := mapPathway(e.Pathway, nil)
	p.CPR = e.CPR
	a := &model.HandoverAlert{
		ID:               strconv.FormatInt(e.ID, 10),
		Kind:             model.HandoverAlertKind(e.Kind),
		ClusterID:        e.Cluster,
		MunicipalityCode: int(e.Municipality),
		At:               e.At,
		DetectedAt:       e.DetectedAt,
		Message:          e.Message,
		Pathway:          &p,
	}
	if !e.Due.IsZero() {
		due := e.Due
		a.Due = &due
	}
	if e.Rule != "" {
		rule := model.GapKind(e.Rule)
		a.Rule = &rule
	}
	return a
}
