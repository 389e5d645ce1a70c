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
	GapReadmittedWithin30d:      readmissionRate,
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
// gaps to plant; only rules whose deadline has passed at now are eligible.
// Each kind draws from its own stream keyed by the pathway, so the decisions
// are independent of one another.
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
		d := pw.dischargedAt
		plan := &g.plans[pi]
		key := uint64(pi)
		if pw.destination == domain.DischargeHomeNursing && passed(d.Add(NotificationGrace)) {
			plan.notNotified = draw[GapMunicipalityNotNotified].at(key).chance(PlantRates[GapMunicipalityNotNotified])
			if plan.notNotified {
				g.plant(pi, GapMunicipalityNotNotified, d.Add(NotificationGrace))
			}
		}
		if g.careNeeded(pw) && passed(d.Add(CareVisitWithin)) {
			plan.noCareVisit = draw[GapNoCareVisitWithin24h].at(key).chance(PlantRates[GapNoCareVisitWithin24h])
			if plan.noCareVisit {
				g.plant(pi, GapNoCareVisitWithin24h, d.Add(CareVisitWithin))
			}
		}
		if passed(d.Add(OutOfHoursWithin)) {
			// detectedAt is the contact's time, known once it is placed.
			plan.outOfHours = draw[GapOutOfHoursAfterDischarge].at(key).chance(PlantRates[GapOutOfHoursAfterDischarge])
		}
		if pw.extendedResponsibility() && passed(d.Add(MedicationCoverDuration)) {
			plan.medication = draw[GapMedicationCoverEnded].at(key).chance(PlantRates[GapMedicationCoverEnded])
			if plan.medication {
				g.plant(pi, GapMedicationCoverEnded, d.Add(MedicationCoverDuration))
			}
		}
		plan.referralRejected = draw[GapReferralRejected].at(key).chance(PlantRates[GapReferralRejected])
		plan.referralNotAnswered = draw[GapReferralNotAnswered].at(key).chance(PlantRates[GapReferralNotAnswered])
		if !pw.readmittedAt.IsZero() {
			g.plant(pi, GapReadmittedWithin30d, pw.readmittedAt)
		}
	}
}

func (g *gen) plant(pi int, kind GapKind, detectedAt time.Time) {
	g.planted = append(g.planted, plannedGap{pathway: pi, kind: kind, detectedAt: detectedAt})
}
