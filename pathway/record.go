package pathway

import (
	"cmp"
	"slices"
	"time"

	"github.com/sundhedsklynge/klynge/domain"
)

// Input is everything the systems hold about one citizen. Slices may be in
// any order; Assemble neither keeps nor changes them. Records about another
// CPR than Citizen.CPR are ignored, so that a mix-up upstream cannot put one
// citizen's care in another's pathway.
type Input struct {
	Citizen domain.Citizen
	// Encounters from eHospitalet, each with the notifications the hospital
	// sent about it.
	Encounters []domain.Encounter
	// Received are the notifications the home municipality logged.
	Received   []domain.ReceivedNotification
	Services   []domain.CareService
	Visits     []domain.CareVisit
	OutOfHours []domain.OutOfHoursContact
	Referrals  []domain.Referral
	GPContacts []domain.GPContact
}

// record is one citizen's input, checked, sorted and indexed once for all of
// their pathways. Of the records that pile up over years (visits, contacts,
// referrals) it keeps only those inside some pathway's window: no rule looks
// further, and a year of home care would otherwise dominate the cost.
type record struct {
	citizen  domain.Citizen
	episodes []episode
	// diedAt is the earliest known death; zero if none is known.
	diedAt time.Time
	// events are all events inside some pathway window, in time order.
	events []Event
	// messageEncounter maps a sent notification's id to its encounter, for
	// received notifications that name only the message they carried.
	messageEncounter map[string]string
	received         []domain.ReceivedNotification
	services         []domain.CareService // all of them: one may have started long before admission
	serviceByID      map[string]domain.CareService
	// visits point into the input (a year of them is the bulk of it, and
	// the record does not outlive Assemble), by visitTime.
	visits     []*domain.CareVisit
	performed  []*domain.CareVisit // performed visits only, by visitTime
	outOfHours []domain.OutOfHoursContact
	referrals  []domain.Referral
	gpContacts []domain.GPContact
}

func newRecord(in Input, rules Rules) *record {
	r := &record{citizen: in.Citizen, messageEncounter: make(map[string]string), serviceByID: make(map[string]domain.CareService)}
	if r.citizen.CPR == "" {
		r.citizen.CPR = firstCPR(in.Encounters)
	}

	// First the stays, which decide the windows.
	enc := r.readEncounters(in.Encounters)
	if d := in.Citizen.DeceasedAt; d != nil && !d.IsZero() {
		r.noteDeath(*d)
	}
	slices.SortFunc(enc.stays, compareStays)
	for _, chain := range chainStays(enc.stays, rules.TransferWindow) {
		r.episodes = append(r.episodes, newEpisode(chain, rules))
	}
	if len(r.episodes) == 0 {
		return r // no pathway: nothing else matters
	}

	// Then everything else, as far as it falls in a window.
	r.addHospitalEvents(enc, in.Citizen.DeceasedAt)
	r.addReceived(in.Received)
	r.addServices(in.Services)
	for k := range r.episodes {
		r.episodes[k].next, _ = nextAdmission(r.episodes, k)
		r.episodes[k].extended = r.extendedApplies(r.episodes[k], rules)
	}
	r.addVisits(in.Visits)
	r.addOutOfHours(in.OutOfHours)
	r.addReferrals(in.Referrals)
	r.addGPContacts(in.GPContacts)
	slices.SortFunc(r.events, compareEvents)
	return r
}

// mine reports whether a record may be about the citizen: records about
// another CPR are ignored; one without a CPR is taken as theirs.
func (r *record) mine(cpr domain.CPR) bool {
	return cpr == "" || r.citizen.CPR == "" || cpr == r.citizen.CPR
}

// encounters are the citizen's encounters as the record reads them.
type encounters struct {
	accepted []domain.Encounter // each id once, invalid ones included
	stays    []stay
	contacts []domain.Encounter // valid encounters that are not stays
}

// readEncounters accepts each of the citizen's encounters once (one
// without an id cannot be referred to), maps the notifications sent about
// it to it, notes deaths, and sorts valid ones into stays and virtual
// contacts.
func (r *record) readEncounters(in []domain.Encounter) encounters {
	var out encounters
	seen := make(map[string]bool, len(in))
	for _, e := range in {
		if !r.mine(e.CPR) || e.ID == "" || seen[e.ID] {
			continue // without an id an encounter cannot be referred to
		}
		seen[e.ID] = true
		out.accepted = append(out.accepted, e)
		for _, n := range e.Notifications {
			if n.ID != "" {
				r.messageEncounter[n.ID] = e.ID
			}
		}
		f := examineEncounter(e)
		if f.invalid {
			continue
		}
		r.noteDeath(f.diedAt)
		if f.isStay {
			out.stays = append(out.stays, f.stay)
		} else if e.Class == domain.ClassVirtual {
			out.contacts = append(out.contacts, e)
		}
	}
	return out
}

// addHospitalEvents adds what eHospitalet knows: notifications sent,
// admissions and discharges, virtual contacts, and a recorded death.
func (r *record) addHospitalEvents(enc encounters, deceasedAt *time.Time) {
	for _, e := range enc.accepted {
		for _, n := range e.Notifications {
			r.addEvent(sentEvent(n))
		}
	}
	for _, s := range enc.stays {
		r.addEvent(admissionEvent(s))
		if s.finished {
			r.addEvent(endEvent(s))
		}
	}
	for _, e := range enc.contacts {
		r.addEvent(virtualContactEvent(e))
	}
	if deceasedAt != nil && !deceasedAt.IsZero() {
		r.addEvent(deathEvent(*deceasedAt))
	}
}

// addReceived keeps every notification the municipality logged (matching
// one to its message needs them all) and adds those in a window as events.
func (r *record) addReceived(in []domain.ReceivedNotification) {
	for _, n := range in {
		if r.mine(n.CPR) {
			r.received = append(r.received, n)
			if r.inWindow(n.ReceivedAt) {
				r.addEvent(receivedEvent(n))
			}
		}
	}
}

// addServices keeps every care service, however long ago it started, in
// start order and by id; starts and ends of services not merely planned
// are events.
func (r *record) addServices(in []domain.CareService) {
	for _, s := range in {
		if !r.mine(s.CPR) {
			continue
		}
		r.services = append(r.services, s)
		if s.Status == domain.CareServicePlanned {
			continue
		}
		if r.inWindow(s.Start) {
			r.addEvent(serviceStartEvent(s))
		}
		if r.inWindow(s.End) {
			r.addEvent(serviceEndEvent(s))
		}
	}
	slices.SortFunc(r.services, func(a, b domain.CareService) int {
		return cmp.Or(a.Start.Compare(b.Start), cmp.Compare(a.ID, b.ID))
	})
	for _, s := range r.services {
		if s.ID != "" {
			r.serviceByID[s.ID] = s
		}
	}
}

// addVisits keeps the visits inside a window (pointing into the input),
// and the performed ones apart, both by visit time.
func (r *record) addVisits(in []domain.CareVisit) {
	for i := range in {
		v := &in[i]
		if !r.mine(v.CPR) || !r.inWindow(visitTime(*v)) {
			continue
		}
		r.visits = append(r.visits, v)
		if v.Status == domain.VisitPerformed {
			r.performed = append(r.performed, v)
		}
		r.addEvent(visitEvent(*v))
	}
	byVisitTime := func(a, b *domain.CareVisit) int {
		return cmp.Or(visitTime(*a).Compare(visitTime(*b)), cmp.Compare(a.ID, b.ID))
	}
	slices.SortFunc(r.visits, byVisitTime)
	slices.SortFunc(r.performed, byVisitTime)
}

func (r *record) addOutOfHours(in []domain.OutOfHoursContact) {
	for _, c := range in {
		if r.mine(c.CPR) && r.inWindow(c.ReceivedAt) {
			r.outOfHours = append(r.outOfHours, c)
			r.addEvent(outOfHoursEvent(c))
		}
	}
	slices.SortFunc(r.outOfHours, func(a, b domain.OutOfHoursContact) int {
		return cmp.Or(a.ReceivedAt.Compare(b.ReceivedAt), cmp.Compare(a.ID, b.ID))
	})
}

func (r *record) addReferrals(in []domain.Referral) {
	for _, ref := range in {
		if !r.mine(ref.CPR) || !r.inWindow(referralSentAt(ref)) {
			continue
		}
		r.referrals = append(r.referrals, ref)
		r.addEvents(referralEvents(ref))
	}
	slices.SortFunc(r.referrals, func(a, b domain.Referral) int {
		return cmp.Or(referralSentAt(a).Compare(referralSentAt(b)), cmp.Compare(a.ID, b.ID))
	})
}

func (r *record) addGPContacts(in []domain.GPContact) {
	for _, c := range in {
		if r.mine(c.CPR) && r.inWindow(c.At) {
			r.gpContacts = append(r.gpContacts, c)
			r.addEvent(gpContactEvent(c))
		}
	}
	slices.SortFunc(r.gpContacts, func(a, b domain.GPContact) int {
		return cmp.Or(a.At.Compare(b.At), cmp.Compare(a.ID, b.ID))
	})
}

// inWindow reports whether t lies in some pathway's window: from admission
// to the end of follow-up, or on from admission while ongoing.
func (r *record) inWindow(t time.Time) bool {
	if t.IsZero() {
		return false
	}
	for _, ep := range r.episodes {
		if !t.Before(ep.admittedAt) && (ep.windowEnd.IsZero() || !t.After(ep.windowEnd)) {
			return true
		}
	}
	return false
}

func firstCPR(encs []domain.Encounter) domain.CPR {
	for _, e := range encs {
		if e.CPR != "" {
			return e.CPR
		}
	}
	return ""
}

// addEvent keeps events that fall in a window; one without a time (an
// open-ended service's end) is not an event.
func (r *record) addEvent(e Event) {
	if r.inWindow(e.At) {
		r.events = append(r.events, e)
	}
}

func (r *record) addEvents(es []Event) {
	for _, e := range es {
		r.addEvent(e)
	}
}

func (r *record) noteDeath(at time.Time) {
	if !at.IsZero() && (r.diedAt.IsZero() || at.Before(r.diedAt)) {
		r.diedAt = at
	}
}

// eventsBetween are the events in [from, to], or from `from` on when to is
// zero, as a fresh slice.
func (r *record) eventsBetween(from, to time.Time) []Event {
	lo, _ := slices.BinarySearchFunc(r.events, from, func(e Event, t time.Time) int {
		return cmp.Or(e.At.Compare(t), 1) // first event at or after from
	})
	hi := len(r.events)
	if !to.IsZero() {
		hi, _ = slices.BinarySearchFunc(r.events, to, func(e Event, t time.Time) int {
			return cmp.Or(e.At.Compare(t), -1) // first event after to
		})
	}
	if hi < lo {
		return nil
	}
	return slices.Clone(r.events[lo:hi])
}

// referralSentAt is when a referral was sent: SentAt, or the first "sent"
// step of its history.
func referralSentAt(ref domain.Referral) time.Time {
	if !ref.SentAt.IsZero() {
		return ref.SentAt
	}
	for _, h := range ref.History {
		if h.Status == domain.ReferralSent && !h.At.IsZero() {
			return h.At
		}
	}
	return time.Time{}
}
