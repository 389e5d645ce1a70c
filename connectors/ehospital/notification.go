package ehospital

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"github.com/sundhedsklynge/klynge/connectors/ehospital/fhir"
	"github.com/sundhedsklynge/klynge/connectors/upstream"
	"github.com/sundhedsklynge/klynge/domain"
)

// notice is a mapped notification before it meets its encounter: an
// admission code on a follow-up message is a death (MORS) only on a
// finished stay, which the Provenance alone cannot tell.
type notice struct {
	n             domain.HospitalNotification
	admitFollowUp bool
}

// mapNotification maps a Provenance recording one MedCom
// HospitalNotification about the encounter it targets. The CPR is the
// encounter's, set when the two are joined.
func mapNotification(chk *upstream.Checker, p fhir.Provenance) notice {
	var n domain.HospitalNotification
	n.ID = chk.Required("id", p.ID)
	for _, t := range p.Target {
		if id := referenceID(t.Reference, "Encounter"); id != "" {
			n.EncounterID = id
			break
		}
	}
	if n.EncounterID == "" {
		chk.Fail("target", "must reference an Encounter")
	}
	activity := p.Activity.Code(fhir.SystemMedComActivity)
	code, ok := fhir.ClassicCode(activity)
	if !ok {
		chk.Fail("activity", "must be a MedCom HospitalNotification activity code of system "+fhir.SystemMedComActivity)
	}
	n.Code = domain.NotificationCode(code)
	n.OccurredAt = chk.Time("occurredDateTime", p.OccurredDateTime)
	n.SentAt = chk.Time("recorded", p.Recorded)
	for j, ext := range p.Extension {
		field := "extension[" + strconv.Itoa(j) + "]"
		switch ext.URL {
		case fhir.ExtNotificationSent:
			if ext.ValueDateTime == nil {
				chk.Fail(field+".valueDateTime", "must be set")
				continue
			}
			n.SentAt = chk.Time(field+".valueDateTime", *ext.ValueDateTime)
		case fhir.ExtReceiverMunicipality:
			field += ".valueCodeableConcept"
			if ext.ValueCodeableConcept == nil && ext.ValueCoding != nil {
				field = "extension[" + strconv.Itoa(j) + "].valueCoding"
			}
			c := ext.Code(fhir.SystemMunicipality)
			if c == "" {
				chk.Fail(field, "must carry a code of system "+fhir.SystemMunicipality)
				continue
			}
			n.Receiver = municipalityCode(chk, field+".code", c)
		}
	}
	if len(p.Agent) > 0 {
		n.Sender = organization(&p.Agent[0].Who)
	}
	// Every MedCom follow-up message names the previous one (role
	// revision); only a correction (RE_) or cancellation (AN_) replaces it.
	followUp := false
	for _, e := range p.Entity {
		if e.Role != "revision" && e.Role != "removal" {
			continue
		}
		followUp = true
		if !n.Code.IsCorrection() && !n.Code.IsCancellation() {
			continue
		}
		if id := referenceID(e.What.Reference, "Provenance"); id != "" {
			n.Replaces = id
		} else if e.What.Identifier != nil {
			n.Replaces = e.What.Identifier.Value
		}
	}
	return notice{n: n, admitFollowUp: followUp && fhir.AdmitActivity(activity)}
}

// attachNotifications maps the harvested Provenances, gives each to its
// encounter (setting its CPR and deciding MORS), keeps each encounter's
// notifications in the order sent, and returns those that could not be
// read, charged to their encounter's citizen. Notifications about
// encounters not among encs (not matched, or skipped) are left out.
func (c *Client) attachNotifications(op string, h *harvested, encs []domain.Encounter, byID map[string]int, encCPR map[string]domain.CPR) []charge {
	var charges []charge
	touched := map[int]bool{}
	seen := map[string]bool{}
	for _, pr := range h.provenances {
		if seen[pr.resource.ID] && pr.resource.ID != "" {
			continue // the same notification on two pages
		}
		seen[pr.resource.ID] = true
		chk := upstream.NewChecker(c.up.System(), op)
		chk.Next("entry[%d].resource", pr.index)
		nt := mapNotification(chk, pr.resource)
		i := byID[nt.n.EncounterID] - 1
		if !chk.Failed() && i >= 0 && nt.admitFollowUp {
			if encs[i].Status != domain.EncounterFinished {
				chk.Fail("activity", "an admission code on a follow-up message stands for a death (MORS), but the encounter is not finished")
			} else {
				nt.n.Code = domain.NotifyDied
			}
		}
		if chk.Failed() {
			charges = append(charges, charge{cpr: encCPR[nt.n.EncounterID], id: nt.n.EncounterID, err: chk.Err()})
			continue
		}
		if i < 0 {
			continue
		}
		nt.n.CPR = encs[i].CPR
		encs[i].Notifications = append(encs[i].Notifications, nt.n)
		touched[i] = true
	}
	for i := range touched {
		slices.SortStableFunc(encs[i].Notifications, compareSent)
	}
	return charges
}

// compareSent orders notifications as sent: corrections apply in that
// order (docs/PATHWAYS.md).
func compareSent(a, b domain.HospitalNotification) int {
	return cmp.Or(a.SentAt.Compare(b.SentAt), a.OccurredAt.Compare(b.OccurredAt), strings.Compare(a.ID, b.ID))
}
