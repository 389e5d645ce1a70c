package access

import (
	"time"

	"github.com/sundhedsklynge/klynge/domain"
)

// Synthetic CPRs only (day of birth + 60).
const (
	cprAnna  domain.CPR = "6703851234"
	cprBent  domain.CPR = "7011502345"
	cprCarla domain.CPR = "8512473456"
)

const (
	sorSlagelseMedical = "990301000000302" // a department
	sorSlagelse        = "990300000000300" // its hospital
	sorNaestvedSurgery = "990401000000403"
	ydernummerA        = "912345"
	ydernummerB        = "954321"
)

var now = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

func hours(n int) time.Duration { return time.Duration(n) * time.Hour }

var (
	clinician   = Principal{Subject: "clin-1", Role: RoleClinician, Organization: sorSlagelseMedical}
	hospitalDoc = Principal{Subject: "clin-2", Role: RoleClinician, Organization: sorSlagelse}
	gp          = Principal{Subject: "gp-1", Role: RoleGP, Organization: ydernummerA}
	nurse       = Principal{Subject: "nurse-1", Role: RoleMunicipalNurse, Organization: "330"}
	oohDoctor   = Principal{Subject: "ooh-1", Role: RoleOutOfHoursDoctor, Organization: "1085"}
	integrator  = Principal{Subject: "int-1", Role: RoleIntegrator, Clusters: []string{"sjaelland-naestved-slagelse"}}
	anna        = Principal{Subject: "citizen-anna", Role: RoleCitizen, CPR: cprAnna}
	privacy     = Principal{Subject: "po-1", Role: RolePrivacyOfficer, Organization: "1085"}
)

func encounterAt(cpr domain.CPR, dept, hospital string, status domain.EncounterStatus, start, end time.Time) domain.Encounter {
	return domain.Encounter{
		ID: "enc-1", CPR: cpr, Class: domain.ClassInpatient, Status: status,
		Start: start, End: end,
		Hospital:   domain.Organization{SOR: domain.SORCode(hospital)},
		Department: domain.Organization{SOR: domain.SORCode(dept)},
	}
}

func patient(cpr domain.CPR, gp string, municipality domain.MunicipalityCode) *domain.Citizen {
	return &domain.Citizen{CPR: cpr, GP: domain.Ydernummer(gp), Address: domain.Address{Municipality: municipality}}
}
