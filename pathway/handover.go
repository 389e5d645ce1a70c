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

// NO_CARE_VISIT_WITHIN_24H: care is needed (discharged to home nursing, or a
// hands-on service — nursing, personal care, acute function — active at
// discharge) and no visit performed in [discharge, discharge +
// CareVisitWithin].
func (ev *evaluation) careVisitWithin() {
	d := ev.discharge()
	var active []domain.CareService
	for _, s := range ev.rec.services {
		if s.ActiveAt(d) && s.IsHandsOnCare() {
			active = append(active, s)
		}
	}
	if ev.destination() != domain.DischargeHomeNursing && len(active) == 0 {
		return
	}
	due := d.Add(ev.rules.CareVisitWithin)
	i, _ := slices.BinarySearchFunc(ev.rec.performed, d, func(v *domain.CareVisit, t time.Time) int {
		return cmp.Or(visitTime(*v).Compare(t), 1)
	})
	if i < len(ev.rec.performed) && !visitTime(*ev.rec.performed[i]).After(due) {
		return
	}
	if !ev.deadlinePassed(due) {
		ev.await(GapNoCareVisitWithin24h, due, ev.ep().last().enc.ID)
		return
	}
	evidence := []Event{ev.dischargeEvent()}
	for _, s := range active {
		evidence = append(evidence, serviceStartEvent(s))
	}
	unperformed := 0
	for _, v := range ev.rec.visits {
		if t := visitTime(*v); !t.Before(d) && !t.After(due) {
			evidence = append(evidence, visitEvent(*v))
			unperformed++
		}
	}
	var firstLate time.Time
	if i < len(ev.rec.performed) && !visitTime(*ev.rec.performed[i]).After(ev.ep().windowEnd) {
		firstVisit := ev.rec.performed[i]
		firstLate = visitTime(*firstVisit)
		evidence = append(evidence, visitEvent(*firstVisit))
	}
	ev.raise(Gap{Kind: GapNoCareVisitWithin24h, Severity: SeverityHigh, DetectedAt: due, Evidence: evidence,
		Message: noVisitMessage(ev.destination(), len(active), ev.rules.CareVisitWithin, unperformed, firstLate.Sub(d), !firstLate.IsZero())})
}

// OUT_OF_HOURS_AFTER_DISCHARGE: a contact received in (discharge, discharge
// + OutOfHoursWithin]. Detected at the first such contact.
func (ev *evaluation) outOfHoursAfterDischarge() {
	d := ev.discharge()
	end := d.Add(ev.rules.OutOfHoursWithin)
	var hits []domain.OutOfHoursContact
	for _, c := range ev.rec.outOfHours {
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
// another pathway), starts in (discharge, discharge + ReadmissionWithin].
func (ev *evaluation) readmitted() {
	d := ev.discharge()
	end := d.Add(ev.rules.ReadmissionWithin)
	var heads []stay
	for j, other := range ev.eps {
		if a := other.admittedAt; j != ev.k && a.After(d) && !a.After(end) && !a.After(ev.now) {
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
		if sent.IsZero() || sent.Before(ep.admittedAt) || sent.After(ep.windowEnd) {
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
