package population

import (
	"fmt"
	"sort"
	"time"

	"github.com/sundhedsklynge/klynge/domain"
)

// person is a citizen while the world is being generated.
type person struct {
	domain.Citizen
	muni int // index into gen.munis
	age  int // at now
	// diesAt is when the citizen dies in the window (zero if not);
	// diesInHospital says the death ends a hospital stay (MORS).
	diesAt         time.Time
	diesInHospital bool
	practice       int // index into gen.practices
}

// apportion splits n over weights by largest remainder, giving every weight
// at least one (n must be at least len(weights)).
func apportion(n int, weights []float64) []int {
	total := 0.0
	for _, w := range weights {
		total += w
	}
	counts := make([]int, len(weights))
	rest := n - len(weights)
	type rem struct {
		i int
		r float64
	}
	rems := make([]rem, len(weights))
	used := 0
	for i, w := range weights {
		exact := float64(rest) * w / total
		counts[i] = 1 + int(exact)
		used += int(exact)
		rems[i] = rem{i, exact - float64(int(exact))}
	}
	sort.SliceStable(rems, func(a, b int) bool { return rems[a].r > rems[b].r })
	for k := 0; used < rest; k++ {
		counts[rems[k%len(rems)].i]++
		used++
	}
	return counts
}

func (g *gen) generateCitizens() error {
	weights := make([]float64, len(municipalityFacts))
	for i, m := range municipalityFacts {
		weights[i] = float64(m.inhabitants)
	}
	counts := apportion(g.cfg.Population, weights)
	issuer := newCPRIssuer(g.cfg.Population)
	id := g.streams.concern("identity")
	death := g.streams.concern("death")
	g.people = make([]person, 0, g.cfg.Population)
	for mi, count := range counts {
		g.munis[mi].Citizens = count
		for range count {
			idx := len(g.people)
			p, err := g.newPerson(id.at(uint64(idx)), issuer, mi)
			if err != nil {
				return fmt.Errorf("citizen %d: %w", idx, err)
			}
			g.decideDeath(death.at(uint64(idx)), &p)
			g.people = append(g.people, p)
		}
	}
	return nil
}

func (g *gen) newPerson(st *stream, issuer *cprIssuer, mi int) (person, error) {
	band := st.pick(ageBands)
	age := band*5 + st.IntN(5)
	// Birth date: age full years before now, minus up to a year.
	nowDate := time.Date(g.now.Year(), g.now.Month(), g.now.Day(), 0, 0, 0, 0, time.UTC)
	birth := nowDate.AddDate(-age, 0, 0).AddDate(0, 0, -st.IntN(365))
	age = domain.AgeAt(birth, g.now)
	sex := domain.SexMale
	if st.chance(femaleShare(age)) {
		sex = domain.SexFemale
	}
	cpr, err := issuer.issue(st, birth, sex)
	if err != nil {
		return person{}, err
	}
	gen := generation(birth.Year())
	given := givenMale[gen]
	if sex == domain.SexFemale {
		given = givenFemale[gen]
	}
	facts := municipalityFacts[mi]
	tw := facts.towns[st.pick(townWeights(facts.towns))]
	line := fmt.Sprintf("%s %d", streets[st.IntN(len(streets))], 1+st.IntN(120))
	if tw.weight >= 4 && st.chance(0.3) {
		floor := []string{"st.", "1.", "2.", "3."}[st.IntN(4)]
		line += ", " + floor + " " + []string{"th", "tv", "mf"}[st.IntN(3)]
	}
	return person{
		Citizen: domain.Citizen{
			CPR:        cpr,
			GivenName:  given[st.IntN(len(given))],
			FamilyName: pickFrom(st, familyNames),
			BirthDate:  birth,
			Sex:        sex,
			Address: domain.Address{
				Line:         line,
				PostalCode:   tw.postalCode,
				City:         tw.name,
				Municipality: facts.code,
			},
		},
		muni: mi,
		age:  age,
	}, nil
}

func townWeights(towns []town) []float64 {
	w := make([]float64, len(towns))
	for i, t := range towns {
		w[i] = t.weight
	}
	return w
}

// annualMortality is a rough Danish death rate per year by age.
func annualMortality(age int) float64 {
	switch {
	case age >= 90:
		return 0.20
	case age >= 85:
		return 0.11
	case age >= 80:
		return 0.06
	case age >= 75:
		return 0.035
	case age >= 65:
		return 0.015
	case age >= 45:
		return 0.003
	}
	return 0.0004
}

// decideDeath lets some citizens die during the window: about 1% a year
// overall, mostly the old, a little under half of them in hospital.
func (g *gen) decideDeath(st *stream, p *person) {
	windowDays := g.now.Sub(g.start).Hours() / 24
	if !st.chance(annualMortality(p.age) * windowDays / 365) {
		return
	}
	// Keep the death at least two days inside the window so a terminal
	// stay fits before it.
	p.diesAt = g.start.Add(2 * day).Add(st.between(0, g.now.Sub(g.start)-2*day)).Truncate(time.Minute)
	p.diesInHospital = st.chance(0.45)
	at := p.diesAt
	p.DeceasedAt = &at
}
