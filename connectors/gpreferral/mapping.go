package gpreferral

import (
	"slices"
	"strconv"

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

func mapReferral(chk *upstream.Checker, w gpreferralapi.Referral) (domain.Referral, domain.CPR) {
	r := domain.Referral{
		ID:       chk.Required("id", w.ID),
		CPR:      chk.CPR("cpr", w.CPR),
		Kind:     domain.ReferralKind(chk.OneOf("kind", w.Kind, referralKinds...)),
		Sender:   domain.Ydernummer(chk.Required("senderYdernummer", w.SenderYdernummer)),
		Reason:   domain.Coding{System: SystemICPC2, Code: w.ReasonCode, Display: w.ReasonDisplay},
		Priority: domain.ReferralPriority(chk.OneOf("priority", w.Priority, priorities...)),
		SentAt:   chk.Time("sentAt", w.SentAt),
	}
	r.Receiver = mapReceiver(chk, w.Receiver)
	r.History = make([]domain.ReferralStatusChange, 0, len(w.History))
	for j, h := range w.History {
		r.History = append(r.History, mapStatusChange(chk, "history["+strconv.Itoa(j)+"].", h))
	}
	// The domain promises history in time order; the wire only implies it.
	slices.SortStableFunc(r.History, func(a, b domain.ReferralStatusChange) int { return a.At.Compare(b.At) })
	return r, r.CPR
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

// mapStatusChange maps one status change; prefix is its path within the
// record being checked ("history[2].").
func mapStatusChange(chk *upstream.Checker, prefix string, w gpreferralapi.StatusChange) domain.ReferralStatusChange {
	return domain.ReferralStatusChange{
		Status: domain.ReferralStatus(chk.OneOf(prefix+"status", w.Status, referralStatuses...)),
		At:     chk.Time(prefix+"at", w.At),
		Note:   w.Note,
	}
}

func mapContact(chk *upstream.Checker, w gpreferralapi.Contact) (domain.GPContact, domain.CPR) {
	ct := domain.GPContact{
		ID:       chk.Required("id", w.ID),
		CPR:      chk.CPR("cpr", w.CPR),
		Practice: domain.Ydernummer(chk.Required("ydernummer", w.Ydernummer)),
		At:       chk.Time("at", w.At),
		Kind:     chk.OneOf("kind", w.Kind, contactKinds...),
	}
	return ct, ct.CPR
}

func mapPractice(chk *upstream.Checker, w gpreferralapi.Practice) (domain.Practice, domain.Ydernummer) {
	id := domain.Ydernummer(chk.Required("ydernummer", w.Ydernummer))
	chk.Expect(w.Municipality >= 101 && w.Municipality <= 999, "municipality", "must be a 3-digit municipality code")
	municipality := domain.MunicipalityCode(w.Municipality)
	return domain.Practice{
		Ydernummer:   id,
		Name:         w.Name,
		Municipality: municipality,
		Address:      domain.Address{Line: w.AddressLine, PostalCode: w.PostalCode, City: w.City, Municipality: municipality},
		Phone:        w.Phone,
	}, id
}
