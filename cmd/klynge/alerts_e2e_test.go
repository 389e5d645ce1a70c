package main

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sundhedsklynge/klynge/audit"
	"github.com/sundhedsklynge/klynge/domain"
	"github.com/sundhedsklynge/klynge/sandbox"
	"github.com/sundhedsklynge/klynge/sandbox/oidc"
	"github.com/sundhedsklynge/klynge/sandbox/population"
)

const alertCluster = "sjaelland-naestved-slagelse"

// coming is what a test waits for: an alert of kind (and rule) about the
// pathway a discharge encounter ends, once the clock is at until.
type coming struct {
	kind, rule   string
	encounter    string
	municipality int
	until        time.Time
}

func (c coming) matches(a receivedAlert) bool {
	return a.Kind == c.kind && a.Pathway.DischargeEncounterID != nil && *a.Pathway.DischargeEncounterID == c.encounter &&
		(c.rule == "" || (a.Rule != nil && *a.Rule == c.rule))
}

// comingAlert finds in the sandbox's timeline the first thing after its
// present that a nurse of Slagelse or Næstved (the demo nurses'
// municipalities) must hear of: a planted gap (the discharge notification
// lost first), else a discharge to home nursing, else any discharge.
func comingAlert(t *testing.T, sb *sandbox.Sandbox) coming {
	t.Helper()
	now := sb.Clock().Add(time.Minute)
	full := sb.Timeline()
	ours := func(m domain.MunicipalityCode) bool { return m == 330 || m == 370 }
	var best *population.Gap
	for _, g := range full.Gaps() {
		if !g.DischargedAt.After(now) || !ours(g.Municipality) {
			continue
		}
		better := best == nil || (g.Kind == population.GapMunicipalityNotNotified && best.Kind != g.Kind) ||
			((g.Kind == population.GapMunicipalityNotNotified) == (best.Kind == population.GapMunicipalityNotNotified) && g.DischargedAt.Before(best.DischargedAt))
		if better {
			best = &g
		}
	}
	if best != nil && best.DetectedAt.Before(now.Add(72*time.Hour)) {
		return coming{kind: "GAP_DETECTED", rule: string(best.Kind), encounter: best.DischargeEncounterID, municipality: int(best.Municipality), until: best.DetectedAt.Add(time.Minute)}
	}
	var c coming
	nursing := false
	for _, e := range full.Encounters() {
		if e.End.IsZero() || !e.End.After(now) || e.Destination == "" || e.Destination == domain.DischargeOtherHospital || e.Class == domain.ClassVirtual {
			continue
		}
		cit, _ := full.Citizen(e.CPR)
		if !ours(cit.Address.Municipality) {
			continue
		}
		n := e.Destination == domain.DischargeHomeNursing
		if c.encounter == "" || (n && !nursing) || (n == nursing && e.End.Before(c.until)) {
			c, nursing = coming{kind: "DISCHARGED", encounter: e.ID, municipality: int(cit.Address.Municipality), until: e.End}, n
		}
	}
	if c.encounter == "" {
		t.Fatal("the sandbox's timeline has no discharge after its present in Slagelse or Næstved")
	}
	c.until = c.until.Add(time.Minute)
	return c
}

// TestAlertsReachEachSubscriberUnderTheirRights: a deadline passes with
// its condition unmet (the gateway's clock moved past it); the Slagelse
// nurse on WebSocket and the cluster's integrator on SSE both get the gap,
// the nurse with the citizen, the integrator with a pseudonym; the Næstved
// nurse gets nothing about it; every alert delivered has its access-log
// record; and an SSE client that reconnects with Last-Event-ID gets every
// later alert exactly once.
func TestAlertsReachEachSubscriberUnderTheirRights(t *testing.T) {
	t.Parallel() // its own sandbox, gateway (or processes) and event log; it mostly waits for the world's clock
	s, sb := startAlertStack(t, nil)
	integrator := demoToken(t, s.Sandbox, oidc.ClientIntegrator)
	want := comingAlert(t, sb)
	// The nurse of the citizen's municipality, and her neighbour's.
	nurse := demoToken(t, s.Sandbox, oidc.ClientNurseSlagelse)
	other := demoToken(t, s.Sandbox, oidc.ClientNurseNaestved)
	if want.municipality == 370 {
		nurse, other = other, nurse
	}

	awaitWatcher(t, alertCluster, s.Metrics)
	vars := map[string]any{"cluster": alertCluster}
	ws := wsSubscribe(t, s.GraphQL, nurse, vars)
	wsOther := wsSubscribe(t, s.GraphQL, other, vars)
	sse := sseSubscribe(t, s.GraphQL, integrator, vars, "")

	// The discharge happens (and, for a planted gap, the rule's deadline
	// passes with its condition unmet).
	advanceClock(t, s.Sandbox, want.until)
	isGap := func(m alertMsg) bool { return want.matches(m.alert(t)) }
	nurseGot := ws.until(t, 30*time.Second, isGap)
	if len(nurseGot) == 0 || !isGap(nurseGot[len(nurseGot)-1]) {
		t.Fatalf("the citizen's nurse did not get %+v (%d alerts; %v)", want, len(nurseGot), ws.Err())
	}
	gap := nurseGot[len(nurseGot)-1].alert(t)
	if gap.Pathway.Citizen == nil || gap.Pathway.Citizen.CPR == "" || gap.Pathway.Pseudonym != nil || gap.MunicipalityCode != want.municipality {
		t.Fatalf("the nurse's alert: citizen %+v, pseudonym %v, municipality %d; want the citizen and no pseudonym", gap.Pathway.Citizen, gap.Pathway.Pseudonym, gap.MunicipalityCode)
	}
	cpr := domain.CPR(strings.ReplaceAll(gap.Pathway.Citizen.CPR, "-", ""))
	target := struct{ ID string }{gap.Pathway.ID}
	t.Logf("%s %s of %s (municipality %d): the nurse got %d alerts before it", want.kind, want.rule, target.ID, want.municipality, len(nurseGot))
	// The integrator sees the same alert (the same id in the event log)
	// under its pseudonyms: no citizen, and no upstream record id it could
	// look up, so it is matched by the alert's id.
	isSameAlert := func(m alertMsg) bool { return m.alert(t).ID == gap.ID }
	intGot := sse.until(t, 30*time.Second, isSameAlert)
	if len(intGot) == 0 || !isSameAlert(intGot[len(intGot)-1]) {
		t.Fatalf("the integrator did not get the gap (%d alerts; %v)", len(intGot), sse.Err())
	}
	ig := intGot[len(intGot)-1]
	if a := ig.alert(t); a.Pathway.Citizen != nil || a.Pathway.Pseudonym == nil || !strings.HasPrefix(*a.Pathway.Pseudonym, "p-") ||
		a.Kind != want.kind || a.Pathway.ID == target.ID || a.Pathway.DischargeEncounterID == nil || *a.Pathway.DischargeEncounterID == want.encounter {
		t.Fatalf("the integrator's alert: kind %s, citizen %+v, pseudonym %v, pathway %s, encounter %v; want the same kind under pseudonyms only",
			a.Kind, a.Pathway.Citizen, a.Pathway.Pseudonym, a.Pathway.ID, a.Pathway.DischargeEncounterID)
	}
	if ig.ID == "" || ig.ID != gap.ID {
		t.Fatalf("SSE event id %q, alert id %q: want the alert's id in the event", ig.ID, gap.ID)
	}
	for _, m := range wsOther.until(t, 2*time.Second, func(alertMsg) bool { return false }) {
		if a := m.alert(t); a.Pathway.ID == target.ID || a.MunicipalityCode == want.municipality {
			t.Fatalf("the other municipality's nurse got an alert about the citizen's municipality: %+v", a)
		}
	}

	// Every alert delivered about the citizen is in the access log, as the
	// nurse's and as the integrator's (pseudonymised) reading.
	recs, err := s.gateway.access.log.Query(t.Context(), audit.Query{Citizen: cpr, First: 500})
	if err != nil {
		t.Fatal(err)
	}
	delivered := map[string]int{}
	for _, r := range recs {
		if slices.Contains(r.Fields, "Subscription.handoverAlerts") && r.Outcome == audit.OutcomeAllowed {
			delivered[r.Principal.Role]++
			if r.Principal.Role == "integrator" && !r.Pseudonymised {
				t.Errorf("the integrator's record is not marked pseudonymised: %+v", r)
			}
		}
	}
	t.Logf("access-log records of delivered alerts about the citizen: %v", delivered)
	// The integrator's alerts about the citizen are those sharing an id
	// with the nurse's (she receives every alert of her municipality).
	nurseIDs := map[string]bool{}
	for _, m := range nurseGot {
		if a := m.alert(t); a.Pathway.ID == target.ID {
			nurseIDs[a.ID] = true
		}
	}
	intAbout := 0
	for _, m := range intGot {
		if nurseIDs[m.alert(t).ID] {
			intAbout++
		}
	}
	if delivered["municipal_nurse"] < len(nurseIDs) || delivered["integrator"] < intAbout || intAbout == 0 {
		t.Fatalf("access-log records of delivered alerts %v; the nurse got %d and the integrator %d about the citizen",
			delivered, len(nurseIDs), intAbout)
	}

	// Resume: the integrator's first alert id; every later alert once.
	if len(intGot) >= 1 {
		first := intGot[0].ID
		again := sseSubscribe(t, s.GraphQL, integrator, vars, first)
		want := intGot[1:]
		got := again.until(t, 10*time.Second, func(m alertMsg) bool { return len(want) > 0 && m.ID == want[len(want)-1].ID })
		if len(want) == 0 {
			got = again.until(t, time.Second, func(alertMsg) bool { return false })
		}
		seen := map[string]bool{}
		for _, m := range got {
			if seen[m.ID] || m.ID <= first && len(m.ID) == len(first) {
				t.Fatalf("resumed after %s and got %s twice or before it", first, m.ID)
			}
			seen[m.ID] = true
		}
		for _, m := range want {
			if !seen[m.ID] {
				t.Fatalf("resumed after %s and missed %s (got %d)", first, m.ID, len(got))
			}
		}
	}
}
