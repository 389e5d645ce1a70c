package main

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/sundhedsklynge/klynge/access"
	"github.com/sundhedsklynge/klynge/config"
	"github.com/sundhedsklynge/klynge/connectors/ehospital"
	"github.com/sundhedsklynge/klynge/connectors/gpreferral/gpreferralapi"
	"github.com/sundhedsklynge/klynge/connectors/municipal/municipalapi"
	"github.com/sundhedsklynge/klynge/connectors/outofhours/outofhoursapi"
	"github.com/sundhedsklynge/klynge/docs/queries"
	"github.com/sundhedsklynge/klynge/sandbox"
	"github.com/sundhedsklynge/klynge/sandbox/controls"
	"github.com/sundhedsklynge/klynge/sandbox/oidc"
	"github.com/sundhedsklynge/klynge/sandbox/sandboxtest"
)

// truthStack is the demo's sandbox and gateway with the gateway's clock
// frozen at the sandbox's present, so that every deadline is judged at the
// moment the sandbox planted its gaps for.
func truthStack(t *testing.T, population int) (*demo, time.Time) {
	t.Helper()
	return truthStackWith(t, population, 1, nil)
}

// truthStackWith is truthStack for a seed and a tuned configuration (the
// sandbox follows the tuned pathway rules as the gateway does).
//
// These tests check what the worklist says and what it costs in requests,
// not how fast it says it: a 120-day worklist of a large cluster reads
// every history of some 450 citizens, which under -race on a loaded
// two-core machine takes several seconds per request. So the stack's
// deadlines (request, upstream call and attempt) are the longest the
// configuration allows, instead of the production defaults (10 s, 5 s,
// 2 s) that would turn a slow machine into UPSTREAM_TIMEOUT — or, through
// a retried attempt, into an extra upstream request. The deadlines
// themselves are tested in deadline_e2e_test.go.
func truthStackWith(t *testing.T, population int, seed int64, tune func(*config.Config)) (*demo, time.Time) {
	t.Helper()
	return truthStackConfig(t, sandbox.Config{Population: population, Seed: seed}, tune)
}

// truthStackConfig is truthStackWith with more of the sandbox's
// configuration (History for the statistics).
func truthStackConfig(t *testing.T, cfg sandbox.Config, tune func(*config.Config)) (*demo, time.Time) {
	t.Helper()
	cfg.Now, cfg.Logger = sandboxtest.Now(t), newLogger(&syncBuffer{})
	ctx, cancel := context.WithCancel(context.Background())
	var now time.Time
	patient := func(c *config.Config) error {
		c.Server.RequestTimeout = config.Duration(5 * time.Minute)
		c.Upstreams.Defaults.CallTimeout = config.Duration(4 * time.Minute)
		c.Upstreams.Defaults.Timeout = config.Duration(4 * time.Minute)
		if tune != nil {
			tune(c)
		}
		return nil
	}
	st, err := startDemoStack(ctx, cfg, "127.0.0.1:0", "127.0.0.1:0", patient,
		func(sandboxNow time.Time) func() time.Time {
			now = sandboxNow
			return func() time.Time { return sandboxNow }
		})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- st.serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		<-served
		st.gateway.Close()
	})
	return &demo{GraphQL: st.gatewayListener.URL() + "/graphql", Sandbox: st.sandboxListener.URL()}, now
}

type worklistPage struct {
	Cluster struct {
		Pathways struct {
			TotalCount int
			PageInfo   struct {
				HasNextPage bool
				EndCursor   *string
			}
			Nodes []struct {
				ID                   string
				Pseudonym            *string
				Citizen              *struct{ Cpr string }
				Status               string
				DischargedAt         string
				DischargeEncounterID string
				Gaps                 []struct{ Kind string }
				MissingSources       []string
				Responsibility       struct {
					Current *struct{ Party string }
				}
			}
		}
	}
}

const worklistQuery = `query($id: ID!, $after: String, $filter: PathwayFilter) {
  cluster(id: $id) {
    pathways(filter: $filter, first: 100, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes { id pseudonym citizen { cpr } status dischargedAt dischargeEncounterId gaps { kind } missingSources responsibility { current { party } } }
    }
  }
}`

// worklist pages through a cluster's worklist as the given token.
func worklist(t *testing.T, d *demo, token, cluster string, filter map[string]any) []string {
	t.Helper()
	var gaps []string
	var after any
	for {
		p := decode[worklistPage](t, queryAs(t, d.GraphQL, token, worklistQuery, map[string]any{"id": cluster, "after": after, "filter": filter}))
		for _, n := range p.Cluster.Pathways.Nodes {
			if n.Citizen != nil || n.Pseudonym == nil || *n.Pseudonym == "" {
				t.Fatalf("an integrator's worklist shows a citizen or no pseudonym: %+v", n)
			}
			if n.Status == "UNKNOWN" {
				t.Fatalf("pathway %s is UNKNOWN (missing %v) with every system up", n.ID, n.MissingSources)
			}
			if (n.Status == "GAP") != (len(n.Gaps) > 0) {
				t.Errorf("pathway %s: status %s with %d gaps", n.ID, n.Status, len(n.Gaps))
			}
			for _, g := range n.Gaps {
				gaps = append(gaps, n.DischargeEncounterID+" "+g.Kind)
			}
		}
		if !p.Cluster.Pathways.PageInfo.HasNextPage {
			return gaps
		}
		after = *p.Cluster.Pathways.PageInfo.EndCursor
	}
}

// TestWorklistFindsExactlyThePlantedGaps compares, for each of Region
// Sjælland's four clusters, the gaps the worklist reports over the
// sandbox's whole history with the gaps the sandbox planted: every planted
// gap found (recall 100%), none reported on a pathway generated clean
// (precision 100%).
func TestWorklistFindsExactlyThePlantedGaps(t *testing.T) {
	for _, tc := range []struct {
		population int
		seed       int64
	}{{20000, 1}, {10000, 7}} {
		t.Run(fmt.Sprintf("seed %d, %d citizens", tc.seed, tc.population), func(t *testing.T) {
			d, now := truthStackWith(t, tc.population, tc.seed, nil)
			compareWorklistsWithTruth(t, d, now, []string{"sjaelland-holbaek", "sjaelland-naestved-slagelse", "sjaelland-nykobing", "sjaelland-roskilde-koge"})
		})
	}
}

// TestTwoClustersWithDifferentRuleSets: Næstved/Slagelse runs its own rule
// set (96 hours, STAA and home admissions count as readmissions, unanswered
// referrals not followed up) beside the default in one run; each cluster's
// worklist matches the truth the sandbox keeps under that cluster's rules,
// and the gaps name the rule set that found them.
func TestTwoClustersWithDifferentRuleSets(t *testing.T) {
	yes := true
	d, now := truthStackWith(t, 20000, 1, func(c *config.Config) {
		c.Pathways.Clusters = map[string]config.PathwayRules{"sjaelland-naestved-slagelse": {
			RuleSet: "naestved-slagelse", Version: "2026.1", ExtendedResponsibility: config.Duration(96 * time.Hour),
			Readmission:   config.Readmission{IncludeAcuteOutpatient: &yes, IncludeHomeAdmissions: &yes},
			DisabledRules: []string{"REFERRAL_NOT_ANSWERED"},
		}}
	})
	byKind := compareWorklistsWithTruth(t, d, now, []string{"sjaelland-holbaek", "sjaelland-naestved-slagelse"})
	local, national := byKind["sjaelland-naestved-slagelse"], byKind["sjaelland-holbaek"]
	if local["REFERRAL_NOT_ANSWERED"] != 0 || national["REFERRAL_NOT_ANSWERED"] == 0 {
		t.Errorf("REFERRAL_NOT_ANSWERED: %d in the cluster that switched it off, %d in the default", local["REFERRAL_NOT_ANSWERED"], national["REFERRAL_NOT_ANSWERED"])
	}
	token := demoToken(t, d.Sandbox, oidc.ClientRegionIntegrator)
	r := queryAs(t, d.GraphQL, token, `query($id: ID!, $f: PathwayFilter) { cluster(id: $id) { pathways(filter: $f, first: 1) { nodes { ruleSet ruleSetVersion gaps { ruleSet ruleSetVersion } } } } }`,
		map[string]any{"id": "sjaelland-naestved-slagelse", "f": map[string]any{"status": []string{"GAP"},
			"dischargedAfter": now.Add(-120 * 24 * time.Hour).Format(time.RFC3339), "dischargedBefore": now.Add(time.Second).Format(time.RFC3339)}})
	got := decode[struct {
		Cluster struct {
			Pathways struct {
				Nodes []struct {
					RuleSet, RuleSetVersion string
					Gaps                    []struct{ RuleSet, RuleSetVersion string }
				}
			}
		}
	}](t, r)
	if n := got.Cluster.Pathways.Nodes; len(n) != 1 || n[0].RuleSet != "naestved-slagelse" || n[0].Gaps[0].RuleSetVersion != "2026.1" {
		t.Errorf("the cluster's gaps do not name its rule set: %+v", n)
	}
}

// compareWorklistsWithTruth checks each cluster's worklist over the
// sandbox's whole history against its planted truth, and returns the gap
// counts by kind per cluster.
func compareWorklistsWithTruth(t *testing.T, d *demo, now time.Time, clusters []string) map[string]map[string]int {
	t.Helper()
	token := demoToken(t, d.Sandbox, oidc.ClientRegionIntegrator)
	filter := map[string]any{
		"dischargedAfter":  now.Add(-120 * 24 * time.Hour).Format(time.RFC3339),
		"dischargedBefore": now.Add(time.Second).Format(time.RFC3339),
	}
	total := map[string]int{}
	out := map[string]map[string]int{}
	for _, cluster := range clusters {
		out[cluster] = map[string]int{}
		t.Run(cluster, func(t *testing.T) {
			truth := sandboxGet[controls.TruthGaps](t, d, "/_sandbox/truth/gaps?cluster="+cluster)
			var want []string
			for _, g := range truth.Gaps {
				// The integrator sees the encounter under its pseudonym.
				want = append(want, integratorRef(t, oidc.ClientRegionIntegrator, g.DischargeEncounterID)+" "+string(g.Kind))
				total[string(g.Kind)]++
				out[cluster][string(g.Kind)]++
			}
			got := worklist(t, d, token, cluster, filter)
			sort.Strings(want)
			sort.Strings(got)
			if len(want) == 0 {
				t.Fatal("the sandbox planted no gaps in this cluster")
			}
			for _, w := range want {
				if _, found := slices.BinarySearch(got, w); !found {
					t.Errorf("planted gap not found: %s", w)
				}
			}
			for _, g := range got {
				if _, planted := slices.BinarySearch(want, g); !planted {
					t.Errorf("gap reported on a pathway generated clean: %s", g)
				}
			}
			t.Logf("%s: %d planted, %d found", cluster, len(want), len(got))
		})
	}
	t.Logf("planted gaps by kind: %v", total)
	return out
}

// TestWorklistCostsOneRequestPerInstancePerLevel: the Næstved/Slagelse
// worklist over 30 days costs the pages of the discharge search, then for
// the citizens it found one request per upstream system instance per
// dependency level — per chunk of that upstream's batch limit, since no
// request may ask for more keys than the upstream takes (100 CPRs for
// eHospitalet and the municipal systems, 200 for Lægevagten and the GP
// referral feed). Counted by the sandbox: each route's requests are exactly
// its keys divided into chunks, and every citizen is asked for once per
// route (the same number of keys on every route of a level).
func TestWorklistCostsOneRequestPerInstancePerLevel(t *testing.T) {
	d, _ := truthStack(t, 20000)
	token := demoToken(t, d.Sandbox, oidc.ClientIntegrator)
	resetStats(t, d)
	r := queryAs(t, d.GraphQL, token, queries.Must("worklist.graphql"), map[string]any{"cluster": "sjaelland-naestved-slagelse"})
	got := decode[struct {
		Cluster struct {
			Pathways struct {
				TotalCount int
				Nodes      []struct{ ID string }
			}
		}
	}](t, r)
	if got.Cluster.Pathways.TotalCount == 0 {
		t.Fatal("an empty worklist proves nothing")
	}
	st := sandboxGet[controls.Stats](t, d, "/_sandbox/stats")
	// The citizens the discharge search found: every one of them is a key
	// of the patient search, once.
	citizens := st.Route("ehospital", "POST /ehospital/fhir/Patient/_search").Keys.Total
	if citizens == 0 {
		t.Fatal("no patient records were read")
	}
	perRoute := map[string]int{} // keys asked per route pattern, summed over instances
	for system, s := range st.Systems {
		for pattern, rs := range s.Routes {
			limit, searches := worklistBatchLimit(system, pattern)
			switch {
			case limit < 0:
				continue // next pages of a search
			case limit == 0:
				t.Errorf("%s %s: %d requests; the worklist has no business there", system, pattern, rs.Requests)
				continue
			}
			perRoute[pattern] += rs.Keys.Total
			chunks := (rs.Keys.Total + limit - 1) / limit
			if rs.Requests != searches+chunks {
				t.Errorf("%s %s: %d requests for %d keys, want %d search(es) without keys and %d chunk(s) of at most %d keys",
					system, pattern, rs.Requests, rs.Keys.Total, searches, chunks, limit)
			}
			if rs.Keys.Max > limit {
				t.Errorf("%s %s: a request asked for %d keys, beyond the upstream's limit of %d", system, pattern, rs.Keys.Max, limit)
			}
		}
	}
	for _, pattern := range []string{
		"POST /ehospital/fhir/Encounter/_search", "POST /outofhours/api/v1/contacts/search",
		"POST /gpreferral/referrals/search", "POST /gpreferral/contacts/search",
		"POST /municipal/{code}/api/services/search", "POST /municipal/{code}/api/visits/search", "POST /municipal/{code}/api/notifications/search",
	} {
		if perRoute[pattern] != citizens {
			t.Errorf("%s asked for %d citizens, the patient search for %d: each citizen once per route", pattern, perRoute[pattern], citizens)
		}
	}
	t.Logf("worklist of %d pathways, %d citizens: %d upstream requests in all", got.Cluster.Pathways.TotalCount, citizens, st.TotalRequests())
}

// worklistBatchLimit is, for a route the worklist reads by key, the
// upstream's limit of keys per request and the requests it takes without
// keys (the discharge search); -1 for next pages, 0 for a route the
// worklist should not use.
func worklistBatchLimit(system, pattern string) (limit, searches int) {
	switch {
	case strings.Contains(pattern, "_getpages") || pattern == "GET /ehospital/fhir":
		return -1, 0
	case pattern == "POST /ehospital/fhir/Patient/_search":
		return ehospital.DefaultPageSize, 0
	case pattern == "POST /ehospital/fhir/Encounter/_search":
		return ehospital.DefaultPageSize, 1
	case pattern == "POST /outofhours/api/v1/contacts/search":
		return outofhoursapi.MaxCPRsPerSearch, 0
	case pattern == "POST /gpreferral/referrals/search", pattern == "POST /gpreferral/contacts/search":
		return gpreferralapi.MaxCPRsPerSearch, 0
	case pattern == "POST /gpreferral/practices/lookup":
		return gpreferralapi.MaxPracticesLookup, 0
	case strings.HasPrefix(system, "municipal/") && strings.HasSuffix(pattern, "/search"):
		return municipalapi.MaxCPRsPerSearch, 0
	}
	return 0, 0
}

func TestClusterDataIsForIntegratorsOfThatCluster(t *testing.T) {
	d, _ := truthStack(t, 3000)
	q := `query($id: ID!) { cluster(id: $id) { pathways(first: 1) { totalCount } } }`
	tests := []struct {
		client, cluster, want string
	}{
		{oidc.ClientIntegrator, "sjaelland-naestved-slagelse", ""},
		{oidc.ClientIntegrator, "sjaelland-holbaek", "FORBIDDEN"},
		{oidc.ClientClinicianSlagelse, "sjaelland-naestved-slagelse", "FORBIDDEN"},
		{oidc.ClientPrivacyOfficer, "sjaelland-naestved-slagelse", "FORBIDDEN"},
		{"", "sjaelland-naestved-slagelse", "UNAUTHENTICATED"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s reads %s", tt.client, tt.cluster), func(t *testing.T) {
			token := ""
			if tt.client != "" {
				token = demoToken(t, d.Sandbox, tt.client)
			}
			r := queryAs(t, d.GraphQL, token, q, map[string]any{"id": tt.cluster})
			if tt.want == "" {
				if len(r.Errors) > 0 {
					t.Fatalf("errors: %+v", r.Errors)
				}
				return
			}
			if len(r.Errors) == 0 || r.codes()[0] != tt.want {
				t.Fatalf("errors %+v, want %s", r.Errors, tt.want)
			}
		})
	}
}

// TestWorklistWindowErrorsBlameTheArgumentSet: a window that is too long or
// reversed names the argument the caller actually set, and says days.
func TestWorklistWindowErrorsBlameTheArgumentSet(t *testing.T) {
	d := startDemo(t)
	token := demoToken(t, d.Sandbox, oidc.ClientIntegrator)
	now := sandboxtest.Now(t)
	day := 24 * time.Hour
	at := func(d time.Duration) string { return now.Add(d).Format(time.RFC3339) }
	tests := []struct {
		name      string
		filter    map[string]any
		wantField string
		wantText  []string
	}{
		{"only dischargedAfter, 276 days back", map[string]any{"dischargedAfter": at(-276 * day)}, "filter.dischargedAfter",
			[]string{"the window from filter.dischargedAfter to now may span at most 180 days, got 276", " days"}},
		{"both, 200 days apart", map[string]any{"dischargedAfter": at(-210 * day), "dischargedBefore": at(-10 * day)}, "filter.dischargedAfter",
			[]string{"from filter.dischargedAfter to filter.dischargedBefore may span at most 180 days, got 200 days"}},
		{"dischargedAfter in the future", map[string]any{"dischargedAfter": at(day)}, "filter.dischargedAfter",
			[]string{"must be before now"}},
		{"reversed", map[string]any{"dischargedAfter": at(-5 * day), "dischargedBefore": at(-6 * day)}, "filter.dischargedAfter",
			[]string{"must be before filter.dischargedBefore"}},
	}
	const q = `query($c: ID!, $f: PathwayFilter) { cluster(id: $c) { pathways(filter: $f) { totalCount } } }`
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := queryAs(t, d.GraphQL, token, q, map[string]any{"c": "sjaelland-naestved-slagelse", "f": tt.filter})
			if !slices.Equal(r.codes(), []string{"BAD_USER_INPUT"}) {
				t.Fatalf("errors %+v", r.Errors)
			}
			e := r.Errors[0]
			if e.Extensions["field"] != tt.wantField {
				t.Errorf("field %v, want %s (%s)", e.Extensions["field"], tt.wantField, e.Message)
			}
			for _, w := range tt.wantText {
				if !strings.Contains(e.Message, w) {
					t.Errorf("message %q lacks %q", e.Message, w)
				}
			}
		})
	}
}

// integratorRef is the pseudonym the demo gives an upstream record id in an
// integrator's view (access.Pseudonymiser.Ref under the demo's secret).
func integratorRef(t *testing.T, integrator, id string) string {
	t.Helper()
	ps, err := access.NewPseudonymiser([]byte(demoPseudonymSecret))
	if err != nil {
		t.Fatal(err)
	}
	r, err := ps.Ref(integrator, id)
	if err != nil {
		t.Fatal(err)
	}
	return r
}
