package population

import (
	"time"

	"github.com/sundhedsklynge/klynge/domain"
)

// referralDraft is a referral before ids are given.
type referralDraft struct {
	person int
	domain.Referral
}

type referralReason struct {
	reason    icpc
	specialty Specialty
}

var (
	hospitalReasons = []weighted[referralReason]{
		{referralReason{icpc{"L90", "Knæartrose"}, SpecialtyOrthopaedic}, 12},
		{referralReason{icpc{"L89", "Hofteartrose"}, SpecialtyOrthopaedic}, 8},
		{referralReason{icpc{"D98", "Galdesten/galdeblærebetændelse"}, SpecialtySurgical}, 8},
		{referralReason{icpc{"D89", "Lyskebrok"}, SpecialtySurgical}, 6},
		{referralReason{icpc{"K77", "Hjerteinsufficiens"}, SpecialtyMedical}, 8},
		{referralReason{icpc{"R95", "Kronisk obstruktiv lungesygdom"}, SpecialtyMedical}, 8},
		{referralReason{icpc{"T90", "Diabetes type 2"}, SpecialtyMedical}, 6},
		{referralReason{icpc{"A04", "Træthed/svækkelse"}, SpecialtyGeriatric}, 5},
	}
	municipalReasons = []weighted[icpc]{
		{icpc{"A28", "Funktionsbegrænsning/handicap IKA"}, 10}, {icpc{"R95", "Kronisk obstruktiv lungesygdom"}, 6},
		{icpc{"K77", "Hjerteinsufficiens"}, 4}, {icpc{"T90", "Diabetes type 2"}, 5},
	}
	pprReasons       = []weighted[icpc]{{icpc{"P24", "Specifik indlæringsproblem"}, 6}, {icpc{"P22", "Bekymring for barnets adfærd"}, 6}}
	childPsychReason = []weighted[icpc]{{icpc{"P81", "Hyperkinetisk forstyrrelse"}, 6}, {icpc{"P76", "Depression"}, 3}, {icpc{"P74", "Angsttilstand"}, 4}}
	rejectionNotes   = []string{
		"Afvist: opfylder ikke visitationskriterierne",
		"Afvist: henvis til praktiserende speciallæge",
		"Afvist: mangelfulde oplysninger i henvisningen",
	}
)

// referralRates are referrals per citizen and year by kind, by age.
func referralRates(age int) (hospital, municipal, ppr, childPsych float64) {
	switch {
	case age < 6:
		return 0.05, 0, 0.02, 0
	case age < 18:
		return 0.06, 0, 0.05, 0.025
	case age < 65:
		return 0.22, 0.02, 0, 0
	case age < 80:
		return 0.40, 0.10, 0, 0
	}
	return 0.45, 0.18, 0, 0
}

// generateReferrals gives citizens their GP referrals. A referral sent
// inside any of the citizen's pathway windows is received within hours and
// never rejected, so that the only referral gaps are the planted ones;
// outside them some are rejected or lost.
func (g *gen) generateReferrals() {
	st := g.streams.concern("referrals")
	for i := range g.people {
		st.at(uint64(i))
		p := &g.people[i]
		span := g.now.Sub(g.start)
		hosp, muni, ppr, psych := referralRates(p.age)
		for k, rate := range []float64{hosp, muni, ppr, psych} {
			for range poisson(st, rate*span.Hours()/24/365) {
				at := g.start.Add(st.between(0, span)).Truncate(time.Minute)
				if !g.cal.isGPHours(at) || (!p.diesAt.IsZero() && !at.Before(p.diesAt)) {
					continue
				}
				ref := g.newReferral(st, i, []domain.ReferralKind{domain.ReferralHospital, domain.ReferralMunicipal, domain.ReferralPPR, domain.ReferralChildPsychiatry}[k], at)
				if g.inAnyPathwayWindow(i, at) {
					g.answer(st, &ref, false)
				} else {
					switch u := st.Float64(); {
					case u < 0.05:
						g.answer(st, &ref, true)
					case u < 0.055:
						// Lost: never acknowledged.
					default:
						g.answer(st, &ref, false)
					}
				}
				g.referrals = append(g.referrals, referralDraft{person: i, Referral: ref})
			}
		}
		for _, pi := range g.pathwaysOf[i] {
			g.plantedReferrals(st, pi)
		}
	}
}

func (g *gen) inAnyPathwayWindow(i int, t time.Time) bool {
	for _, pi := range g.pathwaysOf[i] {
		if w := g.window(pi); w.contains(t) || t.Equal(w.to) {
			return true
		}
	}
	return false
}

func (g *gen) newReferral(st *stream, i int, kind domain.ReferralKind, at time.Time) domain.Referral {
	p := &g.people[i]
	muni := g.munis[p.muni]
	ref := domain.Referral{
		CPR:      p.CPR,
		Kind:     kind,
		Sender:   p.GP,
		Priority: domain.PriorityRoutine,
		SentAt:   at,
		History:  []domain.ReferralStatusChange{{Status: domain.ReferralSent, At: at}},
	}
	var reason icpc
	switch kind {
	case domain.ReferralHospital:
		r := pickFrom(st, hospitalReasons)
		reason = r.reason
		dept := g.hospitals[g.homeHospital[p.muni]].department(r.specialty)
		ref.Receiver = domain.ReferralReceiver{Kind: "sor", SOR: dept.Org.SOR, Name: dept.Org.Name}
		switch u := st.Float64(); {
		case u < 0.05:
			ref.Priority = domain.PriorityAcute
		case u < 0.30:
			ref.Priority = domain.PriorityUrgent
		}
	case domain.ReferralMunicipal:
		reason = pickFrom(st, municipalReasons)
		ref.Receiver = domain.ReferralReceiver{Kind: "municipality", Municipality: muni.Code, Name: muni.Name + " Kommune, Visitationen"}
	case domain.ReferralPPR:
		reason = pickFrom(st, pprReasons)
		ref.Receiver = domain.ReferralReceiver{Kind: "municipality", Municipality: muni.Code, Name: "PPR, " + muni.Name + " Kommune"}
	case domain.ReferralChildPsychiatry:
		reason = pickFrom(st, childPsychReason)
		cp := g.hospitals[psychiatryIndex].Departments[childPsychiatry].Org
		ref.Receiver = domain.ReferralReceiver{Kind: "sor", SOR: cp.SOR, Name: cp.Name}
		if st.chance(0.3) {
			ref.Priority = domain.PriorityUrgent
		}
	}
	ref.Reason = domain.Coding{System: SystemICPC2, Code: reason.code, Display: reason.display}
	return ref
}

// answer writes the referral's history up to now: received within hours,
// then visitated and completed, or rejected.
func (g *gen) answer(st *stream, ref *domain.Referral, reject bool) {
	// The receiving system acknowledges a MedCom referral automatically
	// (a receipt within minutes); visitation and the answer take days.
	received := ref.SentAt.Add(st.between(time.Minute, 15*time.Minute)).Truncate(time.Second)
	steps := []domain.ReferralStatusChange{{Status: domain.ReferralReceived, At: received}}
	if reject {
		steps = append(steps, domain.ReferralStatusChange{
			Status: domain.ReferralRejected,
			At:     received.Add(st.between(day, 5*day)).Truncate(time.Second),
			Note:   rejectionNotes[st.IntN(len(rejectionNotes))],
		})
	} else {
		visitated := received.Add(st.between(day, 10*day)).Truncate(time.Second)
		steps = append(steps,
			domain.ReferralStatusChange{Status: domain.ReferralVisitated, At: visitated},
			domain.ReferralStatusChange{Status: domain.ReferralCompleted, At: visitated.Add(st.between(7*day, 40*day)).Truncate(time.Second)})
	}
	for _, s := range steps {
		if s.At.After(g.now) {
			break
		}
		ref.History = append(ref.History, s)
	}
}

// plantedReferrals sends the planted rejected or unanswered referral inside
// the pathway's window but outside every other pathway window of the
// citizen, early enough that the rule's deadline has passed at now.
func (g *gen) plantedReferrals(st *stream, pi int) {
	plan := g.plans[pi]
	if !plan.referralRejected && !plan.referralNotAnswered {
		return
	}
	pw := &g.pathways[pi]
	var others []interval
	for _, oi := range g.pathwaysOf[pw.person] {
		if oi != pi {
			w := g.window(oi)
			// A referral sent exactly at a window's end is inside it.
			others = append(others, interval{w.from, w.to.Add(time.Minute)})
		}
	}
	d, r := pw.dischargedAt, g.rules(pw.person)
	place := func(latest time.Time) (time.Time, bool) {
		iv := interval{d, d.Add(r.FollowUp - day)}
		if latest.Before(iv.to) {
			iv.to = latest
		}
		if !pw.readmittedAt.IsZero() && pw.readmittedAt.Before(iv.to) {
			iv.to = pw.readmittedAt // what follows belongs to the later stay
		}
		if !iv.from.Before(iv.to) {
			return time.Time{}, false
		}
		free := iv.subtract(others)
		for range 50 { // a GP sends referrals in opening hours
			if at, ok := pickIn(st, free); !ok || g.cal.isGPHours(at) {
				return at, ok
			}
		}
		return pickIn(st, free)
	}
	kind := func() domain.ReferralKind {
		if st.chance(0.5) {
			return domain.ReferralMunicipal
		}
		return domain.ReferralHospital
	}
	if plan.referralRejected {
		if at, ok := place(g.now.Add(-6 * day)); ok {
			ref := g.newReferral(st, pw.person, kind(), at)
			received := at.Add(st.between(time.Minute, 15*time.Minute)).Truncate(time.Second)
			rejected := at.Add(st.between(day, 5*day)).Truncate(time.Second)
			ref.History = append(ref.History,
				domain.ReferralStatusChange{Status: domain.ReferralReceived, At: received},
				domain.ReferralStatusChange{Status: domain.ReferralRejected, At: rejected, Note: rejectionNotes[st.IntN(len(rejectionNotes))]})
			g.referrals = append(g.referrals, referralDraft{person: pw.person, Referral: ref})
			g.plant(pi, GapReferralRejected, rejected)
		}
	}
	if plan.referralNotAnswered {
		if at, ok := place(g.now.Add(-r.ReferralAnswerWithin - time.Hour)); ok {
			ref := g.newReferral(st, pw.person, kind(), at)
			g.referrals = append(g.referrals, referralDraft{person: pw.person, Referral: ref})
			g.plant(pi, GapReferralNotAnswered, at.Add(r.ReferralAnswerWithin))
		}
	}
}
