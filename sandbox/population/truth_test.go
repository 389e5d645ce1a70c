package population

import (
	"fmt"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/sundhedsklynge/klynge/domain"
	"github.com/sundhedsklynge/klynge/pathway"
)

// This file recomputes the handover gaps from the generated data alone,
// following docs/PATHWAYS.md step by step, without any of the generator's
// bookkeeping, and checks that they are exactly the planted truth.

type recomputedPathway struct {
	id          string
	encounters  []domain.Encounter
	kind        PathwayKind
	start       time.Time
	ward        time.Time // admission to a ward: the STIN after a STAA, else the start
	acute       bool      // begun with STAA
	discharged  bool
	discharge   domain.Encounter
	psychiatric bool
}

// effectiveNotifications applies RE_/AN_ in the order sent.
func effectiveNotifications(e domain.Encounter) []domain.HospitalNotification {
	var eff []domain.HospitalNotification
	for _, n := range e.Notifications {
		switch {
		case n.Code.IsCancellation():
			eff = slices.DeleteFunc(eff, func(m domain.HospitalNotification) bool { return m.ID == n.Replaces })
		case n.Code.IsCorrection():
			i := slices.IndexFunc(eff, func(m domain.HospitalNotification) bool { return m.ID == n.Replaces })
			m := n
			m.Code = n.Code.Base()
			if i >= 0 {
				eff[i] = m
			} else {
				eff = append(eff, m)
			}
		default:
			eff = append(eff, n)
		}
	}
	return eff
}

func isStay(e domain.Encounter) bool {
	if e.Class == domain.ClassVirtual || e.Status == domain.EncounterEnteredInError || e.Status == domain.EncounterCancelled {
		return false
	}
	admitted := false
	for _, n := range effectiveNotifications(e) {
		if n.Code == domain.NotifyAdmitted || n.Code == domain.NotifyAcuteOutpatientStart {
			admitted = true
		}
	}
	return admitted
}

func assemblePathways(encounters []domain.Encounter, transferWindow time.Duration) []recomputedPathway {
	var stays []domain.Encounter
	for _, e := range encounters {
		if isStay(e) {
			stays = append(stays, e)
		}
	}
	sort.SliceStable(stays, func(a, b int) bool { return stays[a].Start.Before(stays[b].Start) })
	var out []recomputedPathway
	for k := 0; k < len(stays); {
		pw := recomputedPathway{id: "pw-" + stays[k].ID, start: stays[k].Start}
		pw.encounters = append(pw.encounters, stays[k])
		for k+1 < len(stays) {
			last := pw.encounters[len(pw.encounters)-1]
			next := stays[k+1]
			if last.Status == domain.EncounterFinished && last.Destination == domain.DischargeOtherHospital &&
				!next.Start.Before(last.End) && next.Start.Sub(last.End) <= transferWindow {
				pw.encounters = append(pw.encounters, next)
				k++
				continue
			}
			break
		}
		k++
		pw.kind = KindAcuteOutpatient
		pw.ward = pw.start
		eff := effectiveNotifications(pw.encounters[0])
		pw.acute = slices.ContainsFunc(eff, func(n domain.HospitalNotification) bool { return n.Code == domain.NotifyAcuteOutpatientStart })
		for _, n := range eff {
			if pw.acute && n.Code == domain.NotifyAdmitted && n.OccurredAt.After(pw.start) {
				pw.ward = n.OccurredAt
			}
		}
		for _, e := range pw.encounters {
			if e.Class == domain.ClassHomeHealth {
				pw.kind = KindHomeAdmission
			} else if e.Class == domain.ClassInpatient && pw.kind != KindHomeAdmission {
				pw.kind = KindAdmission
			}
			if e.Psychiatric {
				pw.psychiatric = true
			}
		}
		last := pw.encounters[len(pw.encounters)-1]
		if last.Status == domain.EncounterFinished && last.Destination != domain.DischargeOtherHospital {
			pw.discharged = true
			pw.discharge = last
		}
		out = append(out, pw)
	}
	return out
}

type gapKey struct {
	encounter string
	kind      GapKind
}

// recomputeGaps evaluates every rule of docs/PATHWAYS.md at now.
func recomputeGaps(w *World) map[gapKey]time.Time {
	now := w.Now()
	found := map[gapKey]time.Time{}
	for _, c := range w.Citizens() {
		encounters := w.EncountersOf(c.CPR)
		if len(encounters) == 0 {
			continue
		}
		var death time.Time
		if c.DeceasedAt != nil {
			death = *c.DeceasedAt
		}
		for _, e := range encounters {
			for _, n := range effectiveNotifications(e) {
				if n.Code == domain.NotifyDied && (death.IsZero() || n.OccurredAt.Before(death)) {
					death = n.OccurredAt
				}
			}
		}
		rules := w.RulesFor(c.Address.Municipality)
		pathways := assemblePathways(encounters, rules.TransferWindow)
		received := w.ReceivedNotificationsOf(c.CPR)
		services := w.ServicesOf(c.CPR)
		serviceCode := map[string]string{}
		for _, s := range services {
			serviceCode[s.ID] = s.Service.Code
		}
		visits := w.VisitsOf(c.CPR)
		contacts := w.OutOfHoursOf(c.CPR)
		referrals := w.ReferralsOf(c.CPR)
		gpContacts := w.GPContactsOf(c.CPR)
		counts := func(pw recomputedPathway, asNew bool) bool {
			def := rules.Readmission
			switch {
			case pw.psychiatric && !def.IncludePsychiatric:
				return false
			case pw.kind == KindHomeAdmission:
				return def.IncludeHomeAdmissions
			case pw.kind == KindAcuteOutpatient:
				return def.IncludeAcuteOutpatient
			}
			return !asNew || !def.AcuteOnly || pw.acute
		}
		for k, pw := range pathways {
			if !pw.discharged {
				continue
			}
			d := pw.discharge.End
			dest := pw.discharge.Destination
			var next time.Time // the next stay's admission takes the citizen over
			if k+1 < len(pathways) {
				next = pathways[k+1].start
			}
			backBy := func(t time.Time) bool { return !next.IsZero() && !next.After(t) }
			raise := func(kind GapKind, at time.Time) {
				if at.After(now) || !rules.Enabled(pathway.GapKind(kind)) {
					return // deadline not passed, or a rule the cluster does not use
				}
				if !death.IsZero() && !death.After(at) {
					return // no gaps once the citizen has died
				}
				k := gapKey{pw.discharge.ID, kind}
				if prev, ok := found[k]; !ok || at.Before(prev) {
					found[k] = at
				}
			}
			// MUNICIPALITY_NOT_NOTIFIED
			notified := false
			for _, r := range received {
				if r.EncounterID == pw.discharge.ID && r.Municipality == c.Address.Municipality &&
					(r.Code == domain.NotifyDischarged || r.Code == "RE_"+domain.NotifyDischarged) &&
					!r.ReceivedAt.After(d.Add(rules.NotificationGrace)) {
					notified = true
				}
			}
			if !notified {
				raise(GapMunicipalityNotNotified, d.Add(rules.NotificationGrace))
			}
			// NO_CARE_VISIT_WITHIN_24H: every need must have a visit for a
			// service that meets it.
			if due := d.Add(rules.CareVisitWithin); !backBy(due) {
				for _, need := range rules.CareNeeds {
					needed := slices.Contains(need.Destinations, dest)
					for _, s := range services {
						needed = needed || s.ActiveAt(d) && codeMatches(s.Service.Code, need.Services)
					}
					met := false
					for _, v := range visits {
						code, known := serviceCode[v.ServiceID]
						if v.Status == domain.VisitPerformed && !v.PerformedAt.Before(d) && !v.PerformedAt.After(due) &&
							(!known || codeMatches(code, need.MetBy)) {
							met = true
						}
					}
					if needed && !met {
						raise(GapNoCareVisitWithin24h, due)
					}
				}
			}
			// OUT_OF_HOURS_AFTER_DISCHARGE
			for _, o := range contacts {
				if o.ReceivedAt.After(d) && !o.ReceivedAt.After(d.Add(rules.OutOfHoursWithin)) && !backBy(o.ReceivedAt) {
					raise(GapOutOfHoursAfterDischarge, o.ReceivedAt)
				}
			}
			// READMITTED_WITHIN_30D
			for _, other := range pathways {
				if other.id != pw.id && other.start.After(d) && !other.start.After(d.Add(rules.ReadmissionWithin)) &&
					counts(pw, false) && counts(other, true) {
					raise(GapReadmittedWithin30d, other.start)
				}
			}
			// REFERRAL_REJECTED and REFERRAL_NOT_ANSWERED
			windowEnd := d.Add(rules.FollowUp)
			for _, r := range referrals {
				if r.SentAt.Before(pw.start) || r.SentAt.After(windowEnd) || backBy(r.SentAt) {
					continue
				}
				answered := false
				for _, h := range r.History {
					if h.Status == domain.ReferralRejected {
						raise(GapReferralRejected, h.At)
					}
					if h.Status != domain.ReferralSent && !h.At.After(r.SentAt.Add(rules.ReferralAnswerWithin)) {
						answered = true
					}
				}
				if !answered {
					raise(GapReferralNotAnswered, r.SentAt.Add(rules.ReferralAnswerWithin))
				}
			}
			// MEDICATION_COVER_ENDED_BEFORE_GP_CONTACT under the 72-hour rule
			nursingAtHome := false
			for _, s := range services {
				nursingAtHome = nursingAtHome || dest == domain.DischargeHome && s.ActiveAt(d) && codeMatches(s.Service.Code, rules.NursingServices)
			}
			adult := rules.ExtendedResponsibilityMinAge == 0 || domain.AgeAt(c.BirthDate, d) >= rules.ExtendedResponsibilityMinAge
			rule72 := (pw.kind == KindAdmission || pw.kind == KindHomeAdmission) && !(pw.psychiatric && rules.ExcludePsychiatric) &&
				d.Sub(pw.ward) > rules.ExtendedResponsibilityMinStay && adult && (dest.NeedsMunicipalCare() || nursingAtHome)
			if due := d.Add(rules.MedicationCover()); rule72 && !backBy(due) {
				contacted := false
				for _, gc := range gpContacts {
					if !gc.At.Before(d) && !gc.At.After(due) {
						contacted = true
					}
				}
				if !contacted {
					raise(GapMedicationCoverEnded, due)
				}
			}
		}
	}
	return found
}

func TestPlantedGapsAreExactlyWhatTheRulesFind(t *testing.T) {
	for _, tc := range []struct {
		population int
		seed       int64
		now        time.Time
	}{
		{20000, 1, time.Date(2025, 11, 20, 12, 0, 0, 0, time.UTC)},
		{5000, 7, time.Date(2026, 3, 29, 1, 0, 0, 0, time.UTC)}, // the night clocks go forward
		{3000, 42, time.Date(2025, 12, 27, 18, 0, 0, 0, time.UTC)},
	} {
		t.Run(fmt.Sprintf("population %d seed %d", tc.population, tc.seed), func(t *testing.T) {
			w, err := Generate(Config{Population: tc.population, Seed: tc.seed, Now: tc.now})
			if err != nil {
				t.Fatal(err)
			}
			truth := map[gapKey]Gap{}
			for _, g := range w.Gaps() {
				k := gapKey{g.DischargeEncounterID, g.Kind}
				if _, dup := truth[k]; dup {
					t.Errorf("truth lists %s on %s twice", g.Kind, g.DischargeEncounterID)
				}
				truth[k] = g
			}
			found := recomputeGaps(w)
			for k, at := range found {
				g, ok := truth[k]
				if !ok {
					t.Errorf("rules find %s on %s (detected %s) but it was not planted", k.kind, k.encounter, at)
					continue
				}
				if !g.DetectedAt.Equal(at) {
					t.Errorf("%s on %s: planted detectedAt %s, rules detect it at %s", k.kind, k.encounter, g.DetectedAt, at)
				}
			}
			for k := range truth {
				if _, ok := found[k]; !ok {
					t.Errorf("planted %s on %s is not found by the rules", k.kind, k.encounter)
				}
			}
			if tc.population == 20000 {
				for _, kind := range GapKinds {
					n := 0
					for k := range truth {
						if k.kind == kind {
							n++
						}
					}
					if n == 0 {
						t.Errorf("no %s planted at default population", kind)
					}
				}
			}
		})
	}
}

func TestPlantedTruthDescribesThePathway(t *testing.T) {
	w := defaultWorld(t)
	for _, g := range w.Gaps() {
		e, ok := w.Encounter(g.DischargeEncounterID)
		if !ok {
			t.Fatalf("gap names unknown encounter %s", g.DischargeEncounterID)
		}
		c, _ := w.Citizen(g.CPR)
		switch {
		case e.CPR != g.CPR:
			t.Errorf("gap %s: encounter belongs to another citizen", g.DischargeEncounterID)
		case !e.End.Equal(g.DischargedAt):
			t.Errorf("gap %s: dischargedAt %s, encounter ended %s", g.DischargeEncounterID, g.DischargedAt, e.End)
		case c.Address.Municipality != g.Municipality:
			t.Errorf("gap %s: municipality %d, citizen lives in %d", g.DischargeEncounterID, g.Municipality, c.Address.Municipality)
		case len(g.ClusterIDs) == 0:
			t.Errorf("gap %s: no cluster", g.DischargeEncounterID)
		case g.DetectedAt.After(w.Now()) || g.DetectedAt.Before(g.DischargedAt):
			t.Errorf("gap %s %s: detectedAt %s outside [discharge, now]", g.DischargeEncounterID, g.Kind, g.DetectedAt)
		case c.DeceasedAt != nil:
			t.Errorf("gap %s planted on a citizen who died", g.DischargeEncounterID)
		}
		if _, err := fmt.Sscanf(g.PathwayID, "pw-enc-%d", new(int)); err != nil {
			t.Errorf("pathway id %q is not pw-<encounter id>", g.PathwayID)
		}
	}
}
