package main

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sundhedsklynge/klynge/sandbox/controls"
	"github.com/sundhedsklynge/klynge/sandbox/oidc"
	"github.com/sundhedsklynge/klynge/sandbox/population"
)

// accessNow pins the sandbox's present, so that the test can generate the
// same world and pick citizens by their facts.
const accessNow = "2026-03-10T12:00:00Z"

// accessDemo is a demo with a token for every demo client and the world
// behind it.
type accessDemo struct {
	*demo
	world   *population.World
	clients map[string]oidc.Client
	tokens  map[string]string
	// unrelated is a citizen no demo client has a relationship with: lives
	// outside Slagelse, listed elsewhere, no encounters, services or
	// out-of-hours contacts.
	unrelated string
}

func startAccessDemo(t *testing.T) *accessDemo {
	t.Helper()
	d := startDemo(t, "-population", "20000", "-now", accessNow)
	now, _ := time.Parse(time.RFC3339, accessNow)
	w, err := population.Generate(population.Config{Population: 20000, Seed: 1, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	a := &accessDemo{demo: d, world: w, clients: demoClients(t, d.Sandbox), tokens: map[string]string{}}
	for id := range a.clients {
		a.tokens[id] = demoToken(t, d.Sandbox, id)
	}
	gp := a.clients[oidc.ClientGP].Organization
	for _, c := range w.Citizens() {
		if c.Address.Municipality != 330 && string(c.GP) != gp && c.DeceasedAt == nil &&
			len(w.EncountersOf(c.CPR)) == 0 && len(w.ServicesOf(c.CPR)) == 0 && len(w.OutOfHoursOf(c.CPR)) == 0 {
			a.unrelated = string(c.CPR)
			break
		}
	}
	if a.unrelated == "" {
		t.Fatal("the population has no citizen unrelated to every demo client")
	}
	return a
}

const contextQuery = `query($cpr: CPR!) { citizen(cpr: $cpr) { cpr name hospitalEncounters { totalCount } } }`

// outcome is what a caller got for one field: "allowed", or the error code.
func outcome(t *testing.T, r gqlResponse, field string) string {
	t.Helper()
	for _, e := range r.Errors {
		if len(e.Path) > 0 && e.Path[0] == field {
			code, _ := e.Extensions["code"].(string)
			if code == "FORBIDDEN" && !strings.HasPrefix(e.Message, "forbidden: ") {
				t.Errorf("a refusal must say why: %q", e.Message)
			}
			return code
		}
	}
	if len(r.Errors) > 0 {
		t.Fatalf("unexpected errors: %+v", r.Errors)
	}
	var data map[string]json.RawMessage
	if err := json.Unmarshal(r.Data, &data); err != nil || string(data[field]) == "null" {
		t.Fatalf("%s: no error and no data: %s", field, r.Data)
	}
	return "allowed"
}

// TestRoleMatrix: every role against its related citizen, an unrelated
// citizen and the demo citizen's own data, for the citizen context, the
// access log and the break-the-glass review queue.
func TestRoleMatrix(t *testing.T) {
	a := startAccessDemo(t)
	own := a.clients[oidc.ClientCitizen].CPR
	const (
		allowed   = "allowed"
		forbidden = "FORBIDDEN"
	)
	tests := []struct {
		client      string
		related     string // reading its example citizen ("" when the role has none)
		unrelated   string
		ownContext  string // reading the citizen client's CPR
		ownLog      string // accessLog of the citizen client's CPR
		reviewQueue string
	}{
		{oidc.ClientClinicianSlagelse, allowed, forbidden, "", forbidden, forbidden},
		{oidc.ClientClinicianEHospital, allowed, forbidden, "", forbidden, forbidden},
		{oidc.ClientGP, allowed, forbidden, allowed, forbidden, forbidden},
		{oidc.ClientNurseSlagelse, allowed, forbidden, allowed, forbidden, forbidden},
		{oidc.ClientOutOfHours, allowed, forbidden, "", forbidden, forbidden},
		{oidc.ClientIntegrator, "", forbidden, forbidden, forbidden, forbidden},
		{oidc.ClientCitizen, allowed, forbidden, allowed, allowed, forbidden},
		{oidc.ClientPrivacyOfficer, "", forbidden, forbidden, allowed, allowed},
	}
	for _, tt := range tests {
		t.Run(tt.client, func(t *testing.T) {
			token, c := a.tokens[tt.client], a.clients[tt.client]
			ctx := func(cpr string) string {
				return outcome(t, queryAs(t, a.GraphQL, token, contextQuery, map[string]any{"cpr": cpr}), "citizen")
			}
			if tt.related != "" {
				if c.ExampleCitizen == "" {
					t.Fatalf("%s has no example citizen in this population", tt.client)
				}
				if got := ctx(c.ExampleCitizen); got != tt.related {
					t.Errorf("context of a related citizen: %s, want %s", got, tt.related)
				}
			}
			if got := ctx(a.unrelated); got != tt.unrelated {
				t.Errorf("context of an unrelated citizen: %s, want %s", got, tt.unrelated)
			}
			if tt.ownContext != "" {
				if got := ctx(own); got != tt.ownContext {
					t.Errorf("context of the demo citizen: %s, want %s", got, tt.ownContext)
				}
			}
			r := queryAs(t, a.GraphQL, token, `query($cpr: CPR!) { accessLog(cpr: $cpr, first: 5) { nodes { seq } } }`, map[string]any{"cpr": own})
			if got := outcome(t, r, "accessLog"); got != tt.ownLog {
				t.Errorf("access log of the demo citizen: %s, want %s", got, tt.ownLog)
			}
			r = queryAs(t, a.GraphQL, token, `{ breakGlassReview { nodes { id } } }`, nil)
			if got := outcome(t, r, "breakGlassReview"); got != tt.reviewQueue {
				t.Errorf("review queue: %s, want %s", got, tt.reviewQueue)
			}
		})
	}

	t.Run("the access log holds every read and refusal with why", func(t *testing.T) {
		log := readAccessLog(t, a, a.unrelated)
		refused := map[string]string{}
		for _, e := range log {
			if e.Outcome == "DENIED" && slices.Contains(e.Fields, "Query.citizen") {
				refused[e.Principal.Subject] = e.Reason
			}
			if e.Outcome == "ALLOWED" && e.Purpose != "ADMINISTRATION" {
				t.Errorf("the unrelated citizen's data was disclosed to %s: %+v", e.Principal.Subject, e)
			}
		}
		for _, tt := range tests {
			if reason, ok := refused[tt.client]; !ok || reason == "" {
				t.Errorf("no refusal with a reason recorded for %s (got %q)", tt.client, reason)
			}
		}
		if r := refused[oidc.ClientGP]; !strings.Contains(r, "not listed at your practice") {
			t.Errorf("gp refusal reason %q", r)
		}

		mine := readAccessLog(t, a, own)
		var nurse *accessEntry
		for i := range mine {
			if mine[i].Principal.Subject == oidc.ClientNurseSlagelse && mine[i].Outcome == "ALLOWED" {
				nurse = &mine[i]
			}
		}
		if nurse == nil {
			t.Fatal("the nurse's read of the demo citizen is not in their access log")
		}
		if nurse.Purpose != "TREATMENT" || !slices.Contains(nurse.Fields, "Citizen.hospitalEncounters") ||
			!slices.Contains(nurse.Sources, "ehospital") || nurse.Principal.Organization != "330" || nurse.RequestID == "" {
			t.Errorf("nurse's record %+v: want treatment, the fields and sources read, the organisation and request id", *nurse)
		}
	})

	t.Run("the worklist is for integrators of the cluster, pseudonymised", func(t *testing.T) {
		q := `query($id: ID!) { cluster(id: $id) { pathways(first: 5) { nodes { pseudonym citizen { cpr } } } } }`
		for id, token := range a.tokens {
			r := queryAs(t, a.GraphQL, token, q, map[string]any{"id": "sjaelland-naestved-slagelse"})
			c := a.clients[id]
			if c.Role != "integrator" || !slices.Contains(c.Clusters, "sjaelland-naestved-slagelse") {
				if got := outcome(t, r, "cluster"); got != forbidden {
					t.Errorf("%s: worklist %s, want %s", id, got, forbidden)
				}
				continue
			}
			// The integrator gets the worklist: pseudonyms, no citizen, no
			// CPR, and no error (a null citizen is the pseudonymised shape).
			if len(r.Errors) > 0 {
				t.Errorf("integrator's worklist: errors %+v", r.Errors)
			}
			page := decode[struct {
				Cluster struct {
					Pathways struct {
						Nodes []struct {
							Pseudonym *string
							Citizen   *struct{ Cpr string }
						}
					}
				}
			}](t, gqlResponse{Data: r.Data})
			for _, n := range page.Cluster.Pathways.Nodes {
				if n.Citizen != nil || n.Pseudonym == nil || !strings.HasPrefix(*n.Pseudonym, "p-") {
					t.Errorf("integrator's worklist node: citizen %v, pseudonym %v; want a pseudonym only", n.Citizen, n.Pseudonym)
				}
			}
			if containsCPR(string(r.Data)) {
				t.Errorf("the integrator's worklist shows a CPR: %.300s", r.Data)
			}
		}
		r := queryAs(t, a.GraphQL, a.tokens[oidc.ClientIntegrator], q, map[string]any{"id": "sjaelland-holbaek"})
		if len(r.Errors) == 0 {
			t.Error("an integrator read another cluster's worklist")
		}
	})
}

// TestRefusedCallerCostsOnlyTheCheck: a caller without a relationship who
// asks for everything costs exactly the reads of the relationship check,
// and nothing of the citizen's clinical data.
func TestRefusedCallerCostsOnlyTheCheck(t *testing.T) {
	a := startAccessDemo(t)
	everything := `query($cpr: CPR!) { citizen(cpr: $cpr) {
		name address { line } gp { name } hospitalEncounters { totalCount } outOfHoursContacts { totalCount }
		careServices { totalCount } careVisits { totalCount } notificationsReceived { totalCount }
		referrals { totalCount } timeline { totalCount } sources { system ok } } }`
	tests := []struct {
		client string
		want   map[string]string // system → the one route the check may use
	}{
		{oidc.ClientClinicianSlagelse, map[string]string{"ehospital": "Encounter"}},
		{oidc.ClientGP, map[string]string{"ehospital": "Patient"}},
		{oidc.ClientNurseSlagelse, map[string]string{"ehospital": "Patient", "municipal/330": "services"}},
		{oidc.ClientOutOfHours, map[string]string{"outofhours": "contacts"}},
		{oidc.ClientIntegrator, nil},
		{oidc.ClientPrivacyOfficer, nil},
		{oidc.ClientCitizen, nil},
	}
	for _, tt := range tests {
		t.Run(tt.client, func(t *testing.T) {
			resetStats(t, a.demo)
			r := queryAs(t, a.GraphQL, a.tokens[tt.client], everything, map[string]any{"cpr": a.unrelated})
			if outcome(t, r, "citizen") != "FORBIDDEN" {
				t.Fatalf("the unrelated citizen was not refused: %s", r.Data)
			}
			stats := sandboxGet[controls.Stats](t, a.demo, "/_sandbox/stats")
			for system, s := range stats.Systems {
				want, ok := tt.want[system]
				if !ok {
					t.Errorf("%s was asked (%d requests) although the caller was refused", system, s.Requests)
					continue
				}
				for route, rs := range s.Routes {
					if !strings.Contains(route, want) || rs.Requests != 1 {
						t.Errorf("%s: %d requests to %s; the check may only read %s, once", system, rs.Requests, route, want)
					}
				}
			}
			for system := range tt.want {
				if stats.Requests(system) == 0 {
					t.Errorf("%s was not asked: the check cannot have read what its rule needs", system)
				}
			}
		})
	}
}

type accessEntry struct {
	Seq       string
	RequestID string `json:"requestId"`
	Principal struct {
		Subject, Role, Organization string
	}
	Purpose, Outcome, Reason string
	Fields, Sources          []string
	FlaggedForReview         bool
}

// readAccessLog pages through a citizen's access log as the privacy officer.
func readAccessLog(t *testing.T, a *accessDemo, cpr string) []accessEntry {
	t.Helper()
	var out []accessEntry
	var after any
	for {
		r := queryAs(t, a.GraphQL, a.tokens[oidc.ClientPrivacyOfficer],
			`query($cpr: CPR!, $after: String) { accessLog(cpr: $cpr, first: 100, after: $after) {
				nodes { seq requestId principal { subject role organization } purpose outcome reason fields sources flaggedForReview }
				pageInfo { hasNextPage endCursor } } }`, map[string]any{"cpr": cpr, "after": after})
		page := decode[struct {
			AccessLog struct {
				Nodes    []accessEntry
				PageInfo struct {
					HasNextPage bool
					EndCursor   string
				}
			}
		}](t, r).AccessLog
		out = append(out, page.Nodes...)
		if !page.PageInfo.HasNextPage {
			return out
		}
		after = page.PageInfo.EndCursor
	}
}

// containsCPR reports a synthetic CPR (day of birth + 60), plain or
// hyphenated, anywhere in s.
func containsCPR(s string) bool { return syntheticCPR.MatchString(s) }
