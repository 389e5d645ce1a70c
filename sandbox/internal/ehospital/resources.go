package ehospital

import (
	"fmt"
	"strings"

	"github.com/sundhedsklynge/klynge/domain"
	"github.com/sundhedsklynge/klynge/sandbox/internal/httpapi"
	"github.com/sundhedsklynge/klynge/sandbox/population"
)

// patientID is the logical id of the citizen at index i: never the CPR,
// which must not appear in URLs.
func patientID(i int) string { return fmt.Sprintf("pat-%06d", i+1) }

func parsePatientID(id string) (int, bool) {
	var n int
	if _, err := fmt.Sscanf(id, "pat-%06d", &n); err != nil || patientID(n-1) != id {
		return 0, false
	}
	return n - 1, true
}

var classDisplay = map[domain.EncounterClass]string{
	domain.ClassInpatient:  "inpatient encounter",
	domain.ClassEmergency:  "emergency",
	domain.ClassVirtual:    "virtual",
	domain.ClassHomeHealth: "home health",
}

// patient writes citizen i as the dialect does.
func (s *server) patient(d Dialect, i int) patientResource {
	c := s.world.Citizens()[i]
	loc := s.world.Location()
	p := patientResource{
		ResourceType: "Patient",
		ID:           patientID(i),
		Meta:         &resourceMeta{Profile: []string{profilePatient}},
		Identifier:   []ident{{Use: "official", System: systemSyntheticCPR, Value: string(c.CPR)}},
		Name:         []humanName{{Use: "official", Family: c.FamilyName, Given: strings.Fields(c.GivenName)}},
		Gender:       string(c.Sex),
		BirthDate:    birthDate(d, i, c.BirthDate.Format("2006-01-02")),
		Address: []address{{
			Extension: []extension{{URL: extMunicipality, ValueCodeableConcept: s.municipalityConcept(c.Address.Municipality)}},
			Use:       "home", Line: []string{c.Address.Line}, City: c.Address.City, PostalCode: c.Address.PostalCode, Country: "DK",
		}},
	}
	if c.DeceasedAt != nil {
		if d.DeceasedBoolean {
			yes := true
			p.DeceasedBoolean = &yes
		} else {
			p.DeceasedDateTime = httpapi.Time(*c.DeceasedAt, loc)
		}
	}
	if gp, ok := s.world.Practice(c.GP); ok {
		p.GeneralPractitioner = []ref{{
			Type:       "Organization",
			Identifier: &ident{System: systemYdernummer, Value: string(gp.Ydernummer)},
			Display:    gp.Name,
		}}
	}
	return p
}

// birthDate is the date as the dialect writes it: some servers hold only
// the year or the month (valid FHIR; the CPR holds the day).
func birthDate(d Dialect, i int, full string) string {
	if !d.PartialBirthDates {
		return full
	}
	switch i % 9 {
	case 4:
		return full[:4]
	case 7:
		return full[:7]
	}
	return full
}

// municipalityConcept is a municipality as DK-core codes it: a
// CodeableConcept in dk-core-municipality-codes (four digits).
func (s *server) municipalityConcept(code domain.MunicipalityCode) *concept {
	m, _ := s.world.Municipality(code)
	return &concept{Coding: []coding{{System: systemMunicipality, Code: fmt.Sprintf("%04d", int(code)), Display: m.Name}}}
}

// encounter writes encounter k as the dialect does.
func (s *server) encounter(d Dialect, k int) encounterResource {
	e := s.world.Encounters()[k]
	loc := s.world.Location()
	ci := int(s.encCitizen[k])
	out := encounterResource{
		ResourceType: "Encounter",
		ID:           e.ID,
		Status:       string(e.Status),
		Class:        coding{System: systemActCode, Code: string(e.Class), Display: classDisplay[e.Class]},
		Subject:      ref{Reference: "Patient/" + patientID(ci)},
		Period:       period{Start: httpapi.Time(e.Start, loc), End: httpapi.Time(e.End, loc)},
		Location: []encounterLocation{{Location: ref{
			Identifier: &ident{System: systemSOR, Value: string(e.Department.SOR)},
			Display:    e.Department.Name,
		}}},
		ServiceProvider: &ref{
			Type:       "Organization",
			Identifier: &ident{System: systemSOR, Value: string(e.Hospital.SOR)},
			Display:    e.Hospital.Name,
		},
	}
	if !d.ReferenceOnlySubjects {
		out.Subject.Identifier = &ident{System: systemSyntheticCPR, Value: string(e.CPR)}
	}
	if dept, ok := s.departments[e.Department.SOR]; ok {
		out.ServiceType = &concept{Coding: []coding{{System: systemSpecialty, Code: string(dept.Specialty)}}}
	}
	if e.Destination != "" {
		out.Hospitalization = &hospitalization{DischargeDisposition: concept{Coding: []coding{{System: systemDestination, Code: string(e.Destination)}}}}
	}
	return out
}

// provenance writes notification j of encounter k as MedCom's
// HospitalNotification IG 3.0.x records it (docs/FHIR-CODES.md): the
// activity code of the event, every follow-up but an admission naming the
// previous message (role revision), a correction the one it corrects (revision), a
// cancellation the one it cancels (removal); MORS keeps the admission's
// code on a follow-up of the finished stay.
func (s *server) provenance(k, j int) provenanceResource {
	e := s.world.Encounters()[k]
	n := e.Notifications[j]
	loc := s.world.Location()
	sent := httpapi.Time(n.SentAt, loc)
	p := provenanceResource{
		ResourceType: "Provenance",
		ID:           n.ID,
		Extension: []extension{
			{URL: extReceiver, ValueCodeableConcept: s.municipalityConcept(n.Receiver)},
			{URL: extSent, ValueDateTime: sent},
		},
		Target:           []ref{{Reference: "Encounter/" + e.ID}},
		OccurredDateTime: httpapi.Time(n.OccurredAt, loc),
		Recorded:         sent,
		Activity:         concept{Coding: []coding{{System: systemMedCom, Code: medComActivity(n.Code, e.Class)}}, Text: string(n.Code)},
		Agent: []provenanceAgent{{Who: ref{
			Type:       "Organization",
			Identifier: &ident{System: systemSOR, Value: string(n.Sender.SOR)},
			Display:    n.Sender.Name,
		}}},
	}
	switch {
	case n.Code.IsCancellation():
		p.Entity = []provenanceEntity{{Role: "removal", What: ref{Reference: "Provenance/" + n.Replaces}}}
	case n.Code.IsCorrection():
		p.Entity = []provenanceEntity{{Role: "revision", What: ref{Reference: "Provenance/" + n.Replaces}}}
	case j > 0 && n.Code != domain.NotifyAdmitted && n.Code != domain.NotifyAcuteOutpatientStart:
		// An admission starts the chain (also STIN after STAA, as the IG's
		// example sends it); every later message follows up on the last.
		p.Entity = []provenanceEntity{{Role: "revision", What: ref{Reference: "Provenance/" + previousSent(e.Notifications, j)}}}
	}
	return p
}

// previousSent is the id of the notification sent last before the j-th.
func previousSent(notes []domain.HospitalNotification, j int) string {
	prev := -1
	for i, n := range notes {
		if i != j && !n.SentAt.After(notes[j].SentAt) && (prev < 0 || n.SentAt.After(notes[prev].SentAt)) {
			prev = i
		}
	}
	if prev < 0 {
		return notes[0].ID
	}
	return notes[prev].ID
}

// medComActivity is the MedComMessagingActivityCodes code of a classic
// notification code for an encounter of class cl: acute ambulant stays
// notify as emergency, the others (inpatient, home, virtual) as inpatient.
func medComActivity(code domain.NotificationCode, cl domain.EncounterClass) string {
	prefix := ""
	switch {
	case code.IsCorrection():
		prefix = "revise-"
	case code.IsCancellation():
		prefix = "cancel-"
	}
	kind := "inpatient"
	if cl == domain.ClassEmergency {
		kind = "emergency"
	}
	switch code.Base() {
	case domain.NotifyAcuteOutpatientStart:
		return prefix + "admit-emergency"
	case domain.NotifyAdmitted:
		return prefix + "admit-inpatient"
	case domain.NotifyLeaveStarts:
		return prefix + "start-leave-inpatient"
	case domain.NotifyLeaveEnds:
		return prefix + "end-leave-inpatient"
	case domain.NotifyDischarged:
		return prefix + "discharge-" + kind + "-home"
	case domain.NotifyDied:
		return prefix + "admit-" + kind
	}
	return ""
}

// departmentsBySOR indexes every department of the world's hospitals.
func departmentsBySOR(w *population.World) map[domain.SORCode]population.Department {
	out := map[domain.SORCode]population.Department{}
	for _, h := range w.Hospitals() {
		for _, d := range h.Departments {
			out[d.Org.SOR] = d
		}
	}
	return out
}
