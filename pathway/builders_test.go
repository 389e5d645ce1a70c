package pathway

import (
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/sundhedsklynge/klynge/domain"
)

// Small builders for one synthetic citizen (born the 7th, so day 67: never a
// real CPR) living in Næstved (370), listed with practice 012345.

const (
	homeMunicipality = domain.MunicipalityCode(370)
	practice         = domain.Ydernummer("012345")
	hour             = time.Hour
	minute           = time.Minute
)

var (
	testCPR  = domain.MustParseCPR("6703851234")
	otherCPR = domain.MustParseCPR("6805921236")

	// admitted is a Monday morning; the standard stay lasts three days.
	admitted   = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	discharged = admitted.Add(72 * hour)
	// afterWindow is when every deadline of a standard discharge has passed.
	afterWindow = discharged.Add(31 * day)

	naestved   = domain.Organization{SOR: "6620", Name: "Næstved Sygehus"}
	medicine   = domain.Organization{SOR: "662010", Name: "Medicinsk afdeling"}
	slagelse   = domain.Organization{SOR: "6630", Name: "Slagelse Sygehus"}
	cardiology = domain.Organization{SOR: "663020", Name: "Kardiologisk afdeling"}
	ehospital  = domain.Organization{SOR: "6690", Name: "eHospitalet"}
)

func testCitizen() domain.Citizen {
	return domain.Citizen{
		CPR:        testCPR,
		GivenName:  "Testa",
		FamilyName: "Syntetisk",
		Address:    domain.Address{Line: "Testvej 1", PostalCode: "4700", City: "Næstved", Municipality: homeMunicipality},
		GP:         practice,
	}
}

// stayEncounter builds a stay at Næstved's medical department with the
// notifications a hospital sends: STAA or STIN at the start, SLHJ at a
// discharge, MORS at a death, nothing at a transfer. A zero end is ongoing.
func stayEncounter(id string, class domain.EncounterClass, start, end time.Time, dest domain.DischargeDestination) domain.Encounter {
	e := domain.Encounter{ID: id, CPR: testCPR, Class: class, Status: domain.EncounterInProgress, Start: start,
		Hospital: naestved, Department: medicine}
	if class == domain.ClassHomeHealth {
		e.Hospital, e.Department = ehospital, ehospital
	}
	admit := domain.NotifyAdmitted
	if class == domain.ClassEmergency {
		admit = domain.NotifyAcuteOutpatientStart
	}
	notify(&e, id+"-admit", admit, start, "")
	if end.IsZero() {
		return e
	}
	e.Status, e.End, e.Destination = domain.EncounterFinished, end, dest
	switch dest {
	case domain.DischargeOtherHospital:
	case domain.DischargeDeceased:
		notify(&e, id+"-mors", domain.NotifyDied, end, "")
	default:
		notify(&e, id+"-slhj", domain.NotifyDischarged, end, "")
	}
	return e
}

func inpatient(id string, start, end time.Time, dest domain.DischargeDestination) domain.Encounter {
	return stayEncounter(id, domain.ClassInpatient, start, end, dest)
}

// notify appends a notification sent one minute after the event.
func notify(e *domain.Encounter, id string, code domain.NotificationCode, at time.Time, replaces string) {
	e.Notifications = append(e.Notifications, domain.HospitalNotification{
		ID: id, EncounterID: e.ID, CPR: e.CPR, Code: code, OccurredAt: at, SentAt: at.Add(minute),
		Sender: e.Hospital, Receiver: homeMunicipality, Replaces: replaces,
	})
}

// receipt is the home municipality's log of notification id arriving at.
func receipt(e domain.Encounter, notificationID string, at time.Time) domain.ReceivedNotification {
	for _, n := range e.Notifications {
		if n.ID == notificationID {
			return domain.ReceivedNotification{ID: "rcv-" + n.ID, MessageID: n.ID, EncounterID: e.ID, CPR: e.CPR,
				Municipality: homeMunicipality, Code: n.Code, OccurredAt: n.OccurredAt, ReceivedAt: at, SenderHospital: e.Hospital}
		}
	}
	panic("receipt: encounter " + e.ID + " has no notification " + notificationID)
}

func nursing(id string, start, end time.Time) domain.CareService {
	return domain.CareService{ID: id, CPR: testCPR, Municipality: homeMunicipality,
		Service: domain.Coding{System: "urn:oid:1.2.208.176.2.21", Code: "G1.20", Display: "Medicingivning"},
		Law:     domain.ServiceNursing, Status: domain.CareServiceActive, Start: start, End: end, Team: "Syd"}
}

func performedVisit(id, serviceID string, at time.Time) domain.CareVisit {
	return domain.CareVisit{ID: id, CPR: testCPR, Municipality: homeMunicipality, ServiceID: serviceID,
		PlannedAt: at, PerformedAt: at, Status: domain.VisitPerformed, Team: "Syd"}
}

func unperformedVisit(id, serviceID string, at time.Time, status domain.CareVisitStatus) domain.CareVisit {
	return domain.CareVisit{ID: id, CPR: testCPR, Municipality: homeMunicipality, ServiceID: serviceID,
		PlannedAt: at, Status: status, Team: "Syd"}
}

func outOfHours(id string, at time.Time) domain.OutOfHoursContact {
	return domain.OutOfHoursContact{ID: id, CPR: testCPR, ReceivedAt: at, TriageBy: "nurse",
		Complaint: domain.Coding{System: "urn:oid:1.2.208.176.2.31", Code: "K77", Display: "Hjertesvigt"},
		Urgency:   domain.UrgencyUrgent, Outcome: domain.OutcomeHomeVisit, StartedAt: at, EndedAt: at.Add(20 * minute), Site: "1818"}
}

func referral(id string, sent time.Time, steps ...domain.ReferralStatusChange) domain.Referral {
	return domain.Referral{ID: id, CPR: testCPR, Kind: domain.ReferralMunicipal, Sender: practice,
		Receiver: domain.ReferralReceiver{Kind: "municipality", Municipality: homeMunicipality, Name: "Næstved Kommune"},
		Reason:   domain.Coding{Code: "A04"}, Priority: domain.PriorityUrgent, SentAt: sent,
		History: append([]domain.ReferralStatusChange{{Status: domain.ReferralSent, At: sent}}, steps...)}
}

func step(s domain.ReferralStatus, at time.Time) domain.ReferralStatusChange {
	return domain.ReferralStatusChange{Status: s, At: at, Note: "Testa Syntetisk 670385-1234"}
}

func gpContact(id string, at time.Time) domain.GPContact {
	return domain.GPContact{ID: id, CPR: testCPR, Practice: practice, At: at, Kind: "consultation"}
}

// cleanDischarge is a three-day admission ending at `discharged` with every
// handover done: SLHJ received after 10 minutes; for destinations with
// municipal care a nursing service from discharge with a visit 4 hours later
// and daily after; a GP consultation on day 2.
func cleanDischarge(dest domain.DischargeDestination) Input {
	enc := inpatient("enc-1", admitted, discharged, dest)
	in := Input{
		Citizen:    testCitizen(),
		Encounters: []domain.Encounter{enc},
		Received: []domain.ReceivedNotification{
			receipt(enc, "enc-1-admit", admitted.Add(5*minute)),
			receipt(enc, "enc-1-slhj", discharged.Add(10*minute)),
		},
		GPContacts: []domain.GPContact{gpContact("gp-1", discharged.Add(48*hour))},
	}
	if dest.NeedsMunicipalCare() {
		in.Services = []domain.CareService{nursing("svc-1", discharged, discharged.Add(20*day))}
		in.Visits = append(in.Visits, performedVisit("visit-0", "svc-1", discharged.Add(4*hour)))
		for d := 1; d < 20; d++ {
			in.Visits = append(in.Visits, performedVisit("visit-"+strconv.Itoa(d), "svc-1", discharged.Add(time.Duration(d)*day)))
		}
	}
	return in
}

// only returns the single pathway, failing when there is not exactly one.
func only(t *testing.T, ps []Pathway) Pathway {
	t.Helper()
	if len(ps) != 1 {
		t.Fatalf("got %d pathways %v, want 1", len(ps), ids(ps))
	}
	return ps[0]
}

func byID(t *testing.T, ps []Pathway, id string) Pathway {
	t.Helper()
	for _, p := range ps {
		if p.ID == id {
			return p
		}
	}
	t.Fatalf("no pathway %s among %v", id, ids(ps))
	return Pathway{}
}

func ids(ps []Pathway) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.ID)
	}
	return out
}

func gapKinds(p Pathway) []GapKind {
	var out []GapKind
	for _, g := range p.Gaps {
		out = append(out, g.Kind)
	}
	return out
}

func gapOf(t *testing.T, p Pathway, kind GapKind) Gap {
	t.Helper()
	for _, g := range p.Gaps {
		if g.Kind == kind {
			return g
		}
	}
	t.Fatalf("pathway %s has no %s gap (gaps %v)", p.ID, kind, gapKinds(p))
	return Gap{}
}

func deadlineRules(p Pathway) []GapKind {
	var out []GapKind
	for _, d := range p.OpenDeadlines {
		out = append(out, d.Rule)
	}
	return out
}

// hasEvidence reports evidence of the kind about the record ref.
func hasEvidence(g Gap, kind EventKind, ref string) bool {
	return slices.ContainsFunc(g.Evidence, func(e Event) bool { return e.Kind == kind && e.Ref == ref })
}
