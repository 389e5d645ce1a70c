package gate

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/sundhedsklynge/klynge/access"
	"github.com/sundhedsklynge/klynge/audit"
	"github.com/sundhedsklynge/klynge/domain"
	"github.com/sundhedsklynge/klynge/graph/model"
)

// fieldHandoverAlerts is the access-log field of a delivered alert.
const fieldHandoverAlerts = "Subscription.handoverAlerts"

// AlertReader decides, alert by alert, whether a subscriber may receive
// it, and owes the access log a record of each one delivered. The decision
// is the access rules' (package access) over the facts the watcher read
// when it detected the alert, at the moment of delivery: no upstream is
// read to filter a cluster's stream. Break-the-glass grants do not open a
// stream: they are for reading one citizen in an emergency, not for being
// told about them from then on.
type AlertReader struct {
	st      *Operation
	p       access.Principal
	cluster string
	// cluster is the integrator's decision for the whole cluster; nil for
	// the roles decided per citizen.
	clusterDecision *access.Decision
}

// alertQueue holds the records owed for alerts handed to the executor, one
// per response, in order (see Extension.InterceptResponse).
type alertQueue struct {
	mu   sync.Mutex
	recs []audit.Record
}

// OpenAlerts decides whether the caller may subscribe to a cluster's
// alerts: integrators named for the cluster (pseudonymised), the health
// professionals and citizens (each alert decided on its own); privacy
// officers and other integrators may not, and their refusal is recorded.
func OpenAlerts(ctx context.Context, cluster string) (*AlertReader, error) {
	st, p, err := Caller(ctx)
	if err != nil {
		return nil, err
	}
	r := &AlertReader{st: st, p: p, cluster: cluster}
	var refusal *access.Decision
	switch {
	case p.Role == access.RoleIntegrator:
		d := access.ClusterData(p, cluster)
		if !d.Allowed {
			refusal = &d
		} else if st.gate.Pseudonyms == nil {
			return nil, errors.New("alerts: no pseudonym secret configured (access.pseudonymSecret), so integrators get no cluster data")
		}
		r.clusterDecision = &d
	case p.Role.Clinical(), p.Role == access.RoleCitizen:
	default:
		d := access.Decision{Purpose: access.PurposeAdministration,
			Reason: fmt.Sprintf("role %q receives no handover alerts: they are for the health professionals who act on them and the cluster's integrators", p.Role)}
		refusal = &d
	}
	if refusal != nil {
		if st.gate.Log != nil {
			rec := record(p, "", fieldHandoverAlerts, audit.Purpose(refusal.Purpose), audit.OutcomeDenied, refusal.Reason)
			if err := st.gate.Log.Append(context.WithoutCancel(ctx), rec); err != nil {
				return nil, err
			}
		}
		return nil, refusal.Err()
	}
	st.mu.Lock()
	if st.alerts == nil {
		st.alerts = &alertQueue{}
	}
	st.mu.Unlock()
	return r, nil
}

// Principal is the subscriber.
func (r *AlertReader) Principal() access.Principal { return r.p }

// Admission is an alert the subscriber may receive, with the decision
// that lets it.
type Admission struct {
	decision access.Decision
}

// Admit decides whether the alert about cpr, with the facts read at its
// detection, may go to the subscriber at now.
func (r *AlertReader) Admit(cpr domain.CPR, facts access.Facts, now time.Time) (Admission, bool, error) {
	if r.clusterDecision != nil {
		return Admission{decision: *r.clusterDecision}, true, nil
	}
	facts.Grant = nil
	d := r.st.gate.Rules.Decide(r.p, cpr, facts, now)
	if !d.Allowed {
		return Admission{}, false, nil
	}
	return Admission{decision: d}, true, nil
}

// Pseudonymise shows an alert's pathway as the subscriber may see it: for
// an integrator, the citizen and every upstream record id under the
// integrator's pseudonyms, exactly as its worklists show them
// (ClusterReader.PseudonymisePathway); for the others, as it is.
func (r *AlertReader) Pseudonymise(p *model.Pathway) error {
	if r.clusterDecision == nil {
		return nil
	}
	return (&ClusterReader{st: r.st, p: r.p, d: *r.clusterDecision}).PseudonymisePathway(p)
}

// Deliver owes the access-log record of an admitted alert about cpr (whose
// home is municipality) to the response that will carry it: call it just
// before handing the alert to the executor, once per alert.
func (r *AlertReader) Deliver(a Admission, cpr domain.CPR, municipality domain.MunicipalityCode) {
	rec := record(r.p, cpr, fieldHandoverAlerts, audit.Purpose(a.decision.Purpose), audit.OutcomeAllowed, a.decision.Reason)
	rec.Pseudonymised = a.decision.Pseudonymised
	rec.Sources = []string{sourceEHospital, sourceOutOfHours, sourceGPReferral}
	if municipality != 0 {
		rec.Sources = append(rec.Sources, fmt.Sprintf("municipal/%d", municipality))
	}
	q := r.st.alerts
	q.mu.Lock()
	q.recs = append(q.recs, rec)
	q.mu.Unlock()
}

// pop takes the record owed for the oldest alert handed over.
func (q *alertQueue) pop() (audit.Record, bool) {
	if q == nil {
		return audit.Record{}, false
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.recs) == 0 {
		return audit.Record{}, false
	}
	rec := q.recs[0]
	q.recs = q.recs[1:]
	return rec, true
}
