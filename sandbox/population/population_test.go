package population

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sundhedsklynge/klynge/domain"
)

func TestEveryMunicipalityHasCitizens(t *testing.T) {
	for _, n := range []int{MinPopulation, 100, 20000} {
		w := defaultWorld(t)
		if n != 20000 {
			var err error
			if w, err = Generate(Config{Population: n, Seed: 3, Now: testNow}); err != nil {
				t.Fatal(err)
			}
		}
		count := map[domain.MunicipalityCode]int{}
		for _, c := range w.Citizens() {
			count[c.Address.Municipality]++
		}
		if len(w.Municipalities()) != 17 {
			t.Fatalf("%d municipalities, want Region Sjælland's 17", len(w.Municipalities()))
		}
		for _, m := range w.Municipalities() {
			if count[m.Code] == 0 || count[m.Code] != m.Citizens {
				t.Errorf("population %d: municipality %d has %d citizens (world says %d)", n, m.Code, count[m.Code], m.Citizens)
			}
		}
		if len(w.Citizens()) != n {
			t.Errorf("population %d: generated %d citizens", n, len(w.Citizens()))
		}
	}
}

func TestTooSmallPopulationIsRefused(t *testing.T) {
	if _, err := Generate(Config{Population: 16, Seed: 1, Now: testNow}); err == nil {
		t.Fatal("16 citizens cannot cover 17 municipalities, but Generate accepted it")
	}
}

func TestEveryCPRIsASyntheticReplacementNumber(t *testing.T) {
	w := defaultWorld(t)
	seen := map[domain.CPR]bool{}
	for _, c := range w.Citizens() {
		parsed, err := domain.ParseCPR(string(c.CPR))
		if err != nil {
			t.Fatalf("generated CPR does not parse: %v", err)
		}
		switch {
		case !parsed.IsReplacement():
			t.Errorf("CPR %s: day of birth is not +60", c.CPR.Masked())
		case !parsed.BirthDate().Equal(c.BirthDate):
			t.Errorf("CPR %s: encodes birth %s, citizen born %s", c.CPR.Masked(), parsed.BirthDate().Format(time.DateOnly), c.BirthDate.Format(time.DateOnly))
		case parsed.Sex() != c.Sex:
			t.Errorf("CPR %s: last digit says %s, citizen is %s", c.CPR.Masked(), parsed.Sex(), c.Sex)
		case seen[c.CPR]:
			t.Errorf("CPR %s issued twice", c.CPR.Masked())
		}
		seen[c.CPR] = true
	}
	if !slices.IsSortedFunc(w.Citizens(), func(a, b domain.Citizen) int { return compareStrings(string(a.CPR), string(b.CPR)) }) {
		t.Error("citizens are not in CPR order")
	}
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func TestAgesLookDanish(t *testing.T) {
	w := defaultWorld(t)
	old, children := 0, 0
	for _, c := range w.Citizens() {
		switch age := c.CPR.AgeAt(w.Now()); {
		case age >= 65:
			old++
		case age < 18:
			children++
		}
	}
	n := float64(len(w.Citizens()))
	if share := float64(old) / n; share < 0.20 || share > 0.30 {
		t.Errorf("65+ share %.3f, want 0.20-0.30", share)
	}
	if share := float64(children) / n; share < 0.15 || share > 0.25 {
		t.Errorf("under-18 share %.3f, want 0.15-0.25", share)
	}
}

func TestCitizensHaveDanishAddressesInTheirMunicipality(t *testing.T) {
	w := defaultWorld(t)
	postal := map[domain.MunicipalityCode][]string{}
	for _, f := range municipalityFacts {
		for _, tw := range f.towns {
			postal[f.code] = append(postal[f.code], tw.postalCode+" "+tw.name)
		}
	}
	for _, c := range w.Citizens()[:2000] {
		if !slices.Contains(postal[c.Address.Municipality], c.Address.PostalCode+" "+c.Address.City) {
			t.Fatalf("citizen %s lives at %s %s, not a postal district of municipality %d", c.CPR.Masked(), c.Address.PostalCode, c.Address.City, c.Address.Municipality)
		}
		if c.GivenName == "" || c.FamilyName == "" || c.Address.Line == "" {
			t.Fatalf("citizen %s lacks a name or address", c.CPR.Masked())
		}
	}
}

func TestGPPractices(t *testing.T) {
	w, err := Generate(Config{Population: 80000, Seed: 5, Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	t.Run("about one practice per 1,600 citizens", func(t *testing.T) {
		if n := len(w.Practices()); n != 50 {
			t.Errorf("%d practices for 80,000 citizens, want 50", n)
		}
	})
	clusters := map[domain.MunicipalityCode][]string{}
	for _, m := range w.Municipalities() {
		clusters[m.Code] = m.ClusterIDs
	}
	t.Run("every citizen is listed with an existing practice, about 5% in another cluster", func(t *testing.T) {
		other := 0
		for _, c := range w.Citizens() {
			p, ok := w.Practice(c.GP)
			if !ok {
				t.Fatalf("citizen %s listed with unknown practice %s", c.CPR.Masked(), c.GP)
			}
			if !sharesCluster(clusters[c.Address.Municipality], clusters[p.Municipality]) {
				other++
			}
		}
		if share := float64(other) / float64(len(w.Citizens())); share < 0.035 || share > 0.065 {
			t.Errorf("share listed in another cluster %.3f, want about 0.05", share)
		}
	})
	t.Run("ydernumre are unique six-digit numbers", func(t *testing.T) {
		seen := map[domain.Ydernummer]bool{}
		for _, p := range w.Practices() {
			if len(p.Ydernummer) != 6 || seen[p.Ydernummer] {
				t.Errorf("ydernummer %q is not a unique 6-digit number", p.Ydernummer)
			}
			seen[p.Ydernummer] = true
			if _, ok := clusters[p.Municipality]; !ok {
				t.Errorf("practice %s lies outside the region (%d)", p.Ydernummer, p.Municipality)
			}
		}
	})
}

func TestStays(t *testing.T) {
	w := defaultWorld(t)
	stays, ongoing := 0, 0
	classes := map[domain.EncounterClass]int{}
	destinations := map[domain.DischargeDestination]int{}
	codes := map[domain.NotificationCode]int{}
	for _, e := range w.Encounters() {
		classes[e.Class]++
		if e.Class != domain.ClassVirtual && e.Status != domain.EncounterEnteredInError {
			stays++
		}
		if e.Ongoing() {
			ongoing++
			if e.Status != domain.EncounterInProgress && e.Status != domain.EncounterOnLeave {
				t.Errorf("%s has no end but status %s", e.ID, e.Status)
			}
		}
		if e.Status == domain.EncounterFinished && e.End.After(w.Now()) {
			t.Errorf("%s finished after now", e.ID)
		}
		destinations[e.Destination]++
		ids := map[string]bool{}
		for _, n := range e.Notifications {
			codes[n.Code]++
			if !n.Code.Valid() {
				t.Errorf("%s: invalid notification code %s", e.ID, n.Code)
			}
			if n.SentAt.After(w.Now()) {
				t.Errorf("%s: notification sent after now", e.ID)
			}
			if n.Replaces != "" && !ids[n.Replaces] {
				t.Errorf("%s: %s replaces %s, which was not sent before it", e.ID, n.Code, n.Replaces)
			}
			if n.Code.IsCancellation() && e.Status != domain.EncounterEnteredInError {
				t.Errorf("%s: cancelled by %s but status %s", e.ID, n.Code, e.Status)
			}
			ids[n.ID] = true
		}
	}
	// Readmissions at published rates (a sixth of the old's admissions
	// come back within 30 days) add to the stays the age rates start.
	if stays < 1000 || stays > 1800 {
		t.Errorf("%d stays in 120 days for 20,000 citizens, want 1,000-1,800", stays)
	}
	if ongoing == 0 {
		t.Error("no current admissions")
	}
	for _, c := range []domain.EncounterClass{domain.ClassInpatient, domain.ClassEmergency, domain.ClassHomeHealth, domain.ClassVirtual} {
		if classes[c] == 0 {
			t.Errorf("no encounters of class %s", c)
		}
	}
	for _, d := range []domain.DischargeDestination{domain.DischargeHome, domain.DischargeHomeNursing, domain.DischargeTemporaryBed, domain.DischargeNursingHome, domain.DischargeOtherHospital, domain.DischargeDeceased} {
		if destinations[d] == 0 {
			t.Errorf("no discharges to %s", d)
		}
	}
	for _, c := range []domain.NotificationCode{"STAA", "STIN", "STOR", "SLOR", "SLHJ", "MORS", "RE_STIN", "RE_SLHJ", "AN_STIN"} {
		if codes[c] == 0 {
			t.Errorf("no %s notifications", c)
		}
	}
}

func TestNothingHappensAfterDeath(t *testing.T) {
	w := defaultWorld(t)
	dead := 0
	for _, c := range w.Citizens() {
		if c.DeceasedAt == nil {
			continue
		}
		dead++
		death := *c.DeceasedAt
		for _, e := range w.EncountersOf(c.CPR) {
			if e.Start.After(death) || (!e.End.IsZero() && e.End.After(death)) || e.Ongoing() {
				t.Errorf("%s runs past its patient's death", e.ID)
			}
		}
		for _, o := range w.OutOfHoursOf(c.CPR) {
			if o.ReceivedAt.After(death) {
				t.Errorf("%s after death", o.ID)
			}
		}
		for _, v := range w.VisitsOf(c.CPR) {
			if !v.PlannedAt.Before(death) {
				t.Errorf("%s planned after death", v.ID)
			}
		}
		for _, g := range w.GPContactsOf(c.CPR) {
			if !g.At.Before(death) {
				t.Errorf("%s after death", g.ID)
			}
		}
	}
	if dead < 30 || dead > 120 {
		t.Errorf("%d deaths among 20,000 in 120 days, want about 65", dead)
	}
}

func TestOutOfHoursContactsAreOutOfHours(t *testing.T) {
	w := defaultWorld(t)
	cal := calendar{loc: w.Location()}
	for _, o := range w.OutOfHoursContacts() {
		if !cal.IsOutOfHours(o.ReceivedAt) {
			t.Errorf("%s received %s, when the own GP is open", o.ID, o.ReceivedAt.In(w.Location()))
		}
		if o.ReceivedAt.After(w.Now()) {
			t.Errorf("%s received after now", o.ID)
		}
	}
	if n := len(w.OutOfHoursContacts()); n < 1000 {
		t.Errorf("only %d out-of-hours contacts", n)
	}
}

func TestOpeningHours(t *testing.T) {
	loc, err := Copenhagen()
	if err != nil {
		t.Fatal(err)
	}
	cal := calendar{loc: loc}
	for _, tc := range []struct {
		name string
		at   time.Time
		want bool
	}{
		{"Tuesday 10:00 is the own GP's", time.Date(2025, 11, 18, 10, 0, 0, 0, loc), false},
		{"Tuesday 16:00 is Lægevagten's", time.Date(2025, 11, 18, 16, 0, 0, 0, loc), true},
		{"Tuesday 07:59 is Lægevagten's", time.Date(2025, 11, 18, 7, 59, 0, 0, loc), true},
		{"Saturday noon is Lægevagten's", time.Date(2025, 11, 22, 12, 0, 0, 0, loc), true},
		{"Good Friday noon is Lægevagten's", time.Date(2025, 4, 18, 12, 0, 0, 0, loc), true},
		{"Easter Monday noon is Lægevagten's", time.Date(2026, 4, 6, 12, 0, 0, 0, loc), true},
		{"Ascension Day noon is Lægevagten's", time.Date(2025, 5, 29, 12, 0, 0, 0, loc), true},
		{"Christmas Eve noon is Lægevagten's", time.Date(2025, 12, 24, 12, 0, 0, 0, loc), true},
		{"the former Store Bededag 2025 is a working day", time.Date(2025, 5, 16, 12, 0, 0, 0, loc), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := cal.IsOutOfHours(tc.at); got != tc.want {
				t.Errorf("IsOutOfHours(%s) = %v, want %v", tc.at, got, tc.want)
			}
		})
	}
}

func TestCareAndVisits(t *testing.T) {
	w := defaultWorld(t)
	withServices, visits := 0, 0
	codes := map[string]int{}
	for _, c := range w.Citizens() {
		services := w.ServicesOf(c.CPR)
		if len(services) > 0 {
			withServices++
		}
		for _, s := range services {
			codes[s.Service.Code]++
			if s.Municipality != c.Address.Municipality {
				t.Errorf("%s delivered by %d to a citizen of %d", s.ID, s.Municipality, c.Address.Municipality)
			}
		}
		for _, v := range w.VisitsOf(c.CPR) {
			visits++
			if v.Status == domain.VisitPerformed && (v.PerformedAt.IsZero() || v.PerformedAt.After(w.Now())) {
				t.Errorf("%s performed at %s (now %s)", v.ID, v.PerformedAt, w.Now())
			}
			if v.Status != domain.VisitPerformed && !v.PerformedAt.IsZero() {
				t.Errorf("%s is %s but has a performed time", v.ID, v.Status)
			}
			if v.PlannedAt.After(w.Now().Add(visitAhead)) {
				t.Errorf("%s planned beyond the week ahead", v.ID)
			}
		}
	}
	if withServices < 600 || withServices > 2500 {
		t.Errorf("%d of 20,000 citizens have municipal services", withServices)
	}
	for _, code := range []string{"H1.1", "H1.7", "G1.17", "G1.20", "G1.39"} {
		if codes[code] == 0 {
			t.Errorf("no %s services", code)
		}
	}
	if visits != w.VisitCount() {
		t.Errorf("VisitsOf covers %d visits, world holds %d", visits, w.VisitCount())
	}
}

// TestOneGrantPerNeed: a municipality grants a service once for a need — a
// second grant of the same service over the same days would send two visits
// where the citizen needs one — and a citizen who moves into a nursing home
// is cared for by its staff from the move on, not by the home-care teams
// as well.
func TestOneGrantPerNeed(t *testing.T) {
	w := defaultWorld(t)
	for _, c := range w.Citizens() {
		ss := w.ServicesOf(c.CPR)
		for a := range ss {
			for _, o := range ss[a+1:] {
				x := ss[a]
				if x.Service.Code == o.Service.Code && x.Start.Before(openEnd(o.End)) && o.Start.Before(openEnd(x.End)) {
					t.Errorf("%s is granted twice at once: %s from %s (%s) and %s from %s (%s)", x.Service.Code, x.ID, x.Start, x.Team, o.ID, o.Start, o.Team)
				}
			}
		}
	}
	moves := 0
	for _, e := range w.Encounters() {
		if e.Destination != domain.DischargeNursingHome || e.Status != domain.EncounterFinished {
			continue
		}
		moves++
		for _, s := range w.ServicesOf(e.CPR) {
			if s.ActiveAt(e.End) && !strings.HasPrefix(s.Team, "Plejecenter ") {
				t.Errorf("%s moved into a nursing home at %s, but %s %s of %s runs on", e.ID, e.End, s.ID, s.Service.Code, s.Team)
			}
		}
	}
	if moves == 0 {
		t.Fatal("no discharge to a nursing home: the test shows nothing")
	}
}

func TestReferralsHaveHistories(t *testing.T) {
	w := defaultWorld(t)
	kinds := map[domain.ReferralKind]int{}
	statuses := map[domain.ReferralStatus]int{}
	for _, r := range w.Referrals() {
		kinds[r.Kind]++
		statuses[r.Status()]++
		if len(r.History) == 0 || r.History[0].Status != domain.ReferralSent || !r.History[0].At.Equal(r.SentAt) {
			t.Errorf("%s does not start with sent at SentAt", r.ID)
		}
		for k := 1; k < len(r.History); k++ {
			if r.History[k].At.Before(r.History[k-1].At) || r.History[k].At.After(w.Now()) {
				t.Errorf("%s: history out of order or in the future", r.ID)
			}
		}
		if _, ok := w.Practice(r.Sender); !ok {
			t.Errorf("%s sent by unknown practice %s", r.ID, r.Sender)
		}
	}
	for _, k := range []domain.ReferralKind{domain.ReferralHospital, domain.ReferralMunicipal, domain.ReferralPPR, domain.ReferralChildPsychiatry} {
		if kinds[k] == 0 {
			t.Errorf("no %s referrals", k)
		}
	}
	for _, s := range []domain.ReferralStatus{domain.ReferralSent, domain.ReferralRejected, domain.ReferralCompleted} {
		if statuses[s] == 0 {
			t.Errorf("no referral ends %s", s)
		}
	}
	events := 0
	for _, r := range w.Referrals() {
		events += len(r.History)
	}
	if len(w.Feed()) != events {
		t.Errorf("feed has %d events, histories %d", len(w.Feed()), events)
	}
}

func TestGenerateIsDeterministic(t *testing.T) {
	a, err := Generate(Config{Population: 3000, Seed: 9, Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	b, err := Generate(Config{Population: 3000, Seed: 9, Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, b) {
		t.Fatal("two worlds from the same population, seed and now differ")
	}
	c, err := Generate(Config{Population: 3000, Seed: 10, Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	if reflect.DeepEqual(a.Citizens(), c.Citizens()) {
		t.Fatal("another seed gave the same citizens")
	}
}

func TestPostalCodesLieInTheirMunicipality(t *testing.T) {
	for _, f := range municipalityFacts {
		for _, tw := range f.towns {
			if m, ok := PostalMunicipality(tw.postalCode); !ok || m != f.code {
				t.Errorf("%s %s is given to municipality %d; the postal table says %d (known %v)", tw.postalCode, tw.name, f.code, m, ok)
			}
		}
	}
	for _, c := range defaultWorld(t).Citizens() {
		if m, _ := PostalMunicipality(c.Address.PostalCode); m != c.Address.Municipality {
			t.Fatalf("a citizen of %d lives in postal district %s (%d)", c.Address.Municipality, c.Address.PostalCode, m)
		}
	}
}
