package gpreferral

import (
	"slices"

	"github.com/sundhedsklynge/klynge/connectors/gpreferral/gpreferralapi"
	"github.com/sundhedsklynge/klynge/connectors/upstream"
	"github.com/sundhedsklynge/klynge/domain"
)

// SystemICPC2 is the code system of a referral's reason.
const SystemICPC2 = "urn:oid:1.2.208.176.2.31"

var (
	referralKinds = []string{
		string(domain.ReferralHospital), string(domain.ReferralMunicipal),
		string(domain.ReferralPPR), string(domain.ReferralChildPsychiatry),
	}
	priorities       = []string{string(domain.PriorityAcute), string(domain.PriorityUrgent), string(domain.PriorityRoutine)}
	referralStatuses = []string{
		string(domain.ReferralSent), string(domain.ReferralReceived), string(domain.ReferralVisitated),
		string(domain.ReferralRejected), string(domain.ReferralCompleted),
	}
	contactKinds = []string{"consultation", "phone", "video", "home-visit", "prescription-renewal"}
)

func mapReferrals(chk *upstream.Checker, wire []gpreferralapi.Referral, asked upstream.KeySet[domain.CPR]) ([]domain.Referral, error) {
	out := make([]domain.Referral, 0, len(wire))
	for i, w := range wire {
		chk.At("referrals[%d]", i)
		r := domain.Referral{
			ID:       chk.Required("id", w.ID),
			CPR:      chk.CPR("cpr", w.CPR),
			Kind:     domain.ReferralKind(chk.OneOf("kind", w.Kind, referralKinds...)),
			Sender:   domain.Ydernummer(chk.Required("senderYdernummer", w.SenderYdernummer)),
			Reason:   domain.Coding{System: SystemICPC2, Code: w.ReasonCode, Display: w.ReasonDisplay},
			Priority: domain.ReferralPriority(chk.OneOf("priority", w.Priority, priorities...)),
			SentAt:   chk.Time("sentAt", w.SentAt),
		}
		if !asked.Has(r.CPR) && !chk.Failed() {
			chk.Fail("cpr", "is not among the CPR numbers asked for")
		}
		r.Receiver = mapReceiver(chk, w.Receiver)
		r.History = make([]domain.ReferralStatusChange, 0, len(w.History))
		for j, h := range w.History {
			chk.At("referrals[%d].history[%d]", i, j)
			r.History = append(r.History, mapStatusChange(chk, h))
		}
		if chk.Failed() {
			return nil, chk.Err()
		}
		// The domain promises history in time order; the wire only implies it.
		slices.SortStableFunc(r.History, func(a, b domain.ReferralStatusChange) int { return a.At.Compare(b.At) })
		out = append(out, r)
	}
	return out, nil
}

func mapReceiver(chk *upstream.Checker, w gpreferralapi.Receiver) domain.ReferralReceiver {
	r := domain.ReferralReceiver{Kind: chk.OneOf("receiver.kind", w.Kind, "sor", "municipality"), Name: w.Name}
	switch r.Kind {
	case "sor":
		r.SOR = domain.SORCode(chk.Required("receiver.sor", w.SOR))
	case "municipality":
		chk.Expect(w.Municipality >= 101 && w.Municipality <= 999, "receiver.municipality", "must be a 3-digit municipality code")
		r.Municipality = domain.MunicipalityCode(w.Municipality)
	}
	return r
}

func mapStatusChange(chk *upstream.Checker, w gpreferralapi.StatusChange) domain.ReferralStatusChange {
	return domain.ReferralStatusChange{
		Status: domain.ReferralStatus(chk.OneOf("status", w.Status, referralStatuses...)),
		At:     chk.Time("at", w.At),
		Note:   w.Note,
	}
}

func mapContacts(chk *upstream.Checker, wire []gpreferralapi.Contact, asked upstream.KeySet[domain.CPR]) ([]domain.GPContact, error) {
	out := make([]domain.GPContact, 0, len(wire))
	for i, w := range wire {
		chk.At("contacts[%d]", i)
		ct := domain.GPContact{
			ID:       chk.Required("id", w.ID),
			CPR:      chk.CPR("cpr", w.CPR),
			Practice: domain.Ydernummer(chk.Required("ydernummer", w.Ydernummer)),
			At:       chk.Time("at", w.At),
			Kind:     chk.OneOf("kind", w.Kind, contactKinds...),
		}
		if !asked.Has(ct.CPR) && !chk.Failed() {
			chk.Fail("cpr", "is not among the CPR numbers asked for")
		}
		if chk.Failed() {
			return nil, chk.Err()
		}
		out = append(out, ct)
	}
	return out, nil
}

func mapPractices(chk *upstream.Checker, wire []gpreferralapi.Practice, asked upstream.KeySet[domain.Ydernummer]) ([]domain.Practice, error) {
	out := make([]domain.Practice, 0, len(wire))
	for i, w := range wire {
		chk.At("practices[%d]", i)
		id := domain.Ydernummer(chk.Required("ydernummer", w.Ydernummer))
		if !asked.Has(id) && !chk.Failed() {
			chk.Fail("ydernummer", "is not among the ydernumre asked for")
		}
		chk.Expect(w.Municipality >= 101 && w.Municipality <= 999, "municipality", "must be a 3-digit municipality code")
		if chk.Failed() {
			return nil, chk.Err()
		}
		municipality := domain.MunicipalityCode(w.Municipality)
		out = append(out, domain.Practice{
			Ydernummer:   id,
			Name:         w.Name,
			Municipality: municipality,
			Address:      domain.Address{Line: w.AddressLine, PostalCode: w.PostalCode, City: w.City, Municipality: municipality},
			Phone:        w.Phone,
		})
	}
	return out, nil
}
