package ehospital

import (
	"cmp"
	"strconv"
	"strings"

	"github.com/sundhedsklynge/klynge/connectors/ehospital/fhir"
	"github.com/sundhedsklynge/klynge/connectors/upstream"
	"github.com/sundhedsklynge/klynge/domain"
)

// mapNotification maps a Provenance recording one MedCom
// HospitalNotification about the encounter it targets. The CPR is the
// encounter's, set when the two are joined.
func mapNotification(chk *upstream.Checker, p fhir.Provenance) (n domain.HospitalNotification) {
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
		chk.Fail("activity", "must be a known MedCom HospitalNotification activity code")
	}
	n.Code = domain.NotificationCode(code)
	n.OccurredAt = chk.Time("occurredDateTime", p.OccurredDateTime)
	recorded := chk.Time("recorded", p.Recorded)
	n.SentAt = recorded
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
			if ext.ValueCoding == nil {
				chk.Fail(field+".valueCoding", "must be set")
				continue
			}
			n.Receiver = municipalityCode(chk, field+".valueCoding.code", ext.ValueCoding.Code)
		}
	}
	if len(p.Agent) > 0 {
		n.Sender = organization(&p.Agent[0].Who)
	}
	for _, e := range p.Entity {
		if e.Role != "revision" && e.Role != "removal" {
			continue
		}
		if id := referenceID(e.What.Reference, "Provenance"); id != "" {
			n.Replaces = id
		} else if e.What.Identifier != nil {
			n.Replaces = e.What.Identifier.Value
		}
	}
	return n
}

// compareSent orders notifications as sent: corrections apply in that
// order (docs/PATHWAYS.md).
func compareSent(a, b domain.HospitalNotification) int {
	return cmp.Or(a.SentAt.Compare(b.SentAt), a.OccurredAt.Compare(b.OccurredAt), strings.Compare(a.ID, b.ID))
}

// referenceID is the id in a literal reference to a resource of type
// typ: relative ("Encounter/123") or absolute
// ("https://host/fhir/Encounter/123"), with any "/_history/n" dropped.
// It is "" for a reference to another type.
func referenceID(ref, typ string) string {
	ref, _, _ = strings.Cut(ref, "/_history/")
	i := strings.LastIndex(ref, typ+"/")
	if i < 0 || (i > 0 && ref[i-1] != '/') {
		return ""
	}
	id := ref[i+len(typ)+1:]
	if strings.Contains(id, "/") {
		return ""
	}
	return id
}
