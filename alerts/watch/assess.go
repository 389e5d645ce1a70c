package watch

import (
	"context"
	"slices"
	"time"

	"github.com/sundhedsklynge/klynge/alerts"
	"github.com/sundhedsklynge/klynge/domain"
	"github.com/sundhedsklynge/klynge/loaders"
	"github.com/sundhedsklynge/klynge/pathway"
)

// chunk is how many citizens one set of loaders reassesses: one request
// per upstream instance per chunk.
const chunk = 100

// reassess assesses the citizens' pathways with fresh loaders, appends the
// alerts they owe, and sets the timers of their open deadlines.
func (c *clusterWatch) reassess(ctx context.Context, cprs []domain.CPR, reason string) error {
	slices.Sort(cprs)
	cprs = slices.Compact(cprs)
	for len(cprs) > 0 {
		n := min(chunk, len(cprs))
		if err := c.reassessChunk(ctx, cprs[:n], reason); err != nil {
			return err
		}
		cprs = cprs[n:]
	}
	return nil
}

func (c *clusterWatch) reassessChunk(ctx context.Context, cprs []domain.CPR, reason string) error {
	l := loaders.New(c.opts.Upstreams, c.opts.Loaders)
	now := l.Now()
	l.Patient.Prefetch(ctx, cprs)
	var mine []domain.CPR
	var keys []loaders.MunicipalKey
	for _, cpr := range cprs {
		p, err := l.Patient.Load(ctx, cpr)()
		if err != nil || !slices.Contains(c.codes, p.Value.Address.Municipality) {
			delete(c.open, cpr) // moved away, unknown, or not readable now
			continue
		}
		mine = append(mine, cpr)
		keys = append(keys, loaders.MunicipalKey{Municipality: p.Value.Address.Municipality, CPR: cpr})
	}
	if len(mine) == 0 {
		return nil
	}
	c.opts.Metrics.assess(c.id, reason, len(mine))
	done := make(chan struct{})
	go func() {
		defer close(done)
		l.CareServices.Prefetch(ctx, keys)
		l.CareVisits.Prefetch(ctx, keys)
		l.Notifications.Prefetch(ctx, keys)
	}()
	l.Encounters.Prefetch(ctx, mine)
	l.OutOfHours.Prefetch(ctx, mine)
	l.Referrals.Prefetch(ctx, mine)
	l.GPContacts.Prefetch(ctx, mine)
	<-done

	rules := c.opts.Rules(c.id)
	var events []alerts.Event
	for i, cpr := range mine {
		a := c.assess(ctx, l, cpr, keys[i], rules, now)
		for _, p := range a.Pathways {
			events = append(events, alerts.Detect(a, alerts.Detection{
				Cluster: c.id, Now: now, Since: c.since, Lead: c.opts.Lead, Reported: c.reportedFor(p.ID),
			})...)
		}
		c.track(cpr, a.Pathways, now, rules)
	}
	return c.emit(ctx, events)
}

// assess is one citizen's assessment from the chunk's loaders (cached by
// the prefetch), narrowed to one pathway per Detect call by the caller.
func (c *clusterWatch) assess(ctx context.Context, l *loaders.Loaders, cpr domain.CPR, key loaders.MunicipalKey, rules pathway.Rules, now time.Time) alerts.Assessed {
	var in pathway.Input
	var missing []pathway.System
	miss := func(s pathway.System) {
		if !slices.Contains(missing, s) {
			missing = append(missing, s)
		}
	}
	p, _ := l.Patient.Load(ctx, cpr)()
	in.Citizen = p.Value
	if f, err := l.Encounters.Load(ctx, cpr)(); err != nil {
		miss(pathway.SystemEHospital)
	} else {
		in.Encounters = f.Value
	}
	if f, err := l.OutOfHours.Load(ctx, cpr)(); err != nil {
		miss(pathway.SystemOutOfHours)
	} else {
		in.OutOfHours = f.Value
	}
	if f, err := l.Referrals.Load(ctx, cpr)(); err != nil {
		miss(pathway.SystemGP)
	} else {
		in.Referrals = f.Value
	}
	if f, err := l.GPContacts.Load(ctx, cpr)(); err != nil {
		miss(pathway.SystemGP)
	} else {
		in.GPContacts = f.Value
	}
	if f, err := l.CareServices.Load(ctx, key)(); err != nil {
		miss(pathway.SystemMunicipal)
	} else {
		in.Services = f.Value
	}
	if f, err := l.CareVisits.Load(ctx, key)(); err != nil {
		miss(pathway.SystemMunicipal)
	} else {
		in.Visits = f.Value
	}
	if f, err := l.Notifications.Load(ctx, key)(); err != nil {
		miss(pathway.SystemMunicipal)
	} else {
		in.Received = f.Value
	}
	as := pathway.Assess(in, missing, rules, now)
	var recent []pathway.Pathway
	for _, pw := range as.Pathways {
		pw.CPR = cpr
		if !pw.Discharged() || !pw.FollowUpUntil.Before(now.Add(-24*time.Hour)) {
			recent = append(recent, pw)
		}
	}
	return alerts.Assessed{Citizen: in.Citizen, Pathways: recent, Services: in.Services,
		Facts: alerts.Reduce(in.Citizen, in.Encounters, in.Services, in.OutOfHours)}
}

// track sets the timers of the citizen's open deadlines (their warning and
// due times) and notes whether the sweep should look at them again.
func (c *clusterWatch) track(cpr domain.CPR, ps []pathway.Pathway, now time.Time, rules pathway.Rules) {
	open := false
	for _, p := range ps {
		if !p.Discharged() || now.Before(p.DischargedAt.Add(rules.OutOfHoursWithin)) {
			open = true
		}
		for _, d := range p.OpenDeadlines {
			open = true
			if warn := d.Due.Add(-c.opts.Lead); warn.After(now) {
				c.schedule(warn, cpr)
			}
			if d.Due.After(now) {
				c.schedule(d.Due.Add(time.Second), cpr)
			}
		}
	}
	if open {
		c.open[cpr] = true
	} else {
		delete(c.open, cpr)
	}
}

// emit appends the events (the log drops those it holds already) and
// remembers their keys.
func (c *clusterWatch) emit(ctx context.Context, events []alerts.Event) error {
	if len(events) == 0 {
		return nil
	}
	written, err := c.opts.Store.Append(ctx, events)
	if err != nil {
		return err
	}
	for _, e := range events {
		c.remember(e.Key)
	}
	for _, e := range written {
		c.opts.Metrics.event(c.id, string(e.Kind))
	}
	return nil
}
