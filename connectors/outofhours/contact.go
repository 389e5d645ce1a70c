package outofhours

import (
	"github.com/sundhedsklynge/klynge/connectors/outofhours/outofhoursapi"
	"github.com/sundhedsklynge/klynge/connectors/upstream"
	"github.com/sundhedsklynge/klynge/domain"
)

// SystemICPC2 is the code system of a contact's complaint.
const SystemICPC2 = "urn:oid:1.2.208.176.2.31"

var (
	triageBy = []string{"nurse", "doctor"}
	urgency  = []string{string(domain.UrgencyAcute), string(domain.UrgencyUrgent), string(domain.UrgencyNonUrgent)}
	outcomes = []string{
		string(domain.OutcomePhoneAdvice), string(domain.OutcomeClinicAppointment), string(domain.OutcomeHomeVisit),
		string(domain.OutcomeAcuteReferral), string(domain.OutcomeAmbulance), string(domain.OutcomeEHospital),
		string(domain.OutcomeMunicipalAcute),
	}
)

// mapContacts maps wire contacts to domain values. A contact of a citizen
// that was not asked about is refused: handing it to the wrong caller would
// be worse than failing.
func mapContacts(chk *upstream.Checker, wire []outofhoursapi.Contact, asked upstream.KeySet[domain.CPR]) ([]domain.OutOfHoursContact, error) {
	out := make([]domain.OutOfHoursContact, 0, len(wire))
	for i, w := range wire {
		chk.At("contacts[%d]", i)
		ct := domain.OutOfHoursContact{
			ID:         chk.Required("id", w.ID),
			CPR:        chk.CPR("cpr", w.CPR),
			ReceivedAt: chk.Time("receivedAt", w.ReceivedAt),
			TriageBy:   chk.OneOf("triageBy", w.TriageBy, triageBy...),
			Complaint:  domain.Coding{System: SystemICPC2, Code: w.ComplaintCode, Display: w.ComplaintDisplay},
			Urgency:    domain.Urgency(chk.OneOf("urgency", w.Urgency, urgency...)),
			Outcome:    domain.TriageOutcome(chk.OneOf("outcome", w.Outcome, outcomes...)),
			StartedAt:  chk.Time("startedAt", w.StartedAt),
			EndedAt:    chk.OptionalTime("endedAt", w.EndedAt),
			Site:       w.Site,
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
