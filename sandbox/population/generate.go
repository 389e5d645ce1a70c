package population

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/sundhedsklynge/klynge/domain"
	"github.com/sundhedsklynge/klynge/pathway"
	"github.com/sundhedsklynge/klynge/registry"
)

// Config says what to generate. The sandbox applies its defaults before
// calling Generate; here every field must be set.
type Config struct {
	Population int
	Seed       int64
	Now        time.Time
	// Registry supplies cluster membership; nil loads the embedded one.
	Registry *registry.Registry
	// Rules are the handover rule sets the world is kept clean by and its
	// gaps are planted for: each citizen follows the rule set of their
	// municipality's cluster(s). The zero RuleBook means the defaults.
	Rules pathway.RuleBook
	// History is how far back the world reaches; zero means Window.
	History time.Duration
}

// Window is how far back the world's history reaches from now.
const Window = 120 * day

// MinPopulation gives every municipality at least one citizen.
const MinPopulation = 17

// gen holds the world while it is generated.
type gen struct {
	cfg        Config
	now, start time.Time
	cal        calendar
	streams    streams
	reg        *registry.Registry

	munis        []Municipality
	homeHospital []int           // per municipality: index of its cluster's acute hospital
	muniRules    []pathway.Rules // per municipality: its cluster's rule set
	hospitals    []Hospital

	people         []person
	practices      []domain.Practice
	practicesOf    [][]int
	outsideCache   [][]int
	neighbourCache [][]int

	stays      []stayDraft
	pathways   []pathwayDraft
	pathwaysOf [][]int
	services   []serviceDraft
	servicesOf [][]int
	plans      []gapPlan
	planted    []plannedGap

	visits       []visitRec
	visitOffsets []int32
	ooh          []oohDraft
	referrals    []referralDraft
	gpContacts   []gpContactDraft
}

// Generate builds the world for cfg. It is deterministic: the same
// (Population, Seed, Now) give the same world.
func Generate(cfg Config) (*World, error) {
	if cfg.Population < MinPopulation {
		return nil, fmt.Errorf("population: population must be at least %d (one citizen per municipality), got %d", MinPopulation, cfg.Population)
	}
	if cfg.Now.IsZero() {
		return nil, fmt.Errorf("population: now must be set")
	}
	loc, err := Copenhagen()
	if err != nil {
		return nil, fmt.Errorf("population: %w", err)
	}
	if cfg.Registry == nil {
		if cfg.Registry, err = registry.Load(); err != nil {
			return nil, fmt.Errorf("population: %w", err)
		}
	}
	now := cfg.Now.UTC().Truncate(time.Second)
	g := &gen{
		cfg:     cfg,
		now:     now,
		start:   now.Add(-cmp.Or(cfg.History, Window)),
		cal:     calendar{loc: loc},
		streams: streams{seed: uint64(cfg.Seed)},
		reg:     cfg.Registry,
	}
	if err := g.setUpRegion(); err != nil {
		return nil, fmt.Errorf("population: %w", err)
	}
	if err := g.generateCitizens(); err != nil {
		return nil, fmt.Errorf("population: citizens: %w", err)
	}
	// From here on a citizen's index is its place in CPR order, and every
	// concern draws from a stream keyed by it.
	g.sortPeopleByCPR()
	g.generatePractices()
	g.listCitizens()
	g.generateStays()
	g.plantShapes()
	g.indexPathways()
	g.servicesOf = make([][]int, len(g.people))
	g.generateCare()
	g.planGaps()
	g.visitOffsets = make([]int32, len(g.people)+1)
	g.generateVisits()
	g.generateOutOfHours()
	g.generateReferrals()
	g.generateGPContacts()
	g.generateVirtualContacts()
	return g.build(loc), nil
}

// setUpRegion reads the 17 municipalities' cluster memberships from the
// registry and ties each to its cluster's acute hospital.
func (g *gen) setUpRegion() error {
	g.hospitals = buildHospitals()
	for _, f := range municipalityFacts {
		m, ok := g.reg.Municipality(f.code)
		if !ok || m.RegionCode != RegionSjaelland {
			return fmt.Errorf("registry has no municipality %d in region %d", f.code, RegionSjaelland)
		}
		var clusters []string
		for _, c := range g.reg.ClustersOf(f.code) {
			clusters = append(clusters, c.ID)
		}
		home := -1
		for hi, h := range g.hospitals {
			if h.ClusterID != "" && slices.Contains(clusters, h.ClusterID) {
				home = hi
				break
			}
		}
		if home < 0 {
			return fmt.Errorf("municipality %d (%s) belongs to no cluster with a known acute hospital (clusters %v)", f.code, f.name, clusters)
		}
		g.munis = append(g.munis, Municipality{Code: f.code, Name: m.Name, ClusterIDs: clusters})
		g.homeHospital = append(g.homeHospital, home)
		g.muniRules = append(g.muniRules, g.cfg.Rules.ForClusters(clusters))
	}
	n := len(g.munis)
	g.practicesOf = make([][]int, n)
	g.outsideCache = make([][]int, n)
	g.neighbourCache = make([][]int, n)
	return nil
}

// rules is the rule set citizen i's pathways are judged by.
func (g *gen) rules(i int) *pathway.Rules { return &g.muniRules[g.people[i].muni] }

func (g *gen) indexPathways() {
	g.pathwaysOf = make([][]int, len(g.people))
	for pi := range g.pathways {
		p := g.pathways[pi].person
		g.pathwaysOf[p] = append(g.pathwaysOf[p], pi)
	}
}

// sortPeopleByCPR sorts through an index: people are large values.
func (g *gen) sortPeopleByCPR() {
	order := make([]int32, len(g.people))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int { return cmp.Compare(g.people[a].CPR, g.people[b].CPR) })
	sorted := make([]person, len(g.people))
	for i, k := range order {
		sorted[i] = g.people[k]
	}
	g.people = sorted
}
