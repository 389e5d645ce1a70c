package pathway

import (
	"cmp"
	"slices"
	"time"

	"github.com/sundhedsklynge/klynge/domain"
)

// evaluation runs the handover rules of docs/PATHWAYS.md on one discharged
// episode at now. Each rule either is met, raises a gap (its deadline has
// passed, or the adverse event happened), or leaves an open deadline.
type evaluation struct {
	rec   *record
	rules Rules
	now   time.Time
	eps   []episode
	k     int

	gaps      []Gap
	deadlines []Deadline
}

func (ev *evaluation) ep() episode           { return ev.eps[ev.k] }
func (ev *evaluation) discharge() time.Time  { return ev.ep().dischargedAt }
func (ev *evaluation) dischargeEvent() Event { return endEvent(ev.ep().last()) }
func (ev *evaluation) destination() domain.DischargeDestination {
	return ev.ep().last().enc.Destination
}

func (ev *evaluation) run() {
	if ev.ep().diedInStay {
		return // the citizen died during the stay: there is no handover
	}
	ev.municipalityNotified()
	ev.careVisitWithin()
	ev.outOfHoursAfterDischarge()
	ev.readmitted()
	ev.referrals()
	ev.medicationCover()
	ev.gaps = slices.DeleteFunc(ev.gaps, func(g Gap) bool { return !ev.rules.Enabled(g.Kind) })
	ev.deadlines = slices.DeleteFunc(ev.deadlines, func(d Deadline) bool { return !ev.rules.Enabled(d.Rule) })
	slices.SortStableFunc(ev.gaps, func(a, b Gap) int {
		return cmp.Or(a.DetectedAt.Compare(b.DetectedAt), cmp.Compare(kindOrder(a.Kind), kindOrder(b.Kind)))
	})
	slices.SortStableFunc(ev.deadlines, func(a, b Deadline) int {
		return cmp.Or(a.Due.Compare(b.Due), cmp.Compare(kindOrder(a.Rule), kindOrder(b.Rule)), cmp.Compare(a.Ref, b.Ref))
	})
}

func kindOrder(k GapKind) int { return slices.Index(GapKinds(), k) }

// raise records a gap unless it cannot be known yet at now or the citizen
// had died by the time it would be detected.
func (ev *evaluation) raise(g Gap) {
	if g.DetectedAt.After(ev.now) || ev.deadBy(g.DetectedAt) {
		return
	}
	slices.SortFunc(g.Evidence, compareEvents)
	g.Evidence = slices.CompactFunc(g.Evidence, func(a, b Event) bool { return compareEvents(a, b) == 0 })
	g.RuleSet, g.RuleVersion = ev.rules.ID, ev.rules.Version
	ev.gaps = append(ev.gaps, g)
}

// await records an open deadline, unless the citizen has died: a gap that can
// no longer be raised puts nothing at risk.
func (ev *evaluation) await(rule GapKind, due time.Time, ref string) {
	if ev.deadBy(due) {
		return
	}
	ev.deadlines = append(ev.deadlines, Deadline{Rule: rule, Due: due, Ref: ref})
}

func (ev *evaluation) deadBy(t time.Time) bool {
	return !ev.rec.diedAt.IsZero() && !ev.rec.diedAt.After(t)
}

// deadlinePassed decides a rule whose condition is still unmet: once now is
// past due the gap is raised, until then the rule waits (AT_RISK). At due
// itself the deadline has not passed: the condition may still be met then.
func (ev *evaluation) deadlinePassed(due time.Time) bool { return ev.now.After(due) }

// MUNICIPALITY_NOT_NOTIFIED: no SLHJ (or RE_SLHJ) for the discharge encounter
// received by the municipality of residence within NotificationGrace.
func (ev *evaluation) municipalityNotified() {
	home := ev.rec.citizen.Address.Municipality
	if home == 0 {
		return // no Danish address: MedCom sends no notification to anyone
	}
	last := ev.ep().last()
	due := ev.discharge().Add(ev.rules.NotificationGrace)
	received := ev.receivedDischarges(last.enc.ID, home)
	if slices.ContainsFunc(received, func(n domain.ReceivedNotification) bool { return !n.ReceivedAt.After(due) }) {
		return
	}
	if !ev.deadlinePassed(due) {
		ev.await(GapMunicipalityNotNotified, due, last.enc.ID)
		return
	}
	evidence := []Event{ev.dischargeEvent()}
	sent := false
	for _, n := range last.enc.Notifications {
		if n.Code.Base() == domain.NotifyDischarged {
			evidence = append(evidence, sentEvent(n))
			sent = sent || !n.Code.IsCancellation()
		}
	}
	var late time.Time
	for _, n := range received {
		evidence = append(evidence, receivedEvent(n))
		if late.IsZero() || n.ReceivedAt.Before(late) {
			late = n.ReceivedAt
		}
	}
	severity := SeverityMedium
	if ev.destination().NeedsMunicipalCare() {
		severity = SeverityHigh
	}
	ev.raise(Gap{Kind: GapMunicipalityNotNotified, Severity: severity, DetectedAt: due, Evidence: evidence,
		Message: notNotifiedMessage(home, ev.destination(), ev.rules.NotificationGrace, sent, late.Sub(ev.discharge()), !late.IsZero())})
}

// receivedDischarges are the SLHJ and RE_SLHJ the home municipality received
// for the encounter, matched by encounter id or by the message they carried.
func (ev *evaluation) receivedDischarges(encounterID string, home domain.MunicipalityCode) []domain.ReceivedNotification {
	var out []domain.ReceivedNotification
	for _, n := range ev.rec.received {
		if n.Code.Base() != domain.NotifyDischarged || n.Code.IsCancellation() || n.ReceivedAt.IsZero() {
			continue
		}
		if n.Municipality != 0 && n.Municipality != home {
			continue
		}
		if n.EncounterID == encounterID || (n.MessageID != "" && ev.rec.messageEncounter[n.MessageID] == encounterID) {
			out = append(out, n)
		}
	}
	return out
}

// NO_CARE_VISIT_WITHIN_24H: care is needed — a service of one of the rule
// set's care needs active at discharge, or a destination that creates one —
// and some need has no visit that meets it (a performed visit for one of the
// need's MetBy services) in [discharge, discharge + CareVisitWithin]. A new
// stay before the deadline ends the rule: the citizen is in hospital again.
func (ev *evaluation) careVisitWithin() {
	d := ev.discharge()
	needs := ev.careNeedsAt(d)
	if len(needs) == 0 {
		return
	}
	due := d.Add(ev.rules.CareVisitWithin)
	var unmet []activeNeed
	for _, n := range needs {
		if v := ev.firstVisitMeeting(n.need, d, due); v == nil {
			unmet = append(unmet, n)
		}
	}
	if len(unmet) == 0 || ev.ep().readmittedBefore(due) {
		return
	}
	if !ev.deadlinePassed(due) {
		ev.await(GapNoCareVisitWithin24h, due, ev.ep().last().enc.ID)
		return
	}
	evidence := []Event{ev.dischargeEvent()}
	var names []string
	var firstLate time.Time
	for _, n := range unmet {
		names = append(names, n.need.Name)
		for _, s := range n.services {
			evidence = append(evidence, serviceStartEvent(s))
		}
		if v := ev.firstVisitMeeting(n.need, d, ev.ep().horizon()); v != nil {
			evidence = append(evidence, visitEvent(*v))
			if t := visitTime(*v); firstLate.IsZero() || t.Before(firstLate) {
				firstLate = t
			}
		}
	}
	unperformed, other := 0, 0
	for _, v := range ev.rec.visits {
		if t := visitTime(*v); t.Before(d) || t.After(due) {
			continue
		}
		evidence = append(evidence, visitEvent(*v))
		if v.Status == domain.VisitPerformed {
			other++ // performed, but for a service that does not meet the need
		} else {
			unperformed++
		}
	}
	ev.raise(Gap{Kind: GapNoCareVisitWithin24h, Severity: SeverityHigh, DetectedAt: due, Evidence: evidence,
		Message: noVisitMessage(unmet, ev.rules.CareVisitWithin, unperformed, other, firstLate.Sub(d), !firstLate.IsZero())})
}

// activeNeed is a care need in force at a discharge, with the services
// that create it (none when the destination does).
type activeNeed struct {
	need          CareNeed
	services      []domain.CareService
	byDestination bool
}

func (ev *evaluation) careNeedsAt(d time.Time) []activeNeed {
	var out []activeNeed
	for _, need := range ev.rules.CareNeeds {
		n := activeNeed{need: need, byDestination: slices.Contains(need.Destinations, ev.destination())}
		for _, s := range ev.rec.services {
			if s.ActiveAt(d) && matchesAny(s.Service.Code, need.Services) {
				n.services = append(n.services, s)
			}
		}
		if n.byDestination || len(n.services) > 0 {
			out = append(out, n)
		}
	}
	return out
}

// firstVisitMeeting is the first performed visit in [from, to] that meets
// the need: a visit for one of its MetBy services. A visit whose service the
// municipality did not report is taken as meeting it: a gap needs evidence,
// not a guess.
func (ev *evaluation) firstVisitMeeting(need CareNeed, from, to time.Time) *domain.CareVisit {
	i, _ := slices.BinarySearchFunc(ev.rec.performed, from, func(v *domain.CareVisit, t time.Time) int {
		return cmp.Or(visitTime(*v).Compare(t), 1)
	})
	for ; i < len(ev.rec.performed); i++ {
		v := ev.rec.performed[i]
		if visitTime(*v).After(to) {
			return nil
		}
		s, known := ev.rec.serviceByID[v.ServiceID]
		if !known || matchesAny(s.Service.Code, need.MetBy) {
			return v
		}
	}
	return nil
}

// OUT_OF_HOURS_AFTER_DISCHARGE: a contact received in (discharge, discharge
// + OutOfHoursWithin]. Detected at the first such contact.
func (ev *evaluation) outOfHoursAfterDischarge() {
	d := ev.discharge()
	end := d.Add(ev.rules.OutOfHoursWithin)
	var hits []domain.OutOfHoursContact
	for _, c := range ev.rec.outOfHours {
		if ev.ep().readmittedBefore(c.ReceivedAt) {
			break // sorted by time: the rest belong to the later stay's pathway
		}
		if c.ReceivedAt.After(d) && !c.ReceivedAt.After(end) && !c.ReceivedAt.After(ev.now) {
			hits = append(hits, c)
		}
	}
	if len(hits) == 0 {
		return
	}
	evidence := []Event{ev.dischargeEvent()}
	for _, c := range hits {
		evidence = append(evidence, outOfHoursEvent(c))
	}
	ev.raise(Gap{Kind: GapOutOfHoursAfterDischarge, Severity: SeverityMedium, DetectedAt: hits[0].ReceivedAt,
		Evidence: evidence, Message: outOfHoursMessage(len(hits), hits[0].ReceivedAt.Sub(d), ev.rules.OutOfHoursWithin)})
}

// READMITTED_WITHIN_30D: another stay, not a transfer (so the first of
// another pathway), that the rule set's readmission definition counts,
// starts in (discharge, discharge + ReadmissionWithin]; the pathway itself
// must count as an index stay under the same definition.
func (ev *evaluation) readmitted() {
	def := ev.rules.Readmission
	if !def.counts(ev.ep(), false) {
		return
	}
	d := ev.discharge()
	end := d.Add(ev.rules.ReadmissionWithin)
	var heads []stay
	for j, other := range ev.eps {
		if a := other.admittedAt; j != ev.k && a.After(d) && !a.After(end) && !a.After(ev.now) && def.counts(other, true) {
			heads = append(heads, other.chain[0])
		}
	}
	if len(heads) == 0 {
		return
	}
	evidence := []Event{ev.dischargeEvent()}
	for _, s := range heads {
		evidence = append(evidence, admissionEvent(s))
	}
	first := heads[0].enc.Start
	for _, s := range heads {
		if s.enc.Start.Before(first) {
			first = s.enc.Start
		}
	}
	ev.raise(Gap{Kind: GapReadmittedWithin30d, Severity: SeverityMedium, DetectedAt: first, Evidence: evidence,
		Message: readmittedMessage(first.Sub(d), ev.rules.ReadmissionWithin)})
}

// counts reports whether an episode counts under the definition: as the
// pathway's own stay (the index), or as the new stay.
func (r Readmission) counts(ep episode, asNew bool) bool {
	for _, s := range ep.chain {
		if s.enc.Psychiatric && !r.IncludePsychiatric {
			return false
		}
	}
	switch kindOf(ep.chain) {
	case KindHomeAdmission:
		return r.IncludeHomeAdmissions
	case KindAcuteOutpatient:
		return r.IncludeAcuteOutpatient
	}
	return !asNew || !r.AcuteOnly || ep.chain[0].acute
}

// REFERRAL_REJECTED and REFERRAL_NOT_ANSWERED, for GP referrals sent within
// the pathway window.
func (ev *evaluation) referrals() {
	ep := ev.ep()
	var (
		rejected, unanswered      []domain.Referral
		rejectedAt, unansweredDue time.Time
	)
	for _, ref := range ev.rec.referrals {
		sent := referralSentAt(ref)
		if sent.IsZero() || sent.Before(ep.admittedAt) || sent.After(ep.windowEnd) || ep.readmittedBefore(sent) {
			continue
		}
		if at, ok := rejection(ref, sent); ok && !at.After(ev.now) {
			rejected = append(rejected, ref)
			if rejectedAt.IsZero() || at.Before(rejectedAt) {
				rejectedAt = at
			}
		}
		due := sent.Add(ev.rules.ReferralAnswerWithin)
		if answeredBy(ref, due) {
			continue
		}
		if !ev.deadlinePassed(due) {
			ev.await(GapReferralNotAnswered, due, ref.ID)
			continue
		}
		unanswered = append(unanswered, ref)
		if unansweredDue.IsZero() || due.Before(unansweredDue) {
			unansweredDue = due
		}
	}
	if len(rejected) > 0 {
		ev.raise(Gap{Kind: GapReferralRejected, Severity: SeverityMedium, DetectedAt: rejectedAt,
			Evidence: referralEvidence(rejected), Message: referralRejectedMessage(rejected)})
	}
	if len(unanswered) > 0 {
		ev.raise(Gap{Kind: GapReferralNotAnswered, Severity: SeverityLow, DetectedAt: unansweredDue,
			Evidence: referralEvidence(unanswered), Message: referralNotAnsweredMessage(unanswered, ev.rules.ReferralAnswerWithin)})
	}
}

// rejection is the time a referral was first rejected.
func rejection(ref domain.Referral, sent time.Time) (time.Time, bool) {
	for _, h := range ref.History {
		if h.Status == domain.ReferralRejected {
			return firstNonZero(h.At, sent), true
		}
	}
	return time.Time{}, false
}

// answeredBy reports a referral that had moved past "sent" by due. A step
// without a time is taken as an answer: a gap needs evidence, not a guess.
func answeredBy(ref domain.Referral, due time.Time) bool {
	for _, h := range ref.History {
		if h.Status != domain.ReferralSent && (h.At.IsZero() || !h.At.After(due)) {
			return true
		}
	}
	return false
}

func referralEvidence(refs []domain.Referral) []Event {
	var out []Event
	for _, r := range refs {
		out = append(out, referralEvents(r)...)
	}
	return out
}

// MEDICATION_COVER_ENDED_BEFORE_GP_CONTACT: the 72-hour rule applies and no
// GP contact lies in [discharge, discharge + MedicationCoverDays].
func (ev *evaluation) medicationCover() {
	if !ev.ep().extended {
		return
	}
	d := ev.discharge()
	due := d.Add(ev.rules.MedicationCover())
	i, _ := slices.BinarySearchFunc(ev.rec.gpContacts, d, func(c domain.GPContact, t time.Time) int {
		return cmp.Or(c.At.Compare(t), 1)
	})
	if i < len(ev.rec.gpContacts) && !ev.rec.gpContacts[i].At.After(due) {
		return
	}
	if ev.ep().readmittedBefore(due) {
		return // admitted again before the cover ran out: the hospital has the medicine again
	}
	if !ev.deadlinePassed(due) {
		ev.await(GapMedicationCoverEndedBeforeGP, due, ev.ep().last().enc.ID)
		return
	}
	evidence := []Event{ev.dischargeEvent()}
	var late time.Time
	if i < len(ev.rec.gpContacts) && !ev.rec.gpContacts[i].At.After(ev.ep().windowEnd) {
		evidence = append(evidence, gpContactEvent(ev.rec.gpContacts[i]))
		late = ev.rec.gpContacts[i].At
	}
	ev.raise(Gap{Kind: GapMedicationCoverEndedBeforeGP, Severity: SeverityHigh, DetectedAt: due, Evidence: evidence,
		Message: medicationMessage(ev.rules.MedicationCoverDays, late.Sub(d), !late.IsZero())})
}
