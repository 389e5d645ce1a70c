package domain

import "time"

// Sex as the CPR register records it (from the CPR's last digit).
type Sex string

const (
	SexFemale  Sex = "female"
	SexMale    Sex = "male"
	SexUnknown Sex = "unknown"
)

// MunicipalityCode is the 3-digit Danish municipality code (101 København,
// 330 Slagelse). FHIR writes it zero-padded to four digits ("0330"); match on
// the code, never on the name, because names vary between systems.
type MunicipalityCode int

// Ydernummer identifies a GP practice in the national health insurance
// (urn:oid:1.2.208.176.1.4).
type Ydernummer string

// SORCode identifies a health organisation or department in the Danish
// Sundhedsvæsenets Organisationsregister (urn:oid:1.2.208.176.1.1).
type SORCode string

// Citizen is a person as the regional patient index knows them.
type Citizen struct {
	CPR        CPR
	GivenName  string
	FamilyName string
	BirthDate  time.Time // civil date, UTC midnight
	Sex        Sex
	Address    Address
	// GP is the practice the citizen is listed with; empty when unknown.
	GP Ydernummer
	// Deceased is set when the citizen has died, whether or not the date
	// is known (FHIR's deceasedBoolean, or a deceasedDateTime of "2024").
	Deceased bool
	// DeceasedAt is when the citizen died, when known to the day.
	DeceasedAt *time.Time
}

// IsDeceased reports whether the citizen has died: Deceased, or a known
// date of death.
func (c Citizen) IsDeceased() bool { return c.Deceased || c.DeceasedAt != nil }

// Name is the citizen's full name for display.
func (c Citizen) Name() string {
	switch {
	case c.GivenName == "":
		return c.FamilyName
	case c.FamilyName == "":
		return c.GivenName
	}
	return c.GivenName + " " + c.FamilyName
}

// Address is a Danish postal address with the municipality it lies in.
type Address struct {
	Line         string
	PostalCode   string
	City         string
	Municipality MunicipalityCode
}

// Practice is a general practice (almen praksis).
type Practice struct {
	Ydernummer   Ydernummer
	Name         string
	Municipality MunicipalityCode
	Address      Address
	Phone        string
}
