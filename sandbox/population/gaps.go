package population

import (
	"time"

	"github.com/sundhedsklynge/klynge/domain"
)

// GapKind names a handover gap as docs/PATHWAYS.md does.
type GapKind string

const (
	GapMunicipalityNotNotified  GapKind = "MUNICIPALITY_NOT_NOTIFIED"
	GapNoCareVisitWithin24h     GapKind = "NO_CARE_VISIT_WITHIN_24H"
	GapOutOfHoursAfterDischarge GapKind = "OUT_OF_HOURS_AFTER_DISCHARGE"
	GapReadmittedWithin30d      GapKind = "READMITTED_WITHIN_30D"
	GapReferralRejected         GapKind = "REFERRAL_REJECTED"
	GapReferralNotAnswered      GapKind = "REFERRAL_NOT_ANSWERED"
	GapMedicationCoverEnded     GapKind = "MEDICATION_COVER_ENDED_BEFORE_GP_CONTACT"
)

// GapKinds lists every kind in the order of docs/PATHWAYS.md.
var GapKinds = []GapKind{
	GapMunicipalityNotNotified, GapNoCareVisitWithin24h, GapOutOfHoursAfterDischarge,
	GapReadmittedWithin30d, GapReferralRejected, GapReferralNotAnswered, GapMedicationCoverEnded,
}

// PlantRates are the planted rates per eligible discharge (see
// plantGaps for who is eligible); READMITTED_WITHIN_30D is planted while the
// stays are laid out, at readmissionRate.
var PlantRates = map[GapKind]float64{
	GapMunicipalityNotNotified:  0.08, // of discharges to home-nursing
	GapNoCareVisitWithin24h:     0.10, // of discharges that need care
	GapOutOfHoursAfterDischarge: 0.07, // of discharges
	GapReadmittedWithin30d:      0,    // follows from readmissionChance and the rule set's definition
	GapReferralRejected:         0.03, // of discharged pathways
	GapReferralNotAnswered:      0.03, // of discharged pathways
	GapMedicationCoverEnded:     0.10, // of discharges under the 72-hour rule
}

// Gap is one planted handover gap: the ground truth a gap finder must
// reproduce, keyed by discharge encounter and kind.
type Gap struct {
	Kind                 GapKind
	PathwayID            string // "pw-<first encounter id>"
	DischargeEncounterID string
	CPR                  domain.CPR
	Municipality         domain.MunicipalityCode
	ClusterIDs           []string
	DischargedAt         time.Time
	// DetectedAt is when the rule could first tell (docs/PATHWAYS.md).
	DetectedAt time.Time
}

// gapPlan says which gaps to plant on one pathway.
type gapPlan struct {
	notNotified, noCareVisit, outOfHours, medication bool
	referralRejected, referralNotAnswered            bool
}

// plannedGap is a gap before encounter ids exist.
type plannedGap struct {
	pathway    int
	kind       GapKind
	detectedAt time.Time
}

// planGaps decides, per discharged pathway of a citizen who stays alive, which
// gaps to plant under the citizen's rule set; only rules whose deadline has
// passed at now, and that a next stay has not ended before their deadline,
// are eligible. Each kind draws from its own stream keyed by the pathway,
// so the decisions are independent of one another.
func (g *gen) planGaps() {
	g.plans = make([]gapPlan, len(g.pathways))
	draw := map[GapKind]*stream{}
	for _, k := range GapKinds {
		draw[k] = g.streams.concern("gap/" + string(k))
	}
	passed := func(t time.Time) bool { return !t.After(g.now) }
	for pi := range g.pathways {
		pw := &g.pathways[pi]
		if !pw.discharged || pw.died() || !g.people[pw.person].diesAt.IsZero() {
			continue
		}
		r := g.rules(pw.person)
		d := pw.dischargedAt
		plan := &g.plans[pi]
		key := uint64(pi)
		backBy := func(t time.Time) bool { return !pw.readmittedAt.IsZero() && !pw.readmittedAt.After(t) }
		if due := d.Add(r.NotificationGrace); pw.destination == domain.DischargeHomeNursing && passed(due) {
			plan.notNotified = draw[GapMunicipalityNotNotified].at(key).chance(PlantRates[GapMunicipalityNotNotified])
			if plan.notNotified {
				g.plant(pi, GapMunicipalityNotNotified, due)
			}
		}
		if due := d.Add(r.CareVisitWithin); len(g.careNeeds(pi)) > 0 && passed(due) && !backBy(due) {
			plan.noCareVisit = draw[GapNoCareVisitWithin24h].at(key).chance(PlantRates[GapNoCareVisitWithin24h])
			if plan.noCareVisit {
				g.plant(pi, GapNoCareVisitWithin24h, due)
			}
		}
		if passed(d.Add(r.OutOfHoursWithin)) && !backBy(d.Add(3*time.Hour)) {
			// detectedAt is the contact's time, known once it is placed.
			plan.outOfHours = draw[GapOutOfHoursAfterDischarge].at(key).chance(PlantRates[GapOutOfHoursAfterDischarge])
		}
		if due := d.Add(r.MedicationCover()); g.extended(pi) && passed(due) && !backBy(due) {
			plan.medication = draw[GapMedicationCoverEnded].at(key).chance(PlantRates[GapMedicationCoverEnded])
			if plan.medication {
				g.plant(pi, GapMedicationCoverEnded, due)
			}
		}
		plan.referralRejected = draw[GapReferralRejected].at(key).chance(PlantRates[GapReferralRejected])
		plan.referralNotAnswered = draw[GapReferralNotAnswered].at(key).chance(PlantRates[GapReferralNotAnswered])
		if at, ok := g.readmission(pi); ok {
			g.plant(pi, GapReadmittedWithin30d, at)
		}
	}
}

// readmission is the first later stay that the rule set counts as a
// readmission after pathway pi, if any: any later pathway inside the window,
// not only the next one (a home admission the definition leaves out may come
// between).
func (g *gen) readmission(pi int) (time.Time, bool) {
	pw := &g.pathways[pi]
	if !g.countsForReadmission(pi, false) {
		return time.Time{}, false
	}
	end := pw.dischargedAt.Add(g.rules(pw.person).ReadmissionWithin)
	for _, oi := range g.pathwaysOf[pw.person] {
		o := &g.pathways[oi]
		if o.start.After(pw.dischargedAt) && !o.start.After(end) && !o.start.After(g.now) && g.countsForReadmission(oi, true) {
			return o.start, true
		}
	}
	return time.Time{}, false
}

// countsForReadmission applies the rule set's readmission definition
// (docs/PATHWAYS.md) to a pathway, as the discharge or as the new stay.
func (g *gen) countsForReadmission(pi int, asNew bool) bool {
	pw := &g.pathways[pi]
	def := g.rules(pw.person).Readmission
	if pw.psychiatric && !def.IncludePsychiatric {
		return false
	}
	switch pw.kind {
	case KindHomeAdmission:
		return def.IncludeHomeAdmissions
	case KindAcuteOutpatient:
		return def.IncludeAcuteOutpatient
	}
	return !asNew || !def.AcuteOnly || pw.acute
}

func (g *gen) plant(pi int, kind GapKind, detectedAt time.Time) {
	g.planted = append(g.planted, plannedGap{pathway: pi, kind: kind, detectedAt: detectedAt})
}
