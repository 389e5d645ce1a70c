package oidc

import (
	"net/http"
	"slices"
	"testing"

	"github.com/sundhedsklynge/klynge/access"
	"github.com/sundhedsklynge/klynge/domain"
	"github.com/sundhedsklynge/klynge/sandbox/population"
)

func TestDemoClientsExistInThePopulation(t *testing.T) {
	w := testWorld(t)
	iss, base := startIssuer(t, Options{World: w})
	var listed struct {
		Secret  string   `json:"client_secret"`
		Clients []Client `json:"clients"`
	}
	if resp := getJSON(t, base+"/oidc/clients", &listed); resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /oidc/clients: %d", resp.StatusCode)
	}
	want := []string{ClientClinicianSlagelse, ClientClinicianEHospital, ClientGP, ClientNurseSlagelse, ClientNurseNaestved,
		ClientOutOfHours, ClientIntegrator, ClientRegionIntegrator, ClientAnalyst, ClientCitizen, ClientPrivacyOfficer}
	var ids []string
	for _, c := range listed.Clients {
		ids = append(ids, c.ID)
	}
	if listed.Secret != "demo" || !slices.Equal(slices.Sorted(slices.Values(ids)), slices.Sorted(slices.Values(want))) {
		t.Fatalf("listed %v with secret %q, want %v with \"demo\"", ids, listed.Secret, want)
	}
	roles := map[string]bool{}
	for _, c := range listed.Clients {
		roles[c.Role] = true
	}
	for _, r := range access.Roles {
		if !roles[string(r)] {
			t.Errorf("no demo client has role %s", r)
		}
	}

	get := func(id string) Client {
		c, ok := iss.Client(id)
		if !ok {
			t.Fatalf("no client %s", id)
		}
		return c
	}
	hospitalOf := func(sor domain.SORCode) (population.Hospital, bool) {
		for _, h := range w.Hospitals() {
			if h.Org.SOR == sor {
				return h, true
			}
			for _, d := range h.Departments {
				if d.Org.SOR == sor {
					return h, true
				}
			}
		}
		return population.Hospital{}, false
	}

	t.Run("the Slagelse clinician works at a department of Slagelse Sygehus", func(t *testing.T) {
		c := get(ClientClinicianSlagelse)
		h, ok := hospitalOf(domain.SORCode(c.Organization))
		if !ok || h.Org.Name != "Slagelse Sygehus" || h.Org.SOR == domain.SORCode(c.Organization) {
			t.Fatalf("SOR %s belongs to %+v, want a department of Slagelse Sygehus", c.Organization, h.Org)
		}
	})
	t.Run("the eHospitalet clinician's SOR is eHospitalet's", func(t *testing.T) {
		h, ok := hospitalOf(domain.SORCode(get(ClientClinicianEHospital).Organization))
		if !ok || !h.EHospital {
			t.Fatalf("SOR does not belong to eHospitalet")
		}
	})
	t.Run("the GP's practice has listed citizens, the demo citizen among them", func(t *testing.T) {
		gp, citizen := get(ClientGP), get(ClientCitizen)
		if _, ok := w.Practice(domain.Ydernummer(gp.Organization)); !ok {
			t.Fatalf("ydernummer %s is no practice of the population", gp.Organization)
		}
		c, ok := w.Citizen(domain.CPR(citizen.CPR))
		if !ok || string(c.GP) != gp.Organization {
			t.Fatal("the demo citizen is not listed at the GP client's practice")
		}
	})
	t.Run("the demo citizen lives in Slagelse and has data in all four systems", func(t *testing.T) {
		cpr := domain.CPR(get(ClientCitizen).CPR)
		c, ok := w.Citizen(cpr)
		if !ok || c.Address.Municipality != 330 {
			t.Fatal("the demo citizen does not live in 330")
		}
		if len(w.EncountersOf(cpr)) == 0 || len(w.ServicesOf(cpr)) == 0 || len(w.OutOfHoursOf(cpr)) == 0 {
			t.Fatal("the demo citizen lacks encounters, services or out-of-hours contacts")
		}
	})
	t.Run("the integrator serves a cluster of the population", func(t *testing.T) {
		c := get(ClientIntegrator)
		var clusters []string
		for _, h := range w.Hospitals() {
			clusters = append(clusters, h.ClusterID)
		}
		if len(c.Clusters) != 1 || !slices.Contains(clusters, c.Clusters[0]) {
			t.Fatalf("clusters %v, want one of %v", c.Clusters, clusters)
		}
	})
	t.Run("the region's integrator serves all four of its clusters", func(t *testing.T) {
		c := get(ClientRegionIntegrator)
		want := []string{"sjaelland-holbaek", "sjaelland-naestved-slagelse", "sjaelland-nykobing", "sjaelland-roskilde-koge"}
		if !slices.Equal(c.Clusters, want) {
			t.Fatalf("clusters %v, want %v", c.Clusters, want)
		}
	})
	t.Run("every example citizen is one the client may read", func(t *testing.T) {
		for _, c := range iss.Clients() {
			p := c.Principal()
			if c.ExampleCitizen == "" {
				if p.Role.Clinical() && p.Role != access.RoleOutOfHoursDoctor {
					t.Errorf("%s has no example citizen", c.ID)
				}
				continue
			}
			cit, ok := w.Citizen(domain.CPR(c.ExampleCitizen))
			if !ok {
				t.Fatalf("%s: example citizen unknown", c.ID)
			}
			if d := (access.Rules{}).Decide(p, cit.CPR, factsOf(w, p, cit), w.Now()); !d.Allowed {
				t.Errorf("%s may not read its example citizen: %s", c.ID, d.Reason)
			}
		}
	})
}

func TestDemoClientsInASmallPopulation(t *testing.T) {
	w, err := population.Generate(population.Config{Population: population.MinPopulation, Seed: 3, Now: testWorld(t).Now()})
	if err != nil {
		t.Fatal(err)
	}
	iss, err := New(Options{World: w})
	if err != nil {
		t.Fatalf("New with %d citizens: %v", population.MinPopulation, err)
	}
	for _, c := range iss.Clients() {
		if err := c.Principal().Validate(); err != nil {
			t.Errorf("%s: %v", c.ID, err)
		}
	}
}
