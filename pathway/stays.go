package pathway

import (
	"cmp"
	"time"

	"github.com/sundhedsklynge/klynge/domain"
)

// stay is an encounter that counts as a hospital stay (docs/PATHWAYS.md,
// Assembly 1–2), with what its notifications add to it.
type stay struct {
	enc domain.Encounter
	// class is the encounter's class, except that an acute outpatient stay
	// with an effective STIN is an admission (STAA then STIN is one stay).
	class domain.EncounterClass
	// end is when the stay ended; zero while it has not. It is the
	// encounter's end, or for a finished encounter without one the time of
	// its discharge or death notification.
	end time.Time
	// finished reports Encounter.status finished with a known end.
	finished bool
	// died reports an effective MORS or a discharge as deceased.
	died bool
	// admitAt is when the patient was admitted to a ward: the effective
	// STIN's time after an acute outpatient start (STAA), else the start.
	// Time in the acute department before it is not admission.
	admitAt time.Time
	// acute reports a stay begun as an acute stay (an effective STAA).
	acute bool
}

// discharge reports a stay that ended in a discharge to anywhere but another
// hospital.
func (s stay) discharge() bool {
	return s.finished && s.enc.Destination != domain.DischargeOtherHospital
}

// transferOut reports a stay that ended with a transfer to another hospital.
func (s stay) transferOut() bool {
	return s.finished && s.enc.Destination == domain.DischargeOtherHospital
}

// encounterFacts is what one encounter contributes: a stay (or not), and a
// death it records.
type encounterFacts struct {
	stay    stay
	isStay  bool
	diedAt  time.Time
	invalid bool // entered in error, cancelled or planned: nothing it says counts
}

func examineEncounter(e domain.Encounter) encounterFacts {
	switch e.Status {
	case domain.EncounterEnteredInError, domain.EncounterCancelled, domain.EncounterPlanned:
		return encounterFacts{invalid: true}
	}
	if e.Start.IsZero() {
		return encounterFacts{invalid: true}
	}
	if !e.End.IsZero() && e.End.Before(e.Start) {
		e.End = e.Start // a stay cannot end before it starts; keep the start
	}
	eff := effectiveNotifications(e.Notifications)
	if hadAdmitting(e.Notifications) && !hasEffective(eff, domain.NotifyAdmitted, domain.NotifyAcuteOutpatientStart) {
		return encounterFacts{invalid: true} // the admission itself was cancelled
	}

	var f encounterFacts
	if t := latestEffective(eff, domain.NotifyDied); !t.IsZero() || hasEffective(eff, domain.NotifyDied) {
		f.diedAt = firstNonZero(t, e.End, e.Start)
	}
	end := e.End
	if e.Status == domain.EncounterFinished && end.IsZero() {
		end = latestEffective(eff, domain.NotifyDischarged, domain.NotifyDied)
		if end.Before(e.Start) {
			end = time.Time{}
		}
	}
	if e.Status == domain.EncounterFinished && e.Destination == domain.DischargeDeceased && f.diedAt.IsZero() {
		f.diedAt = firstNonZero(end, e.Start)
	}

	class := e.Class
	switch class {
	case domain.ClassInpatient, domain.ClassHomeHealth:
	case domain.ClassEmergency:
		if hasEffective(eff, domain.NotifyAdmitted) {
			class = domain.ClassInpatient
		}
	default:
		return f // VR and unknown classes are contacts, not stays
	}
	finished := e.Status == domain.EncounterFinished && !end.IsZero()
	if !finished {
		end = time.Time{} // in progress or on leave: leave is not a discharge
	}
	f.isStay = true
	f.stay = stay{enc: e, class: class, end: end, finished: finished, died: !f.diedAt.IsZero(),
		admitAt: e.Start, acute: hasEffective(eff, domain.NotifyAcuteOutpatientStart)}
	if t := earliestEffective(eff, domain.NotifyAdmitted); f.stay.acute && t.After(e.Start) {
		f.stay.admitAt = t
		if finished && t.After(end) {
			f.stay.admitAt = end
		}
	}
	return f
}

func firstNonZero(ts ...time.Time) time.Time {
	for _, t := range ts {
		if !t.IsZero() {
			return t
		}
	}
	return time.Time{}
}

func compareStays(a, b stay) int {
	return cmp.Or(a.enc.Start.Compare(b.enc.Start), cmp.Compare(a.enc.ID, b.enc.ID))
}

// chainStays groups stays (sorted by compareStays) into pathways: a stay that
// ends with a transfer to another hospital continues in the stay that starts
// nearest its end, within the transfer window either side (the receiving
// hospital may register the patient before the sender closes its encounter).
func chainStays(stays []stay, window time.Duration) [][]stay {
	used := make([]bool, len(stays))
	var chains [][]stay
	for i := range stays {
		if used[i] {
			continue
		}
		used[i] = true
		chain := []stay{stays[i]}
		for tail := i; stays[tail].transferOut(); {
			next := transferTarget(stays, used, tail, window)
			if next < 0 {
				break
			}
			used[next] = true
			chain = append(chain, stays[next])
			tail = next
		}
		chains = append(chains, chain)
	}
	return chains
}

func transferTarget(stays []stay, used []bool, tail int, window time.Duration) int {
	end := stays[tail].end
	best, bestDist := -1, time.Duration(0)
	for j := tail + 1; j < len(stays); j++ {
		if used[j] {
			continue
		}
		start := stays[j].enc.Start
		if start.After(end.Add(window)) {
			break // sorted by start: nothing later can be nearer
		}
		dist := start.Sub(end)
		if dist < 0 {
			dist = -dist
		}
		if dist <= window && (best < 0 || dist < bestDist) {
			best, bestDist = j, dist
		}
	}
	return best
}

func kindOf(chain []stay) Kind {
	kind := KindAcuteOutpatient
	for _, s := range chain {
		switch s.class {
		case domain.ClassHomeHealth:
			return KindHomeAdmission
		case domain.ClassInpatient:
			kind = KindAdmission
		}
	}
	return kind
}
