package alerts

import (
	"fmt"
	"strings"
	"time"

	"github.com/sundhedsklynge/klynge/domain"
	"github.com/sundhedsklynge/klynge/pathway"
)

// Assessed is one citizen's pathways as the watcher just assessed them,
// with the records the access facts are drawn from.
type Assessed struct {
	Citizen  domain.Citizen
	Pathways []pathway.Pathway
	// Services are the citizen's services in their home municipality.
	Services []domain.CareService
	Facts    Facts
}

// Detection are the terms of Detect.
type Detection struct {
	Cluster string
	// Now is the moment of assessment (the gateway's clock).
	Now time.Time
	// Since is the watcher's baseline: changes that happened before it are
	// not news (they were there when the watcher first looked).
	Since time.Time
	// Lead is how long before a deadline DEADLINE_APPROACHING is raised.
	Lead time.Duration
	// Reported says whether an event with the key was emitted already; a
	// resolution is owed only for a gap or deadline that was announced.
	Reported func(key string) bool
}

// Keys of events: the same change always gets the same key.
func admittedKey(p pathway.Pathway) string   { return "admitted|" + p.ID }
func dischargedKey(p pathway.Pathway) string { return "discharged|" + p.ID }
func gapKey(p pathway.Pathway, k pathway.GapKind) string {
	return "gap|" + p.ID + "|" + string(k)
}
func deadlineKey(p pathway.Pathway, d pathway.Deadline) string {
	return fmt.Sprintf("deadline|%s|%s|%d", p.ID, d.Rule, d.Due.Unix())
}
func resolvedKey(p pathway.Pathway, k pathway.GapKind) string {
	return "resolved|" + p.ID + "|" + string(k)
}

// Detect lists the events a citizen's assessment owes: an admission of a
// citizen with active municipal care, a discharge, each gap detected, each
// deadline within Lead of now, and the resolution of each gap or announced
// deadline that is gone. Changes from before Since are not news. Pathways
// whose status is UNKNOWN (a system did not answer) owe nothing: their
// rules were not evaluated, and an absent gap there is no resolution.
func Detect(a Assessed, d Detection) []Event {
	var out []Event
	for _, p := range a.Pathways {
		if p.Status == pathway.StatusUnknown {
			continue
		}
		mk := func(kind Kind, key string, at time.Time) Event {
			return Event{Key: key, Cluster: d.Cluster, Municipality: a.Citizen.Address.Municipality, Kind: kind,
				At: at, DetectedAt: d.Now, CPR: a.Citizen.CPR, Pathway: p, Facts: a.Facts}
		}
		if p.AdmittedAt.After(d.Since) && !p.AdmittedAt.After(d.Now) && activeCare(a.Services, p.AdmittedAt) {
			e := mk(KindAdmitted, admittedKey(p), p.AdmittedAt)
			e.Message = fmt.Sprintf("Admitted to %s while receiving municipal care", orgName(p.Department, p.Hospital))
			out = append(out, e)
		}
		if p.Discharged() && p.DischargedAt.After(d.Since) && !p.DischargedAt.After(d.Now) {
			e := mk(KindDischarged, dischargedKey(p), p.DischargedAt)
			e.Message = dischargeMessage(p)
			out = append(out, e)
		}
		present := map[pathway.GapKind]bool{}
		for _, g := range p.Gaps {
			present[g.Kind] = true
			if !g.DetectedAt.After(d.Since) || g.DetectedAt.After(d.Now) {
				continue
			}
			e := mk(KindGapDetected, gapKey(p, g.Kind), g.DetectedAt)
			e.Rule, e.Message = g.Kind, g.Message
			if e.Message == "" {
				e.Message = ruleText(g.Kind)
			}
			out = append(out, e)
		}
		open := map[pathway.GapKind]bool{}
		for _, dl := range p.OpenDeadlines {
			open[dl.Rule] = true
			warn := dl.Due.Add(-d.Lead)
			if d.Now.Before(warn) || !dl.Due.After(d.Now) || !dl.Due.After(d.Since) {
				continue
			}
			e := mk(KindDeadlineApproaching, deadlineKey(p, dl), maxTime(warn, d.Since))
			e.Rule, e.Due = dl.Rule, dl.Due
			e.Message = fmt.Sprintf("%s: due in %s", ruleText(dl.Rule), until(d.Now, dl.Due))
			out = append(out, e)
		}
		out = append(out, resolutions(p, present, open, d, mk)...)
	}
	return out
}

// resolutions are owed for a gap announced before and gone now, and for a
// deadline announced before that is no longer open and did not become a
// gap (its condition was met).
func resolutions(p pathway.Pathway, present, open map[pathway.GapKind]bool, d Detection, mk func(Kind, string, time.Time) Event) []Event {
	if d.Reported == nil {
		return nil
	}
	var out []Event
	for _, k := range pathway.GapKinds() {
		if present[k] || open[k] || d.Reported(resolvedKey(p, k)) {
			continue
		}
		gone := d.Reported(gapKey(p, k))
		if !gone {
			gone = d.Reported(deadlinePrefix(p, k))
		}
		if !gone {
			continue
		}
		e := mk(KindGapResolved, resolvedKey(p, k), d.Now)
		e.Rule = k
		e.Message = ruleText(k) + ": resolved"
		out = append(out, e)
	}
	return out
}

// deadlinePrefix is what Reported is asked to know a deadline of rule k
// was announced for the pathway by (any due time).
func deadlinePrefix(p pathway.Pathway, k pathway.GapKind) string {
	return "deadline|" + p.ID + "|" + string(k) + "|*"
}

// KeyMatches reports whether a stored key answers a Reported question:
// equal, or for a question ending in "|*" a key with that prefix.
func KeyMatches(question, key string) bool {
	if prefix, ok := strings.CutSuffix(question, "*"); ok {
		return strings.HasPrefix(key, prefix)
	}
	return question == key
}

func activeCare(svcs []domain.CareService, at time.Time) bool {
	for _, s := range svcs {
		if s.Status != domain.CareServicePlanned && s.ActiveAt(at) {
			return true
		}
	}
	return false
}

func dischargeMessage(p pathway.Pathway) string {
	to := map[domain.DischargeDestination]string{
		domain.DischargeHome: "home", domain.DischargeHomeNursing: "home nursing",
		domain.DischargeTemporaryBed: "a temporary municipal bed", domain.DischargeNursingHome: "a nursing home",
		domain.DischargeDeceased: "deceased",
	}[p.Destination]
	if to == "" {
		to = "the primary sector"
	}
	return fmt.Sprintf("Discharged to %s from %s", to, orgName(p.Department, p.Hospital))
}

func orgName(dept, hosp domain.Organization) string {
	switch {
	case dept.Name != "" && hosp.Name != "" && strings.Contains(dept.Name, hosp.Name):
		return dept.Name
	case dept.Name != "" && hosp.Name != "":
		return dept.Name + ", " + hosp.Name
	case hosp.Name != "":
		return hosp.Name
	case dept.Name != "":
		return dept.Name
	}
	return "hospital"
}

// ruleText names a rule for people.
func ruleText(k pathway.GapKind) string {
	switch k {
	case pathway.GapMunicipalityNotNotified:
		return "No discharge notification received by the municipality"
	case pathway.GapNoCareVisitWithin24h:
		return "No care visit after discharge"
	case pathway.GapOutOfHoursAfterDischarge:
		return "Out-of-hours contact after discharge"
	case pathway.GapReadmittedWithin30d:
		return "Readmitted after discharge"
	case pathway.GapReferralRejected:
		return "GP referral rejected"
	case pathway.GapReferralNotAnswered:
		return "GP referral not answered"
	case pathway.GapMedicationCoverEndedBeforeGP:
		return "Medication cover ends before a GP contact"
	}
	return string(k)
}

func until(now, due time.Time) string {
	d := due.Sub(now).Round(time.Minute)
	if d >= time.Hour {
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%dm", int(d.Minutes()))
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
