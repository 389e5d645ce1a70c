package oidc

import (
	"fmt"
	"slices"

	"github.com/sundhedsklynge/klynge/access"
	"github.com/sundhedsklynge/klynge/domain"
	"github.com/sundhedsklynge/klynge/sandbox/population"
)

// ClientSecret is every demo client's secret.
const ClientSecret = "demo"

// The demo clients' ids: stable across seeds and population sizes, so the
// README can name them.
const (
	ClientClinicianSlagelse  = "clinician-slagelse"
	ClientClinicianEHospital = "clinician-ehospitalet"
	ClientGP                 = "gp-demo"
	ClientNurseSlagelse      = "nurse-slagelse"
	ClientNurseNaestved      = "nurse-naestved"
	ClientOutOfHours         = "outofhours-sjaelland"
	ClientIntegrator         = "integrator-naestved-slagelse"
	ClientRegionIntegrator   = "integrator-region-sjaelland"
	ClientAnalyst            = "analyst-region-sjaelland"
	ClientCitizen            = "citizen-demo"
	ClientPrivacyOfficer     = "privacy-officer"
)

// Client is one demo client: who its tokens say the caller is.
type Client struct {
	ID               string   `json:"client_id"`
	Role             string   `json:"role"`
	Organization     string   `json:"organization,omitempty"`
	OrganizationName string   `json:"organization_name,omitempty"`
	Clusters         []string `json:"clusters,omitempty"`
	// CPR is the citizen client's own (synthetic) CPR.
	CPR string `json:"cpr,omitempty"`
	// ExampleCitizen is a citizen this client may read under klynge's
	// default rules at the sandbox's present, to try in the playground;
	// empty when the population has none.
	ExampleCitizen string `json:"example_citizen,omitempty"`
	Description    string `json:"description"`
}

// Principal is the principal a token of this client authenticates as.
func (c Client) Principal() access.Principal {
	return access.Principal{
		Subject:      c.ID,
		Role:         access.Role(c.Role),
		Organization: c.Organization,
		Clusters:     c.Clusters,
		CPR:          domain.CPR(c.CPR),
	}
}

const (
	regionSjaelland   = "1085"
	slagelse          = domain.MunicipalityCode(330)
	naestved          = domain.MunicipalityCode(370)
	demoClusterID     = "sjaelland-naestved-slagelse"
	demoHospitalName  = "Slagelse Sygehus"
	demoSpecialty     = population.SpecialtyMedical
	regionServiceName = "Region Sjælland"
)

// demoClients picks the clients' organisations and example citizens from
// the world: the department of Slagelse Sygehus with the most patients to
// show, eHospitalet, municipality 330, Region Sjælland's out-of-hours
// service, an integrator of the Næstved/Slagelse cluster, and a citizen
// with data in several systems whose practice becomes the GP client's.
// Examples are found with klynge's own rules (access.Rules.Decide), so they
// are right by construction.
func demoClients(w *population.World) ([]Client, error) {
	var slagelseHospital, eHospital *population.Hospital
	for i := range w.Hospitals() {
		h := &w.Hospitals()[i]
		switch {
		case h.EHospital:
			eHospital = h
		case h.ClusterID == demoClusterID:
			slagelseHospital = h
		}
	}
	if slagelseHospital == nil || eHospital == nil {
		return nil, fmt.Errorf("oidc: the population has no %s or no eHospitalet", demoHospitalName)
	}
	dept, demo, ok := demoDepartment(w, slagelseHospital)
	if !ok {
		return nil, fmt.Errorf("oidc: the population has no citizen")
	}
	muniName := fmt.Sprintf("municipality %d", slagelse)
	if m, ok := w.Municipality(slagelse); ok {
		muniName = m.Name + " Kommune"
	}
	gpName := ""
	if p, ok := w.Practice(demo.GP); ok {
		gpName = p.Name
	}

	clients := []Client{
		{ID: ClientClinicianSlagelse, Role: string(access.RoleClinician), Organization: string(dept.Org.SOR), OrganizationName: dept.Org.Name,
			Description: "hospital clinician: reads citizens with an encounter at the department, ongoing or within 30 days"},
		{ID: ClientClinicianEHospital, Role: string(access.RoleClinician), Organization: string(eHospital.Org.SOR), OrganizationName: eHospital.Org.Name,
			Description: "eHospitalet clinician: reads citizens with an eHospitalet encounter, ongoing or within 30 days"},
		{ID: ClientGP, Role: string(access.RoleGP), Organization: string(demo.GP), OrganizationName: gpName,
			Description: "general practitioner: reads citizens listed at the practice"},
		{ID: ClientNurseSlagelse, Role: string(access.RoleMunicipalNurse), Organization: fmt.Sprintf("%03d", int(slagelse)), OrganizationName: muniName,
			Description: "municipal nurse: reads citizens who live in the municipality or receive its care services"},
		{ID: ClientNurseNaestved, Role: string(access.RoleMunicipalNurse), Organization: fmt.Sprintf("%03d", int(naestved)), OrganizationName: "Næstved Kommune",
			Description: "municipal nurse of another municipality of the same cluster (alerts: sees only her own citizens)"},
		{ID: ClientOutOfHours, Role: string(access.RoleOutOfHoursDoctor), Organization: regionSjaelland, OrganizationName: "Lægevagten, " + regionServiceName,
			Description: "out-of-hours doctor: reads citizens with a Lægevagten contact within 24 hours"},
		{ID: ClientIntegrator, Role: string(access.RoleIntegrator), Organization: demoClusterID, OrganizationName: "Sundhedsklynge Næstved/Slagelse",
			Clusters:    []string{demoClusterID},
			Description: "integrator: pseudonymised worklists and statistics of the cluster; never citizen(cpr)"},
		{ID: ClientRegionIntegrator, Role: string(access.RoleIntegrator), Organization: regionSjaelland, OrganizationName: regionServiceName,
			Clusters:    regionClusters(w),
			Description: "integrator for the region: pseudonymised worklists and statistics of all its clusters; never citizen(cpr)"},
		{ID: ClientAnalyst, Role: string(access.RoleAnalyst), Organization: regionSjaelland, OrganizationName: regionServiceName,
			Clusters:    regionClusters(w),
			Description: "analyst (strategic and political levels): protected statistics of the region's clusters; no worklist, no citizen"},
		{ID: ClientCitizen, Role: string(access.RoleCitizen), CPR: string(demo.CPR),
			Description: "citizen: reads their own data and who looked at it"},
		{ID: ClientPrivacyOfficer, Role: string(access.RolePrivacyOfficer), Organization: regionSjaelland, OrganizationName: regionServiceName,
			Description: "privacy officer: access logs and the break-the-glass review queue; no clinical data"},
	}
	for i := range clients {
		if err := clients[i].Principal().Validate(); err != nil {
			return nil, fmt.Errorf("oidc: demo client %s: %w", clients[i].ID, err)
		}
		clients[i].ExampleCitizen = exampleCitizen(w, clients[i], demo)
	}
	return clients, nil
}

// demoDepartment picks the department of the hospital, and the demo
// citizen among its patients, that show the most: a patient the department
// may read who lives in Slagelse and, best, also has care services and
// out-of-hours contacts. Ties go to the first department and the lowest
// CPR, so the choice is a function of the world. When no department has
// such a patient, the demo citizen is the first living Slagelse resident
// with a GP.
func demoDepartment(w *population.World, h *population.Hospital) (population.Department, domain.Citizen, bool) {
	type pick struct {
		dept    population.Department
		citizen domain.Citizen
		score   int
	}
	best := pick{dept: h.Departments[0], score: -1}
	for _, d := range h.Departments {
		p := access.Principal{Subject: "probe", Role: access.RoleClinician, Organization: string(d.Org.SOR)}
		for _, cpr := range encounterPatients(w, d.Org.SOR) {
			c, ok := w.Citizen(cpr)
			if !ok || c.Address.Municipality != slagelse || c.DeceasedAt != nil || c.GP == "" || !readable(w, p, c) {
				continue
			}
			score := 0
			if len(w.ServicesOf(cpr)) > 0 {
				score++
			}
			if len(w.OutOfHoursOf(cpr)) > 0 {
				score++
			}
			if score > best.score {
				best = pick{dept: d, citizen: c, score: score}
			}
		}
	}
	if best.score >= 0 {
		return best.dept, best.citizen, true
	}
	for _, c := range w.Citizens() {
		if c.Address.Municipality == slagelse && c.DeceasedAt == nil && c.GP != "" {
			return best.dept, c, true
		}
	}
	if len(w.Citizens()) == 0 {
		return best.dept, domain.Citizen{}, false
	}
	return best.dept, w.Citizens()[0], true
}

// encounterPatients are the citizens with an encounter at the department
// or hospital sor, in CPR order.
func encounterPatients(w *population.World, sor domain.SORCode) []domain.CPR {
	var out []domain.CPR
	for _, e := range w.Encounters() {
		if e.Department.SOR == sor || e.Hospital.SOR == sor {
			out = append(out, e.CPR)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func readable(w *population.World, p access.Principal, c domain.Citizen) bool {
	return access.Rules{}.Decide(p, c.CPR, factsOf(w, p, c), w.Now()).Allowed
}

// factsOf are the facts the gateway would read for p about c.
func factsOf(w *population.World, p access.Principal, c domain.Citizen) access.Facts {
	f := access.Facts{Patient: &c}
	for _, need := range (access.Rules{}).Plan(p) {
		switch need {
		case access.FactEncounters:
			f.Encounters = w.EncountersOf(c.CPR)
		case access.FactOutOfHours:
			f.OutOfHours = w.OutOfHoursOf(c.CPR)
		case access.FactCareServices:
			code, _ := access.MunicipalityOf(p)
			for _, s := range w.ServicesOf(c.CPR) {
				if s.Municipality == code {
					f.Services = append(f.Services, s)
				}
			}
		}
	}
	return f
}

// exampleCitizen is a citizen the client may read: the client's own for a
// citizen, the demo citizen when the client may read them, else the first
// in CPR order among the citizens the client's relationship could cover.
// Integrators, analysts and privacy officers have none.
func exampleCitizen(w *population.World, c Client, demo domain.Citizen) string {
	p := c.Principal()
	switch {
	case p.Role == access.RoleCitizen:
		return c.CPR
	case !p.Role.Clinical():
		return ""
	case readable(w, p, demo):
		return string(demo.CPR)
	}
	var candidates []domain.CPR
	switch p.Role {
	case access.RoleClinician:
		candidates = encounterPatients(w, domain.SORCode(p.Organization))
	case access.RoleOutOfHoursDoctor:
		for _, o := range w.OutOfHoursContacts() {
			candidates = append(candidates, o.CPR)
		}
		slices.Sort(candidates)
		candidates = slices.Compact(candidates)
	default:
		for _, cit := range w.Citizens() {
			candidates = append(candidates, cit.CPR)
		}
	}
	for _, cpr := range candidates {
		if cit, ok := w.Citizen(cpr); ok && readable(w, p, cit) {
			return string(cpr)
		}
	}
	return ""
}

// regionClusters are the clusters of the sandbox's hospitals, sorted: every
// cluster of the simulated region.
func regionClusters(w *population.World) []string {
	var out []string
	for _, h := range w.Hospitals() {
		if h.ClusterID != "" && !slices.Contains(out, h.ClusterID) {
			out = append(out, h.ClusterID)
		}
	}
	slices.Sort(out)
	return out
}

// Reads reports whether the demo client may read the citizen under
// klynge's default rules at the world's present, with the reason the rules
// give; ok is false for a client that reads no citizen by CPR (integrators,
// privacy officers). The sandbox samples citizens per client with it
// (GET /_sandbox/citizens?for=...), so that examples name citizens their
// role may read without break-the-glass.
func (i *Issuer) Reads(clientID string, c domain.Citizen) (reads bool, reason string, ok bool) {
	client, found := i.Client(clientID)
	if !found {
		return false, "", false
	}
	p := client.Principal()
	if p.Role != access.RoleCitizen && !p.Role.Clinical() {
		return false, "", false
	}
	d := access.Rules{}.Decide(p, c.CPR, factsOf(i.opts.World, p, c), i.opts.World.Now())
	return d.Allowed, d.Reason, true
}
