package registry

import (
	"errors"
	"fmt"

	"github.com/sundhedsklynge/klynge/domain"
)

// clusterJSON is the shape of data/clusters.json.
type clusterJSON struct {
	ID                        string   `json:"id"`
	Name                      string   `json:"name"`
	RegionCode                int      `json:"region_code"`
	AcuteHospitals            []string `json:"acute_hospitals"`
	MunicipalityCodes         []int    `json:"municipality_codes"`
	InferredMunicipalityCodes []int    `json:"inferred_municipality_codes"`
	MembershipBasis           string   `json:"membership_basis"`
	UncertainFields           []string `json:"uncertain_fields"`
	Notes                     string   `json:"notes"`
	Source                    string   `json:"source"`
	Sources                   []string `json:"sources"`
	Levels                    *struct {
		Political   string `json:"political"`
		Strategic   string `json:"strategic"`
		Operational string `json:"operational"`
	} `json:"levels"`
	ThemeCommittees []struct {
		Name        string   `json:"name"`
		Responsible string   `json:"responsible"`
		Initiatives []string `json:"initiatives"`
	} `json:"theme_committees"`
	StartupFunding *struct {
		Years          []int  `json:"years"`
		Municipalities int64  `json:"municipalities"`
		Region         int64  `json:"region"`
		Total          int64  `json:"total"`
		Source         string `json:"source"`
	} `json:"startup_funding_dkk_per_year"`
	InitiativeFunding []struct {
		Initiative string `json:"initiative"`
		Funds      string `json:"funds"`
		Applied    int64  `json:"applied"`
		Granted    int64  `json:"granted"`
	} `json:"initiative_funding_2023_dkk"`
}

func (w clusterJSON) toCluster() (Cluster, error) {
	if w.ID == "" {
		return Cluster{}, errors.New("id: must not be empty")
	}
	if w.Name == "" {
		return Cluster{}, errors.New("name: must not be empty")
	}
	c := Cluster{
		ID:              w.ID,
		Name:            w.Name,
		RegionCode:      w.RegionCode,
		AcuteHospitals:  w.AcuteHospitals,
		MembershipBasis: w.MembershipBasis,
		UncertainFields: w.UncertainFields,
		Notes:           w.Notes,
		Sources:         w.Sources,
	}
	if len(c.Sources) == 0 && w.Source != "" {
		c.Sources = []string{w.Source}
	}
	seen := map[int]bool{}
	add := func(codes []int, confirmed bool) error {
		for _, code := range codes {
			if seen[code] {
				return fmt.Errorf("municipality %d listed twice", code)
			}
			seen[code] = true
			c.Members = append(c.Members, Membership{Municipality: domain.MunicipalityCode(code), Confirmed: confirmed})
		}
		return nil
	}
	if err := add(w.MunicipalityCodes, true); err != nil {
		return Cluster{}, err
	}
	if err := add(w.InferredMunicipalityCodes, false); err != nil {
		return Cluster{}, err
	}
	if w.Levels != nil {
		c.Levels = &Levels{Political: w.Levels.Political, Strategic: w.Levels.Strategic, Operational: w.Levels.Operational}
	}
	for _, t := range w.ThemeCommittees {
		c.ThemeCommittees = append(c.ThemeCommittees, ThemeCommittee{Name: t.Name, Responsible: t.Responsible, Initiatives: t.Initiatives})
	}
	if f := w.StartupFunding; f != nil {
		c.StartupFunding = &Funding{Years: f.Years, Municipalities: f.Municipalities, Region: f.Region, Total: f.Total, Source: f.Source}
	}
	for _, f := range w.InitiativeFunding {
		c.InitiativeFunding = append(c.InitiativeFunding, InitiativeFunding{Initiative: f.Initiative, Funds: f.Funds, Applied: f.Applied, Granted: f.Granted})
	}
	return c, nil
}
