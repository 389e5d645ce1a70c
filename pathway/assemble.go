package pathway

import (
	"cmp"
	"slices"
	"time"

	"github.com/sundhedsklynge/klynge/domain"
)

// episode is one chain of stays with the facts every part of a pathway needs.
type episode struct {
	chain        []stay
	admittedAt   time.Time
	dischargedAt time.Time // zero while ongoing
	windowEnd    time.Time // discharge + FollowUp; zero while ongoing
	// next is the next stay's admission at or after the discharge; zero if
	// none. From then on the later pathway holds the citizen.
	next       time.Time
	extended   bool // the 72-hour rule applies
	diedInStay bool // MORS or a discharge as deceased in one of its stays
}

func (ep episode) last() stay { return ep.chain[len(ep.chain)-1] }

// horizon is where the pathway's follow-up ends: the window's end, or the
// next admission when that comes first (a later stay belongs to its own
// pathway, with everything that follows it).
func (ep episode) horizon() time.Time {
	if !ep.next.IsZero() && (ep.windowEnd.IsZero() || ep.next.Before(ep.windowEnd)) {
		return ep.next
	}
	return ep.windowEnd
}

// readmittedBefore reports a next admission at or before t.
func (ep episode) readmittedBefore(t time.Time) bool { return !ep.next.IsZero() && !ep.next.After(t) }

// admittedLength is how long the citizen was admitted: from the first
// admission to a ward (or eHospitalet) to the discharge. Time in the acute
// department before the STIN does not count.
func (ep episode) admittedLength() time.Duration {
	for _, s := range ep.chain {
		if s.class == domain.ClassInpatient || s.class == domain.ClassHomeHealth {
			return ep.dischargedAt.Sub(s.admitAt)
		}
	}
	return 0
}

func newEpisode(chain []stay, rules Rules) episode {
	ep := episode{chain: chain, admittedAt: chain[0].enc.Start}
	for _, s := range chain {
		ep.diedInStay = ep.diedInStay || s.died
	}
	last := ep.last()
	if !last.discharge() {
		return ep
	}
	ep.dischargedAt = last.end
	ep.windowEnd = last.end.Add(rules.FollowUp)
	return ep
}

// extendedApplies is the 72-hour rule: an adult's admission (hospital or
// eHospitalet) that lasted longer than the minimum stay and ended with a
// discharge to municipal nursing — a destination where the municipality
// takes over care, or home while a municipal nursing service runs;
// psychiatric stays excluded while configured so.
func (r *record) extendedApplies(ep episode, rules Rules) bool {
	if ep.dischargedAt.IsZero() {
		return false
	}
	if kind := kindOf(ep.chain); kind != KindAdmission && kind != KindHomeAdmission {
		return false
	}
	last := ep.last().enc
	if ep.admittedLength() <= rules.ExtendedResponsibilityMinStay || (last.Psychiatric && rules.ExcludePsychiatric) {
		return false
	}
	if minAge, born := rules.ExtendedResponsibilityMinAge, r.citizen.BirthDate; minAge > 0 && !born.IsZero() &&
		domain.AgeAt(born, ep.dischargedAt) < minAge {
		return false
	}
	switch {
	case last.Destination.NeedsMunicipalCare():
		return true
	case last.Destination == domain.DischargeHome:
		return slices.ContainsFunc(r.services, func(s domain.CareService) bool {
			return s.ActiveAt(ep.dischargedAt) && matchesAny(s.Service.Code, rules.NursingServices)
		})
	}
	return false
}

// Assemble builds the citizen's pathways as they stand at now, newest
// admission first. The result depends only on its arguments. The zero Rules
// means DefaultRules; any other Rules should have passed Validate.
func Assemble(in Input, rules Rules, now time.Time) []Pathway {
	if rules.IsZero() {
		rules = DefaultRules()
	}
	rec := newRecord(in, rules)
	eps := rec.episodes
	medical := citizenSpans(eps, rec.citizen.GP, rec.diedAt, rules)

	pathways := make([]Pathway, len(eps))
	for k, ep := range eps {
		p := describe(ep, rec)
		care := careSpans(ep, rec.services, rec.citizen.Address.Municipality, rec.diedAt)
		p.RuleSet, p.RuleVersion = rules.ID, rules.Version
		p.Responsibility = responsibility(ep, medical[k], care, now)
		p.Events = rec.eventsBetween(ep.admittedAt, ep.horizon())
		if !ep.dischargedAt.IsZero() {
			ev := evaluation{rec: rec, rules: rules, now: now, eps: eps, k: k}
			ev.run()
			p.Gaps, p.OpenDeadlines = ev.gaps, ev.deadlines
		}
		p.Status = statusOf(p.Gaps, p.OpenDeadlines)
		pathways[k] = p
	}
	slices.SortFunc(pathways, func(a, b Pathway) int {
		return cmp.Or(b.AdmittedAt.Compare(a.AdmittedAt), cmp.Compare(a.ID, b.ID))
	})
	return pathways
}

// describe fills in what a pathway is, before any rule is evaluated.
func describe(ep episode, rec *record) Pathway {
	last := ep.last()
	p := Pathway{
		ID:                     "pw-" + ep.chain[0].enc.ID,
		CPR:                    rec.citizen.CPR,
		Municipality:           rec.citizen.Address.Municipality,
		Kind:                   kindOf(ep.chain),
		AdmittedAt:             ep.admittedAt,
		DischargedAt:           ep.dischargedAt,
		Hospital:               last.enc.Hospital,
		Department:             last.enc.Department,
		Psychiatric:            last.enc.Psychiatric,
		ExtendedResponsibility: ep.extended,
		FollowUpUntil:          ep.windowEnd,
	}
	for _, s := range ep.chain {
		p.EncounterIDs = append(p.EncounterIDs, s.enc.ID)
	}
	if !ep.dischargedAt.IsZero() {
		p.DischargeEncounterID = last.enc.ID
		p.Destination = last.enc.Destination
	}
	if !rec.diedAt.IsZero() && (ep.windowEnd.IsZero() || !rec.diedAt.After(ep.windowEnd)) {
		p.DiedAt = rec.diedAt
	}
	return p
}

func statusOf(gaps []Gap, deadlines []Deadline) Status {
	switch {
	case len(gaps) > 0:
		return StatusGap
	case len(deadlines) > 0:
		return StatusAtRisk
	}
	return StatusOK
}
