package ehospital

import (
	"fmt"
	"strings"

	"github.com/sundhedsklynge/klynge/connectors/ehospital/fhir"
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

func (s *server) patient(i int) fhir.Patient {
	c := s.world.Citizens()[i]
	loc := s.world.Location()
	p := fhir.Patient{
		ResourceType: "Patient",
		ID:           patientID(i),
		Identifier:   []fhir.Identifier{{Use: "official", System: fhir.SystemSyntheticCPR, Value: string(c.CPR)}},
		Name:         []fhir.HumanName{{Use: "official", Family: c.FamilyName, Given: strings.Fields(c.GivenName)}},
		Gender:       string(c.Sex),
		BirthDate:    c.BirthDate.Format("2006-01-02"),
		Address: []fhir.Address{{
			Extension: []fhir.Extension{{
				URL:         fhir.ExtMunicipality,
				ValueCoding: &fhir.Coding{System: fhir.SystemMunicipality, Code: fmt.Sprintf("%04d", int(c.Address.Municipality)), Display: s.municipalityName(c.Address.Municipality)},
			}},
			Use:        "home",
			Line:       []string{c.Address.Line},
			City:       c.Address.City,
			PostalCode: c.Address.PostalCode,
			Country:    "DK",
		}},
	}
	if c.DeceasedAt != nil {
		d := httpapi.Time(*c.DeceasedAt, loc)
		p.DeceasedDateTime = &d
	}
	if gp, ok := s.world.Practice(c.GP); ok {
		p.GeneralPractitioner = []fhir.Reference{{
			Type:       "Organization",
			Identifier: &fhir.Identifier{System: fhir.SystemYdernummer, Value: string(gp.Ydernummer)},
			Display:    gp.Name,
		}}
	}
	return p
}

func (s *server) municipalityName(code domain.MunicipalityCode) string {
	m, _ := s.world.Municipality(code)
	return m.Name
}

func (s *server) encounter(k int) fhir.Encounter {
	e := s.world.Encounters()[k]
	loc := s.world.Location()
	ci, _ := s.world.CitizenIndex(e.CPR)
	out := fhir.Encounter{
		ResourceType: "Encounter",
		ID:           e.ID,
		Status:       string(e.Status),
		Class:        fhir.Coding{System: fhir.SystemActCode, Code: string(e.Class), Display: classDisplay[e.Class]},
		Subject: &fhir.Reference{
			Reference:  "Patient/" + patientID(ci),
			Identifier: &fhir.Identifier{System: fhir.SystemSyntheticCPR, Value: string(e.CPR)},
		},
		Period: &fhir.Period{Start: httpapi.Time(e.Start, loc), End: httpapi.Time(e.End, loc)},
		Location: []fhir.EncounterLocation{{Location: fhir.Reference{
			Identifier: &fhir.Identifier{System: fhir.SystemSOR, Value: string(e.Department.SOR)},
			Display:    e.Department.Name,
		}}},
		ServiceProvider: &fhir.Reference{
			Type:       "Organization",
			Identifier: &fhir.Identifier{System: fhir.SystemSOR, Value: string(e.Hospital.SOR)},
			Display:    e.Hospital.Name,
		},
	}
	if dept, ok := s.departments[e.Department.SOR]; ok {
		out.ServiceType = &fhir.CodeableConcept{Coding: []fhir.Coding{{System: fhir.SystemSpecialty, Code: string(dept.Specialty)}}}
	}
	if e.Destination != "" {
		out.Hospitalization = &fhir.EncounterHospitalization{DischargeDisposition: &fhir.CodeableConcept{
			Coding: []fhir.Coding{{System: fhir.SystemDischargeDisposition, Code: string(e.Destination)}},
		}}
	}
	return out
}

func (s *server) provenance(e domain.Encounter, n domain.HospitalNotification) fhir.Provenance {
	loc := s.world.Location()
	sent := httpapi.Time(n.SentAt, loc)
	activity, _ := fhir.ActivityCode(string(n.Code), string(e.Class))
	p := fhir.Provenance{
		ResourceType: "Provenance",
		ID:           n.ID,
		Extension: []fhir.Extension{
			{URL: fhir.ExtReceiverMunicipality, ValueCoding: &fhir.Coding{System: fhir.SystemMunicipality, Code: fmt.Sprintf("%04d", int(n.Receiver)), Display: s.municipalityName(n.Receiver)}},
			{URL: fhir.ExtNotificationSent, ValueDateTime: &sent},
		},
		Target:           []fhir.Reference{{Reference: "Encounter/" + e.ID}},
		OccurredDateTime: httpapi.Time(n.OccurredAt, loc),
		Recorded:         sent,
		Activity:         &fhir.CodeableConcept{Coding: []fhir.Coding{{System: fhir.SystemMedComActivity, Code: activity}}, Text: string(n.Code)},
		Agent: []fhir.ProvenanceAgent{{Who: fhir.Reference{
			Type:       "Organization",
			Identifier: &fhir.Identifier{System: fhir.SystemSOR, Value: string(n.Sender.SOR)},
			Display:    n.Sender.Name,
		}}},
	}
	if n.Replaces != "" {
		role := "revision"
		if n.Code.IsCancellation() {
			role = "removal"
		}
		p.Entity = []fhir.ProvenanceEntity{{Role: role, What: fhir.Reference{Reference: "Provenance/" + n.Replaces}}}
	}
	return p
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
