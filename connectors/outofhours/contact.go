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

// contactReader reads a search answer contact by contact. A contact of a
// citizen that was not asked about is refused: handing it to the wrong
// caller would be worse than failing.
func contactReader(system, op string, asked upstream.KeySet[domain.CPR]) upstream.RecordReader[domain.CPR, outofhoursapi.Contact, domain.OutOfHoursContact] {
	return upstream.RecordReader[domain.CPR, outofhoursapi.Contact, domain.OutOfHoursContact]{
		System: system, Op: op, Member: "contacts", KeyField: "cpr",
		ParseKey: parseCPR, Asked: asked, Map: mapContact,
	}
}

func parseCPR(s string) (domain.CPR, bool) {
	c, err := domain.ParseCPR(s)
	return c, err == nil
}

func mapContact(chk *upstream.Checker, w outofhoursapi.Contact) (domain.OutOfHoursContact, domain.CPR) {
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
	return ct, ct.CPR
}
