package gate

import (
	"context"
	"errors"
	"slices"
	"sort"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/sundhedsklynge/klynge/access"
	"github.com/sundhedsklynge/klynge/audit"
	"github.com/sundhedsklynge/klynge/domain"
	"github.com/sundhedsklynge/klynge/loaders"
)

// Operation is one operation's access state: the principal, the decisions
// made about citizens (each made once per operation), and the access-log
// records owed for what the operation disclosed or refused, which the
// Extension writes before each response leaves.
type Operation struct {
	gate          *Extension
	principal     access.Principal
	authenticated bool

	mu        sync.Mutex
	decisions map[domain.CPR]*decisionCall
	owed      map[owedKey]*owedRecord
	order     []owedKey
	extra     []audit.Record
	// staged are grant changes written with the response, or not at all
	// (breakglass.go).
	staged []staged
	// logDown is why the access log was unwritable when the operation was
	// about to read a citizen's data; the whole response is then withheld.
	logDown error
	// alerts, on a subscription to handover alerts, are the records owed
	// for the alerts handed to the executor, one per response.
	alerts *alertQueue
}

type decisionCall struct {
	done chan struct{}
	d    access.Decision
}

// owedKey groups what one response disclosed about one citizen under one
// decision into one record.
type owedKey struct {
	cpr     domain.CPR
	outcome audit.Outcome
	purpose access.Purpose
}

type owedRecord struct {
	decision access.Decision
	fields   map[string]bool
	sources  map[string]bool
}

type operationKey struct{}

func newOperation(ctx context.Context, g *Extension) *Operation {
	p, ok := access.PrincipalFrom(ctx)
	return &Operation{
		gate: g, principal: p, authenticated: ok,
		decisions: map[domain.CPR]*decisionCall{},
		owed:      map[owedKey]*owedRecord{},
	}
}

// errAccessNotInstalled fails a resolver closed when the Extension is
// missing: a wiring bug must never disclose data.
var errAccessNotInstalled = errors.New("access control is not installed (gate.Extension)")

// From is the operation's access state; it fails closed when the Extension
// is not installed.
func From(ctx context.Context) (*Operation, error) {
	st, ok := ctx.Value(operationKey{}).(*Operation)
	if !ok {
		return nil, errAccessNotInstalled
	}
	return st, nil
}

// Caller is the operation's access state and its authenticated principal,
// or UNAUTHENTICATED.
func Caller(ctx context.Context) (*Operation, access.Principal, error) {
	st, err := From(ctx)
	if err != nil {
		return nil, access.Principal{}, err
	}
	p, err := st.caller()
	return st, p, err
}

// caller is the authenticated principal, or UNAUTHENTICATED.
func (st *Operation) caller() (access.Principal, error) {
	if !st.authenticated {
		return access.Principal{}, &domain.UnauthenticatedError{Reason: "no bearer token: send the header Authorization: Bearer <token>"}
	}
	return st.principal, nil
}

// errLogUnwritable refuses what cannot be recorded.
var errLogUnwritable = errors.New("the access log cannot be written, so nothing is read")

// requireLog checks, before anything is read for a citizen, that the access
// log can be written (audit.Log.Writable: cached, no I/O). When it cannot,
// the operation is marked to be withheld whole and no upstream is asked:
// what it read could never be recorded, so it could never be returned.
func (st *Operation) requireLog() error {
	if st.gate.Log == nil {
		return nil // withheld when the records are owed, as ever
	}
	err := st.gate.Log.Writable()
	if err == nil {
		return nil
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.logDown == nil {
		st.logDown = err
	}
	return errLogUnwritable
}

func (st *Operation) logUnwritable() error {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.logDown
}

// decideAll decides for every CPR not yet decided in this operation, with
// the facts warmed in one batch per loader first, and returns the
// decisions in the order asked. When the access log cannot be written it
// reads nothing and refuses every CPR (requireLog).
func (st *Operation) decideAll(ctx context.Context, cprs []domain.CPR) []access.Decision {
	var mine []domain.CPR
	calls := make([]*decisionCall, len(cprs))
	st.mu.Lock()
	for i, cpr := range cprs {
		c, ok := st.decisions[cpr]
		if !ok {
			c = &decisionCall{done: make(chan struct{})}
			st.decisions[cpr] = c
			mine = append(mine, cpr)
		}
		calls[i] = c
	}
	st.mu.Unlock()

	if len(mine) > 0 && st.requireLog() != nil {
		for _, cpr := range mine {
			st.settle(cpr, access.Decision{Purpose: access.PurposeTreatment, Reason: errLogUnwritable.Error()})
		}
		mine = nil
	}
	if len(mine) > 0 {
		l := loaders.For(ctx)
		now := l.Now()
		src := loaderFacts{l: l, log: st.gate.Log, grants: grantMemo{}}
		if st.authenticated {
			warm(ctx, st.gate.Rules, st.principal, mine, src, now)
		}
		check := func(cpr domain.CPR) {
			d := access.Decision{Purpose: access.PurposeTreatment, Reason: "not authenticated"}
			if st.authenticated {
				d = st.gate.Rules.Check(ctx, st.principal, cpr, now, src)
			}
			st.settle(cpr, d)
		}
		if len(mine) == 1 {
			// One citizen (a patient context): checked here rather than in
			// a new goroutine, whose small stack would grow by copying
			// through the check's calls.
			check(mine[0])
		} else {
			var wg sync.WaitGroup
			sem := make(chan struct{}, 8) // grant lookups are local reads; bound them all the same
			for _, cpr := range mine {
				l.Go(&wg, func() {
					sem <- struct{}{}
					defer func() { <-sem }()
					check(cpr)
				})
			}
			wg.Wait()
		}
	}
	out := make([]access.Decision, len(cprs))
	for i, c := range calls {
		// A decision already made stands although the request has ended
		// since (its deadline passed while upstreams were read): a select
		// on both would pick at random and refuse fields of an answer that
		// is otherwise complete.
		select {
		case <-c.done:
			out[i] = c.d
			continue
		default:
		}
		select {
		case <-c.done:
		case <-ctx.Done():
			out[i] = access.Decision{Purpose: access.PurposeTreatment, Reason: "the request ended before access was decided"}
			continue
		}
		out[i] = c.d
	}
	return out
}

// settle publishes the decision about cpr to everyone waiting for it.
func (st *Operation) settle(cpr domain.CPR, d access.Decision) {
	st.mu.Lock()
	c := st.decisions[cpr]
	st.mu.Unlock()
	c.d = d
	close(c.done)
}

// decide is the decision about one citizen; every field of a citizen asks,
// so a decision already made is returned without allocating.
func (st *Operation) decide(ctx context.Context, cpr domain.CPR) access.Decision {
	st.mu.Lock()
	c, ok := st.decisions[cpr]
	st.mu.Unlock()
	if ok {
		select {
		case <-c.done:
			return c.d
		default:
		}
	}
	return st.decideAll(ctx, []domain.CPR{cpr})[0]
}

// disclosed owes a record that field of the citizen was disclosed from
// sources under d.
func (st *Operation) disclosed(cpr domain.CPR, d access.Decision, field string, sources []string) {
	st.owe(cpr, d, audit.OutcomeAllowed, field, sources)
}

// refused owes a record that field of the citizen was refused under d.
func (st *Operation) refused(cpr domain.CPR, d access.Decision, field string) {
	st.owe(cpr, d, audit.OutcomeDenied, field, nil)
}

func (st *Operation) owe(cpr domain.CPR, d access.Decision, outcome audit.Outcome, field string, sources []string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	k := owedKey{cpr: cpr, outcome: outcome, purpose: d.Purpose}
	rec, ok := st.owed[k]
	if !ok {
		rec = &owedRecord{decision: d, fields: map[string]bool{}, sources: map[string]bool{}}
		st.owed[k] = rec
		st.order = append(st.order, k)
	}
	rec.fields[field] = true
	for _, s := range sources {
		rec.sources[s] = true
	}
}

// add owes a record built elsewhere (break-the-glass, access-log reads).
func (st *Operation) add(rec audit.Record) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.extra = append(st.extra, rec)
}

// drain returns the records owed so far and forgets them, so that each
// response (and each part of an incremental one) writes its own.
func (st *Operation) drain(requestID string) []audit.Record {
	st.mu.Lock()
	defer st.mu.Unlock()
	out := make([]audit.Record, 0, len(st.order)+len(st.extra))
	for _, k := range st.order {
		o := st.owed[k]
		rec := audit.Record{
			RequestID:        requestID,
			Principal:        auditPrincipal(st.principal),
			Citizen:          k.cpr,
			Fields:           sortedKeys(o.fields),
			Sources:          sortedKeys(o.sources),
			Purpose:          audit.Purpose(k.purpose),
			Outcome:          k.outcome,
			Reason:           o.decision.Reason,
			FlaggedForReview: o.decision.Review && k.outcome == audit.OutcomeAllowed,
		}
		if o.decision.GrantReason != "" && k.outcome == audit.OutcomeAllowed {
			rec.Reason = o.decision.GrantReason
		}
		out = append(out, rec)
	}
	for _, rec := range st.extra {
		rec.RequestID = requestID
		out = append(out, rec)
	}
	clear(st.owed)
	st.order, st.extra = st.order[:0], nil
	return out
}

func auditPrincipal(p access.Principal) audit.Principal {
	subject, role := p.Subject, string(p.Role)
	if subject == "" {
		subject, role = "anonymous", "none"
	}
	return audit.Principal{Subject: subject, Role: role, Organization: p.Organization}
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Admit decides, before any clinical data is fetched, which of the CPRs a
// root field asked for the caller may read. A refused citizen's entry is
// null with a FORBIDDEN error at its path that says why, and is recorded;
// the mask says which may be loaded.
func Admit(ctx context.Context, cprs []domain.CPR, indexed bool) ([]bool, error) {
	st, err := From(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := st.caller(); err != nil {
		return nil, err
	}
	field := "Query." + graphql.GetFieldContext(ctx).Field.Name
	decisions := st.decideAll(ctx, cprs)
	ok := make([]bool, len(cprs))
	for i, d := range decisions {
		if d.Allowed {
			ok[i] = true
			continue
		}
		st.refused(cprs[i], d, field)
		path := graphql.GetPath(ctx)
		if indexed {
			path = append(slices.Clone(path), ast.PathIndex(i))
		}
		graphql.AddError(ctx, &gqlerror.Error{Err: d.Err(), Message: d.Err().Error(), Path: path})
	}
	return ok, nil
}

// Admitted are the CPRs the caller may read, decided as Admit decides but
// without reporting: for prefetching before the fields that report run.
func Admitted(ctx context.Context, cprs []domain.CPR) []domain.CPR {
	st, err := From(ctx)
	if err != nil || !st.authenticated {
		return nil
	}
	var out []domain.CPR
	for i, d := range st.decideAll(ctx, cprs) {
		if d.Allowed {
			out = append(out, cprs[i])
		}
	}
	return out
}
