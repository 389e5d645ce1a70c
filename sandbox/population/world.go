package population

import (
	"cmp"
	"slices"
	"time"

	"github.com/sundhedsklynge/klynge/domain"
	"github.com/sundhedsklynge/klynge/pathway"
)

// World is the generated population. It is immutable after Generate and safe
// for concurrent reads. Slices it returns are shared: do not modify them.
type World struct {
	now        time.Time
	seed       int64
	loc        *time.Location
	munis      []Municipality
	hospitals  []Hospital
	practices  []domain.Practice // by ydernummer
	citizens   []domain.Citizen  // by CPR
	encounters []domain.Encounter
	encOf      csr
	received   []domain.ReceivedNotification
	recvOf     csr
	services   []domain.CareService
	servOf     csr
	visits     []visitRec
	visitOf    []int32 // offsets: citizen i's visits are visits[visitOf[i]:visitOf[i+1]]
	ooh        []domain.OutOfHoursContact
	oohOf      csr
	referrals  []domain.Referral
	refOf      csr
	feed       []FeedEvent
	gpContacts []domain.GPContact
	gpcOf      csr
	gaps       []Gap
	muniRules  []pathway.Rules // per municipality, in munis order
}

// RulesFor is the rule set the world keeps a municipality's citizens to.
func (w *World) RulesFor(code domain.MunicipalityCode) pathway.Rules {
	for i, m := range w.munis {
		if m.Code == code {
			return w.muniRules[i]
		}
	}
	return pathway.DefaultRules()
}

// Now is the moment the world was generated for.
func (w *World) Now() time.Time { return w.now }

// Seed is the seed the world was generated from.
func (w *World) Seed() int64 { return w.seed }

// Location is Europe/Copenhagen, the zone the systems write times in.
func (w *World) Location() *time.Location { return w.loc }

// Municipalities lists Region Sjælland's 17 municipalities in code order.
func (w *World) Municipalities() []Municipality { return w.munis }

// Municipality finds one of the region's municipalities by code.
func (w *World) Municipality(code domain.MunicipalityCode) (Municipality, bool) {
	for _, m := range w.munis {
		if m.Code == code {
			return m, true
		}
	}
	return Municipality{}, false
}

// Hospitals lists the four acute hospitals, then eHospitalet.
func (w *World) Hospitals() []Hospital { return w.hospitals }

// Practices lists the GP practices by ydernummer.
func (w *World) Practices() []domain.Practice { return w.practices }

// Practice finds a practice by ydernummer.
func (w *World) Practice(y domain.Ydernummer) (domain.Practice, bool) {
	i, ok := slices.BinarySearchFunc(w.practices, y, func(p domain.Practice, y domain.Ydernummer) int { return cmp.Compare(p.Ydernummer, y) })
	if !ok {
		return domain.Practice{}, false
	}
	return w.practices[i], true
}

// Citizens lists every citizen in CPR order; a citizen's index in it is
// stable for the world's life.
func (w *World) Citizens() []domain.Citizen { return w.citizens }

// CitizenIndex is the citizen's index in Citizens.
func (w *World) CitizenIndex(cpr domain.CPR) (int, bool) {
	return slices.BinarySearchFunc(w.citizens, cpr, func(c domain.Citizen, cpr domain.CPR) int { return cmp.Compare(c.CPR, cpr) })
}

// Citizen finds a citizen by CPR.
func (w *World) Citizen(cpr domain.CPR) (domain.Citizen, bool) {
	i, ok := w.CitizenIndex(cpr)
	if !ok {
		return domain.Citizen{}, false
	}
	return w.citizens[i], true
}

// Encounters lists every encounter (stays, virtual contacts and those entered
// in error) in id order, which is start order.
func (w *World) Encounters() []domain.Encounter { return w.encounters }

// EncounterIndexes are the indexes in Encounters of citizen i's encounters,
// in start order.
func (w *World) EncounterIndexes(i int) []int32 { return w.encOf.of(i) }

// EncountersOf lists a citizen's encounters in start order.
func (w *World) EncountersOf(cpr domain.CPR) []domain.Encounter {
	return gather(w, cpr, w.encOf, w.encounters)
}

// Encounter finds an encounter by id ("enc-000123").
func (w *World) Encounter(id string) (domain.Encounter, bool) {
	i, ok := slices.BinarySearchFunc(w.encounters, id, func(e domain.Encounter, id string) int { return cmp.Compare(e.ID, id) })
	if !ok {
		return domain.Encounter{}, false
	}
	return w.encounters[i], true
}

// ReceivedNotificationsOf lists the HospitalNotifications the citizen's home
// municipality received about them, by ReceivedAt.
func (w *World) ReceivedNotificationsOf(cpr domain.CPR) []domain.ReceivedNotification {
	return gather(w, cpr, w.recvOf, w.received)
}

// ServicesOf lists the citizen's municipal care services by start.
func (w *World) ServicesOf(cpr domain.CPR) []domain.CareService {
	return gather(w, cpr, w.servOf, w.services)
}

// VisitsOf lists the citizen's planned and performed visits by PlannedAt.
func (w *World) VisitsOf(cpr domain.CPR) []domain.CareVisit {
	i, ok := w.CitizenIndex(cpr)
	if !ok {
		return nil
	}
	lo, hi := w.visitOf[i], w.visitOf[i+1]
	out := make([]domain.CareVisit, 0, hi-lo)
	for k := lo; k < hi; k++ {
		out = append(out, w.visit(int(k)))
	}
	return out
}

// VisitCount is the number of visits in the world.
func (w *World) VisitCount() int { return len(w.visits) }

func (w *World) visit(k int) domain.CareVisit {
	r := w.visits[k]
	s := &w.services[r.service]
	v := domain.CareVisit{
		ID:           visitID(k),
		CPR:          s.CPR,
		Municipality: s.Municipality,
		ServiceID:    s.ID,
		PlannedAt:    time.Unix(r.planned, 0).UTC(),
		Status:       visitStatusNames[r.status],
		Team:         s.Team,
	}
	if r.status == visitPerformed {
		v.PerformedAt = v.PlannedAt.Add(time.Duration(r.performed) * time.Second)
	}
	return v
}

// OutOfHoursContacts lists every out-of-hours contact in id order.
func (w *World) OutOfHoursContacts() []domain.OutOfHoursContact { return w.ooh }

// OutOfHoursOf lists the citizen's out-of-hours contacts by ReceivedAt.
func (w *World) OutOfHoursOf(cpr domain.CPR) []domain.OutOfHoursContact {
	return gather(w, cpr, w.oohOf, w.ooh)
}

// Referrals lists every GP referral in id order.
func (w *World) Referrals() []domain.Referral { return w.referrals }

// ReferralsOf lists the citizen's referrals by SentAt.
func (w *World) ReferralsOf(cpr domain.CPR) []domain.Referral {
	return gather(w, cpr, w.refOf, w.referrals)
}

// FeedEvent is one status change of one referral, in feed order.
type FeedEvent struct {
	Referral int // index into Referrals
	Change   int // index into the referral's History
}

// Feed lists every referral status change ordered by time, then referral
// id, then history position.
func (w *World) Feed() []FeedEvent { return w.feed }

// GPContacts lists every GP contact in id order.
func (w *World) GPContacts() []domain.GPContact { return w.gpContacts }

// GPContactsOf lists the citizen's GP contacts by time.
func (w *World) GPContactsOf(cpr domain.CPR) []domain.GPContact {
	return gather(w, cpr, w.gpcOf, w.gpContacts)
}

// Gaps lists the planted handover gaps (the ground truth) by discharge time,
// then discharge encounter id, then kind.
func (w *World) Gaps() []Gap { return w.gaps }

func gather[T any](w *World, cpr domain.CPR, idx csr, all []T) []T {
	i, ok := w.CitizenIndex(cpr)
	if !ok {
		return nil
	}
	ids := idx.of(i)
	out := make([]T, len(ids))
	for k, j := range ids {
		out[k] = all[j]
	}
	return out
}

// csr maps citizens to item indexes (compressed sparse rows): citizen i's
// items are idx[off[i]:off[i+1]].
type csr struct {
	off []int32
	idx []int32
}

func (c csr) of(i int) []int32 { return c.idx[c.off[i]:c.off[i+1]] }

// buildCSR indexes n items by owner; within a citizen, items keep the order
// of their indexes.
func buildCSR(citizens, n int, owner func(item int) int) csr {
	c := csr{off: make([]int32, citizens+1), idx: make([]int32, n)}
	for k := range n {
		c.off[owner(k)+1]++
	}
	for i := range citizens {
		c.off[i+1] += c.off[i]
	}
	next := slices.Clone(c.off[:citizens])
	for k := range n {
		o := owner(k)
		c.idx[next[o]] = int32(k)
		next[o]++
	}
	return c
}
