package gate

import (
	"context"
	"errors"
	"fmt"

	"github.com/sundhedsklynge/klynge/access"
	"github.com/sundhedsklynge/klynge/audit"
	"github.com/sundhedsklynge/klynge/domain"
)

// The access-log field names of the access operations themselves.
const (
	fieldBreakGlass       = "Mutation.breakGlass"
	fieldReviewBreakGlass = "Mutation.reviewBreakGlass"
	fieldAccessLog        = "Query.accessLog"
	fieldBreakGlassReview = "Query.breakGlassReview"
)

// AccessLogReader reads one citizen's access log for a caller the rules let
// read it. It is split from the decision so that a refused caller is
// refused (and recorded) before their paging arguments are checked.
type AccessLogReader struct {
	st  *Operation
	p   access.Principal
	d   access.Decision
	cpr domain.CPR
}

// OpenAccessLog decides whether the caller may read the access log about
// cpr (the citizen themself and privacy officers), recording a refusal.
func OpenAccessLog(ctx context.Context, cpr domain.CPR) (*AccessLogReader, error) {
	st, p, err := Caller(ctx)
	if err != nil {
		return nil, err
	}
	if err := st.requireLog(); err != nil {
		return nil, err
	}
	d := access.AccessLog(p, cpr)
	if !d.Allowed {
		st.add(record(p, cpr, fieldAccessLog, audit.Purpose(d.Purpose), audit.OutcomeDenied, d.Reason))
		return nil, d.Err()
	}
	return &AccessLogReader{st: st, p: p, d: d, cpr: cpr}, nil
}

// Read returns up to first records about the citizen with Seq below before
// (0: from the newest), newest first, and records the read.
func (r *AccessLogReader) Read(ctx context.Context, before int64, first int) ([]audit.Record, error) {
	if r.st.gate.Log == nil {
		return nil, errors.New("access log: none configured")
	}
	recs, err := r.st.gate.Log.Query(ctx, audit.Query{Citizen: r.cpr, Before: before, First: first})
	if err != nil {
		return nil, err
	}
	r.st.add(record(r.p, r.cpr, fieldAccessLog, audit.Purpose(r.d.Purpose), audit.OutcomeAllowed, r.d.Reason))
	return recs, nil
}

// ReviewQueueReader reads the break-the-glass grants for a privacy officer.
type ReviewQueueReader struct {
	st *Operation
	p  access.Principal
}

// OpenReviewQueue decides whether the caller may read the review queue,
// recording a refusal.
func OpenReviewQueue(ctx context.Context) (*ReviewQueueReader, error) {
	st, p, err := Caller(ctx)
	if err != nil {
		return nil, err
	}
	if d := access.ReviewQueue(p); !d.Allowed {
		st.add(record(p, "", fieldBreakGlassReview, audit.Purpose(d.Purpose), audit.OutcomeDenied, d.Reason))
		return nil, d.Err()
	}
	return &ReviewQueueReader{st: st, p: p}, nil
}

// Read returns grants matching q, oldest first.
func (r *ReviewQueueReader) Read(ctx context.Context, q audit.ReviewQuery) ([]audit.Grant, error) {
	if r.st.gate.Log == nil {
		return nil, errors.New("review queue: no access log")
	}
	return r.st.gate.Log.ReviewQueue(ctx, q)
}

// Disclosed records that the grants shown named their citizens, one record
// per citizen.
func (r *ReviewQueueReader) Disclosed(gs []audit.Grant) {
	seen := map[domain.CPR]bool{}
	for _, g := range gs {
		if !seen[g.Citizen] {
			seen[g.Citizen] = true
			r.st.add(record(r.p, g.Citizen, fieldBreakGlassReview, audit.PurposeAdministration, audit.OutcomeAllowed, "break-the-glass review"))
		}
	}
}

// ClusterReader discloses a cluster's data (worklists, statistics) to a
// caller the rules let read it, pseudonymised when the decision says so.
type ClusterReader struct {
	st    *Operation
	p     access.Principal
	d     access.Decision
	field string
	seen  map[domain.CPR]bool
}

// OpenCluster decides whether the caller may read the data of cluster for
// field (e.g. "Cluster.pathways"), and records a refusal.
func OpenCluster(ctx context.Context, cluster, field string) (*ClusterReader, error) {
	return openCluster(ctx, cluster, field, access.ClusterData)
}

// OpenClusterStatistics decides whether the caller may read the cluster's
// protected statistics (analysts and integrators), and records a refusal.
func OpenClusterStatistics(ctx context.Context, cluster, field string) (*ClusterReader, error) {
	return openCluster(ctx, cluster, field, access.ClusterStatistics)
}

func openCluster(ctx context.Context, cluster, field string, rule func(access.Principal, string) access.Decision) (*ClusterReader, error) {
	st, p, err := Caller(ctx)
	if err != nil {
		return nil, err
	}
	if err := st.requireLog(); err != nil {
		return nil, err
	}
	d := rule(p, cluster)
	if !d.Allowed {
		st.add(record(p, "", field, audit.Purpose(d.Purpose), audit.OutcomeDenied, d.Reason))
		return nil, d.Err()
	}
	return &ClusterReader{st: st, p: p, d: d, field: field, seen: map[domain.CPR]bool{}}, nil
}

// DisclosedSummary records a read that names no citizen (suppressed
// counts), as one record about no citizen.
func (c *ClusterReader) DisclosedSummary() {
	c.st.add(record(c.p, "", c.field, audit.Purpose(c.d.Purpose), audit.OutcomeAllowed, c.d.Reason))
}

// Pseudonym is how the caller may see cpr: "" when the decision shows CPRs,
// else the caller's pseudonym of it.
func (c *ClusterReader) Pseudonym(cpr domain.CPR) (string, error) {
	if !c.d.Pseudonymised {
		return "", nil
	}
	if c.st.gate.Pseudonyms == nil {
		return "", errors.New("cluster data: no pseudonym secret configured (access.pseudonymSecret)")
	}
	return c.st.gate.Pseudonyms.Pseudonym(c.p.Subject, cpr)
}

// Disclosed owes one access-log record for the citizen (once per reader),
// naming every system a pathway reads and the citizen's municipal instance
// (0: unknown).
func (c *ClusterReader) Disclosed(cpr domain.CPR, municipality domain.MunicipalityCode) {
	if c.seen[cpr] {
		return
	}
	c.seen[cpr] = true
	rec := record(c.p, cpr, c.field, audit.Purpose(c.d.Purpose), audit.OutcomeAllowed, c.d.Reason)
	rec.Pseudonymised = c.d.Pseudonymised
	rec.Sources = []string{sourceEHospital, sourceOutOfHours, sourceGPReferral}
	if municipality != 0 {
		rec.Sources = append(rec.Sources, fmt.Sprintf("municipal/%d", municipality))
	}
	c.st.add(rec)
}

// record is an access-log record of one field read about cpr ("" for none).
func record(p access.Principal, cpr domain.CPR, field string, purpose audit.Purpose, outcome audit.Outcome, reason string) audit.Record {
	return audit.Record{
		Principal: auditPrincipal(p), Citizen: cpr, Fields: []string{field},
		Purpose: purpose, Outcome: outcome, Reason: reason,
	}
}
