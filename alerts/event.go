package alerts

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/sundhedsklynge/klynge/domain"
	"github.com/sundhedsklynge/klynge/pathway"
)

// Kind is what an alert says happened.
type Kind string

// The kinds, as the schema's HandoverAlertKind names them.
const (
	// KindAdmitted: a citizen receiving municipal care was admitted.
	KindAdmitted Kind = "ADMITTED"
	// KindDischarged: a pathway's stay ended (not a transfer).
	KindDischarged Kind = "DISCHARGED"
	// KindGapDetected: a handover rule found a gap.
	KindGapDetected Kind = "GAP_DETECTED"
	// KindDeadlineApproaching: a rule's deadline is near and its condition
	// still unmet (Event.Due says when).
	KindDeadlineApproaching Kind = "DEADLINE_APPROACHING"
	// KindGapResolved: a gap, or a deadline announced before, is cleared.
	KindGapResolved Kind = "GAP_RESOLVED"
)

// Kinds lists every kind in the order the schema gives them.
func Kinds() []Kind {
	return []Kind{KindAdmitted, KindDischarged, KindGapDetected, KindDeadlineApproaching, KindGapResolved}
}

// Event is one alert about one pathway. It is written once to the event log
// (which gives it ID) and read by every replica.
type Event struct {
	// ID is the event log's id: increasing in the order events were
	// committed, across all clusters. Zero until stored.
	ID int64
	// Key identifies the change within the cluster (see Detect); the log
	// keeps one event per cluster and key.
	Key     string
	Cluster string
	// Municipality is the citizen's municipality of residence at
	// detection: the member municipality the alert belongs to.
	Municipality domain.MunicipalityCode
	Kind         Kind
	// At is when it happened in the systems: the admission, the discharge,
	// the gap's detection time by the rule, the moment the warning became
	// due; for a resolution, when the watcher saw it.
	At time.Time
	// DetectedAt is when the watcher noticed (the gateway's clock).
	DetectedAt time.Time
	// Due is the deadline of DEADLINE_APPROACHING; zero otherwise.
	Due time.Time
	// Rule is the gap kind of a gap, deadline or resolution.
	Rule pathway.GapKind
	// Message says what happened in words a nurse uses, without a CPR or a
	// name.
	Message string
	CPR     domain.CPR
	// Pathway is the pathway as assessed at detection.
	Pathway pathway.Pathway
	// Facts are what the access rules read to decide who may receive the
	// alert, as the systems answered at detection.
	Facts Facts
}

// Facts are the facts of the access rules (package access) about the
// citizen, reduced to the fields the rules read: no name, no address line.
type Facts struct {
	GP         domain.Ydernummer
	Home       domain.MunicipalityCode
	Encounters []domain.Encounter
	Services   []domain.CareService
	OutOfHours []domain.OutOfHoursContact
}

// Reduce keeps of the systems' records only what the access rules read.
func Reduce(c domain.Citizen, encs []domain.Encounter, svcs []domain.CareService, ooh []domain.OutOfHoursContact) Facts {
	f := Facts{GP: c.GP, Home: c.Address.Municipality}
	for _, e := range encs {
		f.Encounters = append(f.Encounters, domain.Encounter{ID: e.ID, CPR: e.CPR, Class: e.Class, Status: e.Status,
			Start: e.Start, End: e.End, Hospital: e.Hospital, Department: e.Department})
	}
	for _, s := range svcs {
		f.Services = append(f.Services, domain.CareService{ID: s.ID, CPR: s.CPR, Municipality: s.Municipality,
			Status: s.Status, Start: s.Start, End: s.End})
	}
	for _, o := range ooh {
		f.OutOfHours = append(f.OutOfHours, domain.OutOfHoursContact{ID: o.ID, CPR: o.CPR, ReceivedAt: o.ReceivedAt, EndedAt: o.EndedAt})
	}
	return f
}

// Citizen is the patient record the facts describe, as the access rules
// read it.
func (f Facts) Citizen(cpr domain.CPR) *domain.Citizen {
	c := domain.Citizen{CPR: cpr, GP: f.GP}
	c.Address.Municipality = f.Home
	return &c
}

// Marshal encodes an event for the log.
func (e Event) Marshal() ([]byte, error) {
	b, err := json.Marshal(e)
	if err != nil {
		return nil, fmt.Errorf("alerts: encode event: %w", err)
	}
	return b, nil
}

// Unmarshal decodes an event the log holds, and sets its id.
func Unmarshal(id int64, b []byte) (Event, error) {
	var e Event
	if err := json.Unmarshal(b, &e); err != nil {
		return Event{}, fmt.Errorf("alerts: decode event %d: %w", id, err)
	}
	e.ID = id
	return e, nil
}

// Filter selects events for a subscriber: one cluster, optionally one
// member municipality and some kinds.
type Filter struct {
	Cluster      string
	Municipality domain.MunicipalityCode // 0: every member
	Kinds        []Kind                  // empty: every kind
}

// Match reports whether e passes the filter.
func (f Filter) Match(e Event) bool {
	if e.Cluster != f.Cluster || (f.Municipality != 0 && e.Municipality != f.Municipality) {
		return false
	}
	if len(f.Kinds) == 0 {
		return true
	}
	for _, k := range f.Kinds {
		if k == e.Kind {
			return true
		}
	}
	return false
}
