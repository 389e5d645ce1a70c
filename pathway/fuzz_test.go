package pathway

import (
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/sundhedsklynge/klynge/domain"
)

// fuzzSource turns fuzz bytes into choices; once the bytes run out every
// choice is 0, so any input decodes.
type fuzzSource struct{ b []byte }

func (s *fuzzSource) next() int {
	if len(s.b) == 0 {
		return 0
	}
	v := int(s.b[0])
	s.b = s.b[1:]
	return v
}

func (s *fuzzSource) upTo(n int) int { return s.next() % (n + 1) }

func pick[T any](s *fuzzSource, xs ...T) T { return xs[s.next()%len(xs)] }

// at is a moment within ~40 days of the base, on a 30-minute grid, so that
// boundaries (exactly 1 h, 24 h, 72 h) are hit often; sometimes zero.
func (s *fuzzSource) at(base time.Time) time.Time {
	if s.upTo(30) == 0 {
		return time.Time{}
	}
	return base.Add(time.Duration(s.next()*8+s.upTo(7)-600) * 30 * minute)
}

func fuzzInput(data []byte) (Input, Rules, time.Time) {
	s := &fuzzSource{b: data}
	in := Input{Citizen: testCitizen()}
	if s.upTo(8) == 0 {
		d := s.at(admitted)
		in.Citizen.DeceasedAt = &d
	}
	if s.upTo(8) == 0 {
		in.Citizen.Address.Municipality = 0
	}
	codes := []domain.NotificationCode{"STAA", "STIN", "STOR", "SLOR", "SLHJ", "MORS", "RE_STIN", "RE_SLHJ",
		"AN_STIN", "AN_STAA", "AN_SLHJ", "RE_MORS", "AN_MORS", "XXXX"}
	var noteIDs []string
	for i := range s.upTo(6) {
		e := domain.Encounter{ID: "enc-" + strconv.Itoa(pick(s, i, 0, 1)), CPR: pick(s, testCPR, testCPR, otherCPR, ""),
			Class:  pick(s, domain.ClassInpatient, domain.ClassEmergency, domain.ClassHomeHealth, domain.ClassVirtual, "XX"),
			Status: pick(s, domain.EncounterFinished, domain.EncounterFinished, domain.EncounterInProgress, domain.EncounterOnLeave, domain.EncounterEnteredInError, domain.EncounterCancelled, domain.EncounterPlanned, ""),
			Start:  s.at(admitted), End: s.at(admitted), Psychiatric: s.upTo(3) == 0,
			Destination: pick(s, domain.DischargeHome, domain.DischargeHomeNursing, domain.DischargeTemporaryBed,
				domain.DischargeNursingHome, domain.DischargeOtherHospital, domain.DischargeDeceased, ""),
			Hospital: pick(s, naestved, slagelse, domain.Organization{})}
		for j := range s.upTo(5) {
			id := e.ID + "-n" + strconv.Itoa(j)
			n := domain.HospitalNotification{ID: id, EncounterID: e.ID, CPR: e.CPR, Code: pick(s, codes...),
				OccurredAt: s.at(admitted), SentAt: s.at(admitted), Receiver: homeMunicipality}
			if len(noteIDs) > 0 && s.upTo(2) > 0 {
				n.Replaces = pick(s, noteIDs...)
			}
			noteIDs = append(noteIDs, id)
			e.Notifications = append(e.Notifications, n)
			if s.upTo(2) > 0 {
				in.Received = append(in.Received, domain.ReceivedNotification{ID: "r-" + id, MessageID: pick(s, id, ""),
					EncounterID: pick(s, e.ID, "", "enc-9"), CPR: e.CPR, Municipality: pick(s, homeMunicipality, 0, 330),
					Code: n.Code, ReceivedAt: s.at(admitted)})
			}
		}
		in.Encounters = append(in.Encounters, e)
	}
	for i := range s.upTo(3) {
		in.Services = append(in.Services, domain.CareService{ID: "svc-" + strconv.Itoa(i), CPR: testCPR,
			Status: pick(s, domain.CareServiceActive, domain.CareServicePlanned, domain.CareServiceEnded),
			Start:  s.at(admitted), End: s.at(admitted), Municipality: pick(s, homeMunicipality, 0)})
	}
	for i := range s.upTo(12) {
		in.Visits = append(in.Visits, domain.CareVisit{ID: "v-" + strconv.Itoa(i), CPR: testCPR, PlannedAt: s.at(admitted),
			PerformedAt: s.at(admitted), Status: pick(s, domain.VisitPerformed, domain.VisitPlanned, domain.VisitMissed, domain.VisitCancelled)})
	}
	for i := range s.upTo(3) {
		in.OutOfHours = append(in.OutOfHours, outOfHours("ooh-"+strconv.Itoa(i), s.at(admitted)))
	}
	for i := range s.upTo(3) {
		ref := domain.Referral{ID: "ref-" + strconv.Itoa(i), CPR: testCPR, SentAt: s.at(admitted)}
		for range s.upTo(3) {
			ref.History = append(ref.History, domain.ReferralStatusChange{At: s.at(admitted),
				Status: pick(s, domain.ReferralSent, domain.ReferralReceived, domain.ReferralRejected, domain.ReferralVisitated, domain.ReferralCompleted)})
		}
		in.Referrals = append(in.Referrals, ref)
	}
	for i := range s.upTo(3) {
		in.GPContacts = append(in.GPContacts, gpContact("gp-"+strconv.Itoa(i), s.at(admitted)))
	}
	rules := DefaultRules()
	rules.ExcludePsychiatric = s.upTo(1) == 0
	rules.MedicationCoverDays = 1 + s.upTo(6)
	now := s.at(admitted)
	return in, rules, now
}

func FuzzAssemble(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte("a discharge, a transfer and a death walk into a hospital"))
	f.Add([]byte{1, 1, 2, 0, 0, 0, 80, 3, 90, 4, 1, 1, 5, 3, 0, 82, 0, 82, 1, 0, 0, 0, 200, 7, 3, 1, 1, 85, 3})
	f.Fuzz(func(t *testing.T, data []byte) {
		in, rules, now := fuzzInput(data)
		ps := Assemble(in, rules, now)
		seen := map[string]bool{}
		for _, p := range ps {
			checkInvariants(t, p, now)
			if seen[p.ID] {
				t.Errorf("duplicate pathway id %s", p.ID)
			}
			seen[p.ID] = true
		}
	})
}

// checkInvariants are the promises every pathway keeps, whatever the input.
func checkInvariants(t *testing.T, p Pathway, now time.Time) {
	t.Helper()
	if want := statusOf(p.Gaps, p.OpenDeadlines); p.Status != want {
		t.Errorf("%s: status %s disagrees with %d gaps and %d deadlines", p.ID, p.Status, len(p.Gaps), len(p.OpenDeadlines))
	}
	if len(p.Gaps) > 0 && p.Status != StatusGap {
		t.Errorf("%s: has gaps but status %s", p.ID, p.Status)
	}
	if !p.Discharged() && (len(p.Gaps) > 0 || len(p.OpenDeadlines) > 0) {
		t.Errorf("%s: ongoing pathway with gaps %v or deadlines %v", p.ID, gapKinds(p), deadlineRules(p))
	}
	kinds := map[GapKind]bool{}
	for _, g := range p.Gaps {
		if kinds[g.Kind] || !slices.Contains(GapKinds(), g.Kind) {
			t.Errorf("%s: gap kind %s repeated or unknown", p.ID, g.Kind)
		}
		kinds[g.Kind] = true
		if g.DetectedAt.After(now) || len(g.Evidence) == 0 || g.Message == "" || g.Severity == "" {
			t.Errorf("%s: gap %+v detected after now, without evidence, message or severity", p.ID, g)
		}
		if !p.DiedAt.IsZero() && !p.DiedAt.After(g.DetectedAt) {
			t.Errorf("%s: gap %s detected at %v, after the death at %v", p.ID, g.Kind, g.DetectedAt, p.DiedAt)
		}
	}
	for _, d := range p.OpenDeadlines {
		if !d.Due.After(now) && !d.Due.Equal(now) {
			t.Errorf("%s: deadline %+v already passed at %v", p.ID, d, now)
		}
	}
	for i, e := range p.Events {
		if i > 0 && e.At.Before(p.Events[i-1].At) {
			t.Errorf("%s: events out of order at %d", p.ID, i)
		}
		if e.At.Before(p.AdmittedAt) || (p.Discharged() && e.At.After(p.FollowUpUntil)) {
			t.Errorf("%s: event %+v outside the window", p.ID, e)
		}
	}
	for _, s := range p.Responsibility.Timeline {
		if !s.Until.IsZero() && !s.Until.After(s.Since) {
			t.Errorf("%s: empty or reversed span %+v", p.ID, s)
		}
	}
	if c := p.Responsibility.Current; c != nil && (!c.Covers(now) || c.Party == PartyMunicipality) {
		t.Errorf("%s: current %+v does not cover now or is not a medical party", p.ID, *c)
	}
	if p.Discharged() && p.DischargedAt.Before(p.AdmittedAt) {
		t.Errorf("%s: discharged before admitted", p.ID)
	}
}
