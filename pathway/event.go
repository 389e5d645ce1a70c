package pathway

import (
	"cmp"
	"fmt"
	"strings"
	"time"

	"github.com/sundhedsklynge/klynge/domain"
)

// System names the upstream system an event comes from.
type System string

const (
	SystemEHospital  System = "ehospital"  // eHospitalet (FHIR): encounters, sent notifications, death
	SystemMunicipal  System = "municipal"  // the home municipality's care system
	SystemOutOfHours System = "outofhours" // Lægevagten
	SystemGP         System = "gpreferral" // GP referral feed and GP contacts
)

// EventKind says what happened.
type EventKind string

const (
	EventAdmission            EventKind = "ADMISSION"             // a stay started
	EventTransfer             EventKind = "TRANSFER"              // a stay ended with a transfer to another hospital
	EventDischarge            EventKind = "DISCHARGE"             // a stay ended otherwise
	EventVirtualContact       EventKind = "VIRTUAL_CONTACT"       // an eHospitalet video or home-measurement contact
	EventNotificationSent     EventKind = "NOTIFICATION_SENT"     // the hospital sent a HospitalNotification
	EventNotificationReceived EventKind = "NOTIFICATION_RECEIVED" // the municipality received one
	EventCareServiceStart     EventKind = "CARE_SERVICE_START"
	EventCareServiceEnd       EventKind = "CARE_SERVICE_END"
	EventCareVisit            EventKind = "CARE_VISIT" // at the performed time, else the planned time
	EventOutOfHoursContact    EventKind = "OUT_OF_HOURS_CONTACT"
	EventReferralStatus       EventKind = "REFERRAL_STATUS" // one step of a referral's history
	EventGPContact            EventKind = "GP_CONTACT"
	EventDeath                EventKind = "DEATH" // the patient index records the death
)

// Event is one fact from one system, placed in time.
type Event struct {
	At     time.Time
	Source System
	Kind   EventKind
	// Code is the event's own code: the notification code (STIN, RE_SLHJ),
	// encounter class, discharge destination, FSIII code, ICPC-2 complaint,
	// referral status, visit status or GP contact kind.
	Code string
	// Ref is the id of the source record (encounter, notification, service,
	// visit, contact, referral).
	Ref string
	// Summary is one line for people. It never contains a CPR number, a
	// name or a record's id (ids are in Ref alone, where a pseudonymised
	// view replaces them); organisations, teams and municipality codes are
	// not personal.
	Summary string
}

func compareEvents(a, b Event) int {
	return cmp.Or(a.At.Compare(b.At), cmp.Compare(a.Source, b.Source), cmp.Compare(a.Kind, b.Kind),
		cmp.Compare(a.Ref, b.Ref), cmp.Compare(a.Code, b.Code), cmp.Compare(a.Summary, b.Summary))
}

func admissionEvent(s stay) Event {
	verb := "Admitted to"
	switch s.class {
	case domain.ClassEmergency:
		verb = "Acute outpatient stay started at"
	case domain.ClassHomeHealth:
		verb = "eHospitalet home admission started by"
	}
	return Event{At: s.enc.Start, Source: SystemEHospital, Kind: EventAdmission, Code: string(s.class),
		Ref: s.enc.ID, Summary: verb + " " + place(s.enc.Hospital, s.enc.Department)}
}

// endEvent is the transfer or discharge that ended a finished stay.
func endEvent(s stay) Event {
	from := place(s.enc.Hospital, s.enc.Department)
	if s.enc.Destination == domain.DischargeOtherHospital {
		return Event{At: s.end, Source: SystemEHospital, Kind: EventTransfer, Code: string(s.enc.Destination),
			Ref: s.enc.ID, Summary: "Transferred from " + from + " to another hospital"}
	}
	return Event{At: s.end, Source: SystemEHospital, Kind: EventDischarge, Code: string(s.enc.Destination),
		Ref: s.enc.ID, Summary: "Discharged from " + from + " " + destinationPhrase(s.enc.Destination)}
}

func virtualContactEvent(e domain.Encounter) Event {
	return Event{At: e.Start, Source: SystemEHospital, Kind: EventVirtualContact, Code: string(e.Class),
		Ref: e.ID, Summary: "eHospitalet video or home-measurement contact with " + place(e.Hospital, e.Department)}
}

func sentEvent(n domain.HospitalNotification) Event {
	at := n.SentAt
	if at.IsZero() {
		at = n.OccurredAt
	}
	var b strings.Builder
	b.WriteString(string(n.Code))
	if n.Replaces != "" {
		b.WriteString(" (replacing an earlier notification)")
	}
	b.WriteString(" sent")
	if n.Sender.Name != "" {
		b.WriteString(" by " + n.Sender.Name)
	}
	if n.Receiver != 0 {
		fmt.Fprintf(&b, " to municipality %d", n.Receiver)
	}
	return Event{At: at, Source: SystemEHospital, Kind: EventNotificationSent, Code: string(n.Code), Ref: n.ID, Summary: b.String()}
}

func receivedEvent(n domain.ReceivedNotification) Event {
	summary := fmt.Sprintf("%s received by municipality %d", n.Code, n.Municipality)
	if n.SenderHospital.Name != "" {
		summary += " from " + n.SenderHospital.Name
	}
	return Event{At: n.ReceivedAt, Source: SystemMunicipal, Kind: EventNotificationReceived, Code: string(n.Code),
		Ref: n.ID, Summary: summary}
}

func serviceName(s domain.CareService) string {
	name := strings.TrimSpace(s.Service.Code + " " + s.Service.Display)
	if name == "" {
		name = "care service"
	}
	if s.Law != "" {
		name += " (" + string(s.Law) + ")"
	}
	if s.AcuteFunction {
		name += ", acute function"
	}
	return name
}

func serviceStartEvent(s domain.CareService) Event {
	return Event{At: s.Start, Source: SystemMunicipal, Kind: EventCareServiceStart, Code: s.Service.Code,
		Ref: s.ID, Summary: serviceName(s) + " started" + team(s.Team)}
}

func serviceEndEvent(s domain.CareService) Event {
	return Event{At: s.End, Source: SystemMunicipal, Kind: EventCareServiceEnd, Code: s.Service.Code,
		Ref: s.ID, Summary: serviceName(s) + " ended" + team(s.Team)}
}

func visitEvent(v domain.CareVisit) Event {
	var summary string
	switch v.Status {
	case domain.VisitPerformed:
		summary = "Care visit performed"
	case domain.VisitPlanned:
		summary = "Care visit planned, not performed"
	case domain.VisitMissed:
		summary = "Care visit missed"
	case domain.VisitCancelled:
		summary = "Care visit cancelled"
	default:
		summary = "Care visit (" + string(v.Status) + ")"
	}
	return Event{At: visitTime(v), Source: SystemMunicipal, Kind: EventCareVisit, Code: string(v.Status),
		Ref: v.ID, Summary: summary + team(v.Team)}
}

// visitTime is when a visit happened, or was to happen.
func visitTime(v domain.CareVisit) time.Time {
	if v.Status == domain.VisitPerformed && !v.PerformedAt.IsZero() {
		return v.PerformedAt
	}
	return v.PlannedAt
}

func outOfHoursEvent(c domain.OutOfHoursContact) Event {
	summary := "Out-of-hours contact"
	if complaint := strings.TrimSpace(c.Complaint.Code + " " + c.Complaint.Display); complaint != "" {
		summary += ": " + complaint
	}
	var details []string
	if c.Urgency != "" {
		details = append(details, string(c.Urgency))
	}
	if c.Outcome != "" {
		details = append(details, "outcome "+string(c.Outcome))
	}
	if len(details) > 0 {
		summary += " (" + strings.Join(details, ", ") + ")"
	}
	return Event{At: c.ReceivedAt, Source: SystemOutOfHours, Kind: EventOutOfHoursContact, Code: c.Complaint.Code,
		Ref: c.ID, Summary: summary}
}

// referralEvents are a referral's status history; a history that does not
// record the sending gets a "sent" step at SentAt. Notes are left out: they
// are free text and may name people.
func referralEvents(r domain.Referral) []Event {
	to := r.Receiver.Name
	if to == "" {
		switch {
		case r.Receiver.SOR != "":
			to = "SOR " + string(r.Receiver.SOR)
		case r.Receiver.Municipality != 0:
			to = fmt.Sprintf("municipality %d", r.Receiver.Municipality)
		default:
			to = "receiver"
		}
	}
	what := "Referral"
	if r.Kind != "" {
		what += " " + string(r.Kind)
	}
	what += " to " + to
	ev := func(st domain.ReferralStatus, at time.Time) Event {
		return Event{At: at, Source: SystemGP, Kind: EventReferralStatus, Code: string(st), Ref: r.ID, Summary: what + ": " + string(st)}
	}
	var out []Event
	sentRecorded := false
	for _, h := range r.History {
		if h.At.IsZero() {
			continue // an entry without a time places nothing on the timeline
		}
		// Only a sent entry with its time stands for the referral's SentAt.
		sentRecorded = sentRecorded || h.Status == domain.ReferralSent
		out = append(out, ev(h.Status, h.At))
	}
	if !sentRecorded && !r.SentAt.IsZero() {
		out = append(out, ev(domain.ReferralSent, r.SentAt))
	}
	return out
}

func gpContactEvent(c domain.GPContact) Event {
	summary := "GP contact"
	if c.Kind != "" {
		summary += " (" + c.Kind + ")"
	}
	if c.Practice != "" {
		summary += " with practice " + string(c.Practice)
	}
	return Event{At: c.At, Source: SystemGP, Kind: EventGPContact, Code: c.Kind, Ref: c.ID, Summary: summary}
}

func deathEvent(at time.Time) Event {
	return Event{At: at, Source: SystemEHospital, Kind: EventDeath, Code: "deceased", Summary: "Death recorded in the patient index"}
}

func place(hospital, department domain.Organization) string {
	switch {
	case hospital.Name != "" && department.Name != "" && strings.Contains(department.Name, hospital.Name):
		return department.Name // "Akutafdelingen, Slagelse Sygehus" already names its hospital
	case hospital.Name != "" && department.Name != "":
		return department.Name + ", " + hospital.Name
	case department.Name != "":
		return department.Name
	case hospital.Name != "":
		return hospital.Name
	}
	return "the hospital"
}

func team(t string) string {
	if t == "" {
		return ""
	}
	return " (team " + t + ")"
}

func destinationPhrase(d domain.DischargeDestination) string {
	switch d {
	case domain.DischargeHome:
		return "to home"
	case domain.DischargeHomeNursing:
		return "to home with home nursing"
	case domain.DischargeTemporaryBed:
		return "to a temporary municipal bed"
	case domain.DischargeNursingHome:
		return "to a nursing home"
	case domain.DischargeDeceased:
		return "as deceased"
	case "":
		return "(destination not recorded)"
	}
	return "(destination " + string(d) + ")"
}
