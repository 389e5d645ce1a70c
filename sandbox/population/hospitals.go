package population

import (
	"fmt"

	"github.com/sundhedsklynge/klynge/domain"
)

// Specialty is a department's clinical specialty, the code eHospitalet
// carries in Encounter.serviceType.
type Specialty string

const (
	SpecialtyMedical      Specialty = "internal-medicine"
	SpecialtySurgical     Specialty = "surgery"
	SpecialtyOrthopaedic  Specialty = "orthopaedics"
	SpecialtyAcute        Specialty = "emergency-medicine"
	SpecialtyGeriatric    Specialty = "geriatrics"
	SpecialtyPsychiatric  Specialty = "psychiatry"
	SpecialtyPaediatric   Specialty = "paediatrics"
	SpecialtyHomeHospital Specialty = "home-hospitalisation"
)

// Department is a hospital department.
type Department struct {
	Org       domain.Organization
	Specialty Specialty
	// Children marks a department for children: paediatrics, or child and
	// adolescent psychiatry (whose specialty on the wire is psychiatry).
	Children bool
}

// Psychiatric reports a psychiatric department.
func (d Department) Psychiatric() bool { return d.Specialty == SpecialtyPsychiatric }

// Hospital is an acute hospital of the region or eHospitalet.
type Hospital struct {
	Org domain.Organization
	// ClusterID is the cluster the hospital is the acute hospital of; empty
	// for eHospitalet, which serves the whole region.
	ClusterID    string
	Municipality domain.MunicipalityCode
	Departments  []Department
	// EHospital marks eHospitalet, the region's digital hospital.
	EHospital bool
}

// department finds the hospital's department of a specialty.
func (h Hospital) department(s Specialty) Department {
	for _, d := range h.Departments {
		if d.Specialty == s {
			return d
		}
	}
	return h.Departments[0]
}

// SOR codes here are synthetic (prefix 99, 15 digits): they look like SOR
// codes but name no real organisation. Names of the hospitals are real.
func sor(hospital, department int) domain.SORCode {
	return domain.SORCode(fmt.Sprintf("99%02d%02d00000%04d", hospital, department, hospital*100+department))
}

// departmentNames are the somatic departments of each acute hospital.
// Psychiatry is not among them: it is its own organisation (below).
var departmentNames = []struct {
	specialty Specialty
	name      string
}{
	{SpecialtyAcute, "Akutafdelingen"},
	{SpecialtyMedical, "Medicinsk Afdeling"},
	{SpecialtySurgical, "Kirurgisk Afdeling"},
	{SpecialtyOrthopaedic, "Ortopædkirurgisk Afdeling"},
	{SpecialtyGeriatric, "Geriatrisk Afdeling"},
	{SpecialtyPaediatric, "Børne- og Ungeafdelingen"},
}

// acuteHospitals are Region Sjælland's four acute hospitals, each the acute
// hospital of one cluster in the registry; psychiatric is the department of
// Psykiatrien Region Sjælland whose catchment the cluster lies in (the
// region's psychiatric hospitals are in Slagelse, Roskilde and Vordingborg).
var acuteHospitals = []struct {
	name         string
	clusterID    string
	municipality domain.MunicipalityCode
	psychiatric  int // index into psychiatryDepartments
}{
	{"Holbæk Sygehus", "sjaelland-holbaek", 316, 0},
	{"Sjællands Universitetshospital, Køge", "sjaelland-roskilde-koge", 259, 1},
	{"Slagelse Sygehus", "sjaelland-naestved-slagelse", 330, 0},
	{"Nykøbing Falster Sygehus", "sjaelland-nykobing", 376, 2},
}

// psychiatryDepartments are Psykiatrien Region Sjælland's bed units; child
// and adolescent psychiatry is in Roskilde.
var psychiatryDepartments = []struct {
	name     string
	children bool
}{
	{"Psykiatrisk Afdeling Slagelse", false},
	{"Psykiatrisk Afdeling Roskilde", false},
	{"Psykiatrisk Afdeling Vordingborg", false},
	{"Børne- og Ungdomspsykiatrisk Afdeling Roskilde", true},
}

// childPsychiatry is the department of child and adolescent psychiatry.
const childPsychiatry = 3

// Indexes of the region-wide organisations in buildHospitals' answer.
const (
	eHospitalIndex  = 4
	psychiatryIndex = 5
)

// buildHospitals lists the four acute hospitals, eHospitalet and
// Psykiatrien Region Sjælland, in that order.
func buildHospitals() []Hospital {
	out := make([]Hospital, 0, len(acuteHospitals)+2)
	for i, a := range acuteHospitals {
		h := Hospital{
			Org:          domain.Organization{SOR: sor(i+1, 0), Name: a.name},
			ClusterID:    a.clusterID,
			Municipality: a.municipality,
		}
		for j, d := range departmentNames {
			h.Departments = append(h.Departments, Department{
				Org:       domain.Organization{SOR: sor(i+1, j+1), Name: d.name + ", " + a.name},
				Specialty: d.specialty,
				Children:  d.specialty == SpecialtyPaediatric,
			})
		}
		out = append(out, h)
	}
	e := len(acuteHospitals) + 1
	out = append(out, Hospital{
		Org:          domain.Organization{SOR: sor(e, 0), Name: "eHospitalet, Region Sjælland"},
		Municipality: 330,
		EHospital:    true,
		Departments: []Department{{
			Org:       domain.Organization{SOR: sor(e, 1), Name: "Hjemmeindlæggelse, eHospitalet"},
			Specialty: SpecialtyHomeHospital,
		}},
	})
	psych := Hospital{Org: domain.Organization{SOR: sor(e+1, 0), Name: "Psykiatrien Region Sjælland"}, Municipality: 330}
	for j, d := range psychiatryDepartments {
		psych.Departments = append(psych.Departments, Department{
			Org:       domain.Organization{SOR: sor(e+1, j+1), Name: d.name + ", Psykiatrien Region Sjælland"},
			Specialty: SpecialtyPsychiatric,
			Children:  d.children,
		})
	}
	return append(out, psych)
}
