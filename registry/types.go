package registry

import "github.com/sundhedsklynge/klynge/domain"

// Region is one of the five Danish regions.
type Region struct {
	Code int    // DAGI code, 1081-1085
	Name string // "Region Sjælland"
	ISO  string // ISO 3166-2, "DK-85"; FHIR uses it
}

func danishRegions() []Region {
	return []Region{
		{1081, "Region Nordjylland", "DK-81"},
		{1082, "Region Midtjylland", "DK-82"},
		{1083, "Region Syddanmark", "DK-83"},
		{1084, "Region Hovedstaden", "DK-84"},
		{1085, "Region Sjælland", "DK-85"},
	}
}

// Municipality is one of the 98 municipalities.
type Municipality struct {
	Code       domain.MunicipalityCode
	Name       string
	RegionCode int
}

// Cluster is a sundhedsklynge: hospital, municipalities and general practice
// around one acute hospital.
type Cluster struct {
	ID             string
	Name           string
	RegionCode     int
	AcuteHospitals []string
	Members        []Membership
	// MembershipBasis says how the members were established, e.g.
	// "official_cluster_page", "stated", or an explanation of an inference.
	MembershipBasis string
	// UncertainFields names the fields the sources do not confirm
	// ("municipality_codes", "name").
	UncertainFields []string
	Notes           string
	Sources         []string
	Levels          *Levels
	ThemeCommittees []ThemeCommittee
	// StartupFunding is the yearly start-up funding where the sources give it.
	StartupFunding    *Funding
	InitiativeFunding []InitiativeFunding
}

// Membership is one municipality in a cluster, confirmed by a source or
// inferred.
type Membership struct {
	Municipality domain.MunicipalityCode
	Confirmed    bool
}

// MunicipalityCodes lists the members' codes, confirmed and inferred.
func (c Cluster) MunicipalityCodes() []domain.MunicipalityCode {
	out := make([]domain.MunicipalityCode, len(c.Members))
	for i, m := range c.Members {
		out[i] = m.Municipality
	}
	return out
}

// HasMember reports whether the municipality is a member.
func (c Cluster) HasMember(code domain.MunicipalityCode) bool {
	for _, m := range c.Members {
		if m.Municipality == code {
			return true
		}
	}
	return false
}

// NameUncertain reports that the sources did not confirm the cluster's name.
func (c Cluster) NameUncertain() bool {
	for _, f := range c.UncertainFields {
		if f == "name" {
			return true
		}
	}
	return false
}

// Levels are the cluster's organisational levels.
type Levels struct {
	Political   string
	Strategic   string
	Operational string
}

// ThemeCommittee is a theme committee (temaudvalg) and the initiatives it runs.
type ThemeCommittee struct {
	Name        string
	Responsible string
	Initiatives []string
}

// Funding is a yearly grant split between municipalities and region, in DKK.
type Funding struct {
	Years          []int
	Municipalities int64
	Region         int64
	Total          int64
	Source         string
}

// InitiativeFunding is what one initiative applied for and was granted, in DKK.
type InitiativeFunding struct {
	Initiative string
	Funds      string
	Applied    int64
	Granted    int64
}
