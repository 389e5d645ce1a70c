package population

import (
	"fmt"
	"slices"

	"github.com/sundhedsklynge/klynge/domain"
)

// CitizensPerPractice is the population a GP practice serves on average.
const CitizensPerPractice = 1600

// otherClusterGPShare is the share of citizens listed with a practice in
// another cluster than their home municipality's (DOMAIN.md: a GP in the
// Nykøbing F. cluster with patients living in Næstved).
const otherClusterGPShare = 0.05

// neighbourGPShare is the share listed with a practice in another
// municipality of their own cluster.
const neighbourGPShare = 0.07

// generatePractices places about one practice per 1,600 citizens, at least
// one in every municipality, by the municipalities' shares. Ydernumre are
// synthetic 6-digit numbers.
func (g *gen) generatePractices() {
	n := max(len(g.munis), (g.cfg.Population+CitizensPerPractice/2)/CitizensPerPractice)
	weights := make([]float64, len(g.munis))
	for i, m := range g.munis {
		weights[i] = float64(m.Citizens)
	}
	counts := apportion(n, weights)
	st := g.streams.concern("practices")
	for mi, count := range counts {
		facts := municipalityFacts[mi]
		for k := range count {
			idx := len(g.practices)
			st.at(uint64(idx))
			tw := facts.towns[0]
			if k > 0 {
				tw = facts.towns[st.pick(townWeights(facts.towns))]
			}
			street := streets[st.IntN(len(streets))]
			var name string
			switch st.IntN(4) {
			case 0:
				name = "Lægerne " + street
			case 1:
				name = "Lægehuset i " + tw.name
			case 2:
				gen := 1 + st.IntN(2)
				name = "Læge " + givenMale[gen][st.IntN(len(givenMale[gen]))] + " " + pickFrom(st, familyNames)
				if st.chance(0.5) {
					name = "Læge " + givenFemale[gen][st.IntN(len(givenFemale[gen]))] + " " + pickFrom(st, familyNames)
				}
			default:
				name = tw.name + " Lægecenter"
			}
			g.practices = append(g.practices, domain.Practice{
				// Synthetic: 9 followed by five digits, spaced so that
				// neighbours do not look consecutive.
				Ydernummer:   domain.Ydernummer(fmt.Sprintf("9%05d", (idx*7919+1013)%100000)),
				Name:         name,
				Municipality: facts.code,
				Address: domain.Address{
					Line:         fmt.Sprintf("%s %d", street, 1+st.IntN(80)),
					PostalCode:   tw.postalCode,
					City:         tw.name,
					Municipality: facts.code,
				},
				Phone: fmt.Sprintf("5%07d", st.IntN(10000000)),
			})
			g.practicesOf[mi] = append(g.practicesOf[mi], idx)
		}
	}
}

// listCitizens lists each citizen with a practice: mostly in the home
// municipality, some with a neighbour in the same cluster, about 5% with a
// practice in another cluster.
func (g *gen) listCitizens() {
	st := g.streams.concern("gp-listing")
	for i := range g.people {
		p := &g.people[i]
		st.at(uint64(i))
		u := st.Float64()
		var candidates []int
		switch {
		case u < otherClusterGPShare:
			candidates = g.practicesOutsideClusters(p.muni)
		case u < otherClusterGPShare+neighbourGPShare:
			candidates = g.practicesInClustersElsewhere(p.muni)
		}
		if len(candidates) == 0 {
			candidates = g.practicesOf[p.muni]
		}
		p.practice = candidates[st.IntN(len(candidates))]
		p.GP = g.practices[p.practice].Ydernummer
	}
}

// practicesOutsideClusters lists practices in municipalities that share no
// cluster with municipality mi.
func (g *gen) practicesOutsideClusters(mi int) []int {
	if g.outsideCache[mi] == nil {
		out := []int{}
		for mj := range g.munis {
			if !sharesCluster(g.munis[mi].ClusterIDs, g.munis[mj].ClusterIDs) {
				out = append(out, g.practicesOf[mj]...)
			}
		}
		g.outsideCache[mi] = out
	}
	return g.outsideCache[mi]
}

// practicesInClustersElsewhere lists practices in other municipalities of
// municipality mi's clusters.
func (g *gen) practicesInClustersElsewhere(mi int) []int {
	if g.neighbourCache[mi] == nil {
		out := []int{}
		for mj := range g.munis {
			if mj != mi && sharesCluster(g.munis[mi].ClusterIDs, g.munis[mj].ClusterIDs) {
				out = append(out, g.practicesOf[mj]...)
			}
		}
		g.neighbourCache[mi] = out
	}
	return g.neighbourCache[mi]
}

func sharesCluster(a, b []string) bool {
	for _, x := range a {
		if slices.Contains(b, x) {
			return true
		}
	}
	return false
}
