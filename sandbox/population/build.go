package population

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/sundhedsklynge/klynge/domain"
	"github.com/sundhedsklynge/klynge/pathway"
)

// Ids are stable and readable: a prefix and a zero-padded sequence number
// in a fixed order (mostly time, then CPR).
func encounterID(k int) string { return fmt.Sprintf("enc-%06d", k+1) }
func visitID(k int) string     { return fmt.Sprintf("vis-%07d", k+1) }

func (g *gen) build(loc *time.Location) *World {
	w := &World{
		now:       g.now,
		seed:      g.cfg.Seed,
		loc:       loc,
		munis:     g.munis,
		hospitals: g.hospitals,
		muniRules: g.muniRules,
	}
	n := len(g.people)
	w.citizens = make([]domain.Citizen, n)
	for i := range g.people {
		w.citizens[i] = g.people[i].Citizen
	}
	w.practices = slices.Clone(g.practices)
	slices.SortFunc(w.practices, func(a, b domain.Practice) int { return cmp.Compare(a.Ydernummer, b.Ydernummer) })

	encIndex := g.buildEncounters(w)
	g.buildReceipts(w, encIndex)
	serviceIndex := g.buildServices(w)
	w.visits = g.visits
	for k := range w.visits {
		w.visits[k].service = int32(serviceIndex[w.visits[k].service])
	}
	w.visitOf = g.visitOffsets
	g.buildOutOfHours(w)
	g.buildReferrals(w)
	g.buildGPContacts(w)
	g.buildGaps(w, encIndex)
	return w
}

// buildEncounters numbers the stays in start order and returns, per stay
// draft, its index in w.encounters.
func (g *gen) buildEncounters(w *World) []int {
	order := make([]int, len(g.stays))
	for k := range order {
		order[k] = k
	}
	slices.SortStableFunc(order, func(a, b int) int {
		sa, sb := &g.stays[a], &g.stays[b]
		if c := sa.enc.Start.Compare(sb.enc.Start); c != 0 {
			return c
		}
		return cmp.Compare(sa.enc.CPR, sb.enc.CPR)
	})
	encIndex := make([]int, len(g.stays))
	w.encounters = make([]domain.Encounter, len(g.stays))
	owners := make([]int, len(g.stays))
	for k, si := range order {
		encIndex[si] = k
		s := &g.stays[si]
		e := s.enc
		e.ID = encounterID(k)
		e.Notifications = g.sentNotifications(s, e.ID)
		w.encounters[k] = e
		owners[k] = s.person
	}
	w.encOf = buildCSR(len(g.people), len(owners), func(k int) int { return owners[k] })
	return encIndex
}

// sentNotifications are the stay's notifications that had left by now, in
// the order sent, with ids "ntf-<encounter number>-<n>".
func (g *gen) sentNotifications(s *stayDraft, encID string) []domain.HospitalNotification {
	order := make([]int, 0, len(s.notes))
	for k, n := range s.notes {
		if !n.sentAt.After(g.now) {
			order = append(order, k)
		}
	}
	slices.SortStableFunc(order, func(a, b int) int { return s.notes[a].sentAt.Compare(s.notes[b].sentAt) })
	ids := make(map[int]string, len(order))
	out := make([]domain.HospitalNotification, 0, len(order))
	num := strings.TrimPrefix(encID, "enc-")
	for seq, k := range order {
		n := s.notes[k]
		id := fmt.Sprintf("ntf-%s-%d", num, seq+1)
		ids[k] = id
		hn := domain.HospitalNotification{
			ID:          id,
			EncounterID: encID,
			CPR:         s.enc.CPR,
			Code:        n.code,
			OccurredAt:  n.occurredAt,
			SentAt:      n.sentAt,
			Sender:      g.hospitals[s.hospital].Org,
			Receiver:    g.people[s.person].Address.Municipality,
		}
		if n.replaces >= 0 {
			hn.Replaces = ids[n.replaces]
		}
		out = append(out, hn)
	}
	return out
}

// buildReceipts copies each sent notification into the home municipality's
// system minutes later, except the SLHJ (and RE_SLHJ) of a discharge where
// MUNICIPALITY_NOT_NOTIFIED is planted.
func (g *gen) buildReceipts(w *World, encIndex []int) {
	lost := map[int]bool{}
	for _, pg := range g.planted {
		if pg.kind == GapMunicipalityNotNotified {
			pw := &g.pathways[pg.pathway]
			lost[encIndex[pw.stays[len(pw.stays)-1]]] = true
		}
	}
	st := g.streams.concern("receipts")
	perCitizen := make([][]domain.ReceivedNotification, len(g.people))
	for k := range w.encounters {
		e := &w.encounters[k]
		st.at(uint64(k))
		ci, _ := w.CitizenIndex(e.CPR)
		dropSLHJ := lost[k]
		for _, n := range e.Notifications {
			received := n.SentAt.Add(st.between(5*time.Second, 10*time.Minute)).Truncate(time.Second)
			if received.After(g.now) || (dropSLHJ && n.Code.Base() == domain.NotifyDischarged) {
				continue
			}
			perCitizen[ci] = append(perCitizen[ci], domain.ReceivedNotification{
				ID:             "rcv-" + strings.TrimPrefix(n.ID, "ntf-"),
				MessageID:      n.ID,
				EncounterID:    e.ID,
				CPR:            e.CPR,
				Municipality:   n.Receiver,
				Code:           n.Code,
				OccurredAt:     n.OccurredAt,
				ReceivedAt:     received,
				SenderHospital: n.Sender,
			})
		}
	}
	var owners []int
	for ci, rs := range perCitizen {
		slices.SortStableFunc(rs, func(a, b domain.ReceivedNotification) int {
			if c := a.ReceivedAt.Compare(b.ReceivedAt); c != 0 {
				return c
			}
			return cmp.Compare(a.ID, b.ID)
		})
		w.received = append(w.received, rs...)
		for range rs {
			owners = append(owners, ci)
		}
	}
	w.recvOf = buildCSR(len(g.people), len(owners), func(k int) int { return owners[k] })
}

// buildServices numbers services per citizen by start and returns the new
// index of each service draft.
func (g *gen) buildServices(w *World) []int {
	newIndex := make([]int, len(g.services))
	var owners []int
	for ci, list := range g.servicesOf {
		sorted := slices.Clone(list)
		slices.SortStableFunc(sorted, func(a, b int) int {
			sa, sb := &g.services[a], &g.services[b]
			if c := sa.Start.Compare(sb.Start); c != 0 {
				return c
			}
			return cmp.Compare(sa.Service.Code, sb.Service.Code)
		})
		for _, si := range sorted {
			k := len(w.services)
			newIndex[si] = k
			s := g.services[si].CareService
			s.ID = fmt.Sprintf("svc-%06d", k+1)
			w.services = append(w.services, s)
			owners = append(owners, ci)
		}
	}
	w.servOf = buildCSR(len(g.people), len(owners), func(k int) int { return owners[k] })
	return newIndex
}

func (g *gen) buildOutOfHours(w *World) {
	slices.SortStableFunc(g.ooh, func(a, b oohDraft) int {
		if c := a.ReceivedAt.Compare(b.ReceivedAt); c != 0 {
			return c
		}
		return cmp.Compare(a.CPR, b.CPR)
	})
	w.ooh = make([]domain.OutOfHoursContact, len(g.ooh))
	for k := range g.ooh {
		c := g.ooh[k].OutOfHoursContact
		c.ID = fmt.Sprintf("ooh-%06d", k+1)
		w.ooh[k] = c
	}
	w.oohOf = buildCSR(len(g.people), len(g.ooh), func(k int) int { return g.ooh[k].person })
}

func (g *gen) buildReferrals(w *World) {
	slices.SortStableFunc(g.referrals, func(a, b referralDraft) int {
		if c := a.SentAt.Compare(b.SentAt); c != 0 {
			return c
		}
		return cmp.Compare(a.CPR, b.CPR)
	})
	w.referrals = make([]domain.Referral, len(g.referrals))
	for k := range g.referrals {
		r := g.referrals[k].Referral
		r.ID = fmt.Sprintf("ref-%06d", k+1)
		w.referrals[k] = r
		for h := range r.History {
			w.feed = append(w.feed, FeedEvent{Referral: k, Change: h})
		}
	}
	w.refOf = buildCSR(len(g.people), len(g.referrals), func(k int) int { return g.referrals[k].person })
	slices.SortStableFunc(w.feed, func(a, b FeedEvent) int {
		ta, tb := w.referrals[a.Referral].History[a.Change].At, w.referrals[b.Referral].History[b.Change].At
		if c := ta.Compare(tb); c != 0 {
			return c
		}
		if a.Referral != b.Referral {
			return cmp.Compare(a.Referral, b.Referral)
		}
		return cmp.Compare(a.Change, b.Change)
	})
}

func (g *gen) buildGPContacts(w *World) {
	slices.SortStableFunc(g.gpContacts, func(a, b gpContactDraft) int {
		if c := a.At.Compare(b.At); c != 0 {
			return c
		}
		return cmp.Compare(a.CPR, b.CPR)
	})
	w.gpContacts = make([]domain.GPContact, len(g.gpContacts))
	for k := range g.gpContacts {
		c := g.gpContacts[k].GPContact
		c.ID = fmt.Sprintf("gpc-%06d", k+1)
		w.gpContacts[k] = c
	}
	w.gpcOf = buildCSR(len(g.people), len(g.gpContacts), func(k int) int { return g.gpContacts[k].person })
}

func (g *gen) buildGaps(w *World, encIndex []int) {
	for _, pg := range g.planted {
		pw := &g.pathways[pg.pathway]
		p := &g.people[pw.person]
		if !g.rules(pw.person).Enabled(pathway.GapKind(pg.kind)) {
			continue // the world holds the event; this cluster's rules do not count it
		}
		first := w.encounters[encIndex[pw.stays[0]]]
		last := w.encounters[encIndex[pw.stays[len(pw.stays)-1]]]
		w.gaps = append(w.gaps, Gap{
			Kind:                 pg.kind,
			PathwayID:            "pw-" + first.ID,
			DischargeEncounterID: last.ID,
			CPR:                  p.CPR,
			Municipality:         p.Address.Municipality,
			ClusterIDs:           g.munis[p.muni].ClusterIDs,
			DischargedAt:         pw.dischargedAt,
			DetectedAt:           pg.detectedAt,
		})
	}
	slices.SortStableFunc(w.gaps, func(a, b Gap) int {
		if c := a.DischargedAt.Compare(b.DischargedAt); c != 0 {
			return c
		}
		if c := cmp.Compare(a.DischargeEncounterID, b.DischargeEncounterID); c != 0 {
			return c
		}
		return cmp.Compare(a.Kind, b.Kind)
	})
}
