package ehospital

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sundhedsklynge/klynge/connectors/ehospital/fhir"
	"github.com/sundhedsklynge/klynge/connectors/upstream"
	"github.com/sundhedsklynge/klynge/domain"
	"github.com/sundhedsklynge/klynge/errcode"
)

func TestEncountersAreMappedWithTheirNotifications(t *testing.T) {
	f := newRepo(t, "encounters.json", "patients.json")
	c := newClient(t, f.base(), Options{})
	got, err := c.EncountersByCPR(context.Background(), []domain.CPR{cprKarl, cprInger, cprNone})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(f.seen()); n != 1 {
		t.Errorf("%d requests, want 1: the patients and notifications come with the encounters", n)
	}
	r := f.seen()[0]
	if r.path != "/ehospital/fhir/Encounter/_search" || r.form.Get("_revinclude") != "Provenance:target" ||
		r.form.Get("_include") != "Encounter:patient" || r.form.Get("class") != "IMP,EMER,VR,HH" ||
		!strings.Contains(r.form.Get("patient.identifier"), fhir.SystemSyntheticCPR+"|"+string(cprInger)) {
		t.Errorf("search sent as %+v", r)
	}
	if _, ok := got[cprNone]; ok {
		t.Error("a citizen without encounters is present")
	}
	cet := time.FixedZone("", 3600)

	karl := got[cprKarl]
	if len(karl) != 2 || karl[0].ID != "enc-3" || karl[1].ID != "enc-1" {
		t.Fatalf("Karl's encounters not by start: %+v", karl)
	}
	acute, stay := karl[0], karl[1]
	if acute.Class != domain.ClassEmergency || !acute.Psychiatric || acute.Destination != domain.DischargeHome || len(acute.Notifications) != 0 {
		t.Errorf("acute psychiatric visit mapped as %+v", acute)
	}
	wantStay := domain.Encounter{
		ID: "enc-1", CPR: cprKarl, Class: domain.ClassInpatient, Status: domain.EncounterFinished,
		Start: time.Date(2026, 2, 1, 10, 0, 0, 0, cet), End: time.Date(2026, 2, 5, 12, 0, 0, 0, cet),
		Hospital:    domain.Organization{SOR: "6621000", Name: "Slagelse Sygehus"},
		Department:  domain.Organization{SOR: "6621010", Name: "Medicinsk afdeling"},
		Destination: domain.DischargeHomeNursing,
	}
	if stay.ID != wantStay.ID || stay.CPR != wantStay.CPR || stay.Class != wantStay.Class || stay.Status != wantStay.Status ||
		!stay.Start.Equal(wantStay.Start) || !stay.End.Equal(wantStay.End) || stay.Hospital != wantStay.Hospital ||
		stay.Department != wantStay.Department || stay.Psychiatric || stay.Destination != wantStay.Destination {
		t.Errorf("stay mapped as\n %+v\nwant %+v", stay, wantStay)
	}

	notes := stay.Notifications
	if len(notes) != 3 {
		t.Fatalf("stay has %d notifications, want 3", len(notes))
	}
	var codes []string
	for _, n := range notes {
		codes = append(codes, string(n.Code))
	}
	if strings.Join(codes, ",") != "STIN,SLHJ,RE_SLHJ" {
		t.Errorf("notifications in order %v, want as sent STIN,SLHJ,RE_SLHJ", codes)
	}
	admit, revised := notes[0], notes[2]
	wantAdmit := domain.HospitalNotification{
		ID: "prov-1", EncounterID: "enc-1", CPR: cprKarl, Code: domain.NotifyAdmitted,
		OccurredAt: time.Date(2026, 2, 1, 10, 0, 0, 0, cet), SentAt: time.Date(2026, 2, 1, 10, 4, 0, 0, cet),
		Sender: domain.Organization{SOR: "6621000", Name: "Slagelse Sygehus"}, Receiver: 330,
	}
	if admit.ID != wantAdmit.ID || admit.EncounterID != wantAdmit.EncounterID || admit.CPR != wantAdmit.CPR || admit.Code != wantAdmit.Code ||
		!admit.OccurredAt.Equal(wantAdmit.OccurredAt) || !admit.SentAt.Equal(wantAdmit.SentAt) || admit.Sender != wantAdmit.Sender || admit.Receiver != 330 {
		t.Errorf("admission notification\n %+v\nwant %+v", admit, wantAdmit)
	}
	if !notes[1].SentAt.Equal(time.Date(2026, 2, 5, 12, 10, 0, 0, cet)) {
		t.Errorf("without a sent extension SentAt = %v, want recorded", notes[1].SentAt)
	}
	if revised.Replaces != "prov-2" || !revised.Code.IsCorrection() || revised.Code.Base() != domain.NotifyDischarged {
		t.Errorf("revision mapped as %+v", revised)
	}

	inger := got[cprInger]
	if len(inger) != 1 || inger[0].Class != domain.ClassHomeHealth || !inger[0].Ongoing() || inger[0].Status != domain.EncounterInProgress {
		t.Fatalf("Inger's home admission mapped as %+v", inger)
	}
	if n := inger[0].Notifications; len(n) != 1 || n[0].ID != "prov-4" || n[0].CPR != cprInger {
		t.Errorf("notification with an absolute target reference: %+v", n)
	}
}

func TestSearchFollowsNextLinks(t *testing.T) {
	start := time.Date(2026, 2, 1, 10, 0, 0, 0, time.UTC)
	var f *fakeEHospital
	f = newFakeEHospital(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		n := 1 // the page asked for: the POST starts a search, next links name the rest
		if off := r.URL.Query().Get("_getpagesoffset"); off != "" {
			n = int(off[0]-'0') + 1
		}
		enc := encounterResource("enc-p"+string(rune('0'+n)), cprKarl, start.Add(time.Duration(n)*24*time.Hour))
		next := ""
		if n < 3 {
			// Absolute, opaque and on the same server, as HAPI writes them.
			next = f.base() + "?_getpages=abc&_getpagesoffset=" + string(rune('0'+n))
		}
		resources := []any{enc}
		switch n {
		case 1:
			// The admission is on this page; its discharge arrives on the
			// next, as a server that pages entries naively might send it.
			resources = append(resources, provenanceResource("p1", enc.ID, "admit-inpatient", start))
		case 2:
			resources = append(resources, provenanceResource("p2", "enc-p1", "discharge-inpatient-home", start.Add(50*time.Hour)))
		}
		_, _ = w.Write(bundle(next, resources...))
	})
	c := newClient(t, f.base(), Options{PageSize: 1})
	got, err := c.EncountersByCPR(context.Background(), []domain.CPR{cprKarl})
	if err != nil {
		t.Fatal(err)
	}
	reqs := f.seen()
	if len(reqs) != 3 {
		t.Fatalf("eHospitalet saw %d requests, want 3 (one per page)", len(reqs))
	}
	if reqs[0].method != "POST" || reqs[0].form.Get("_count") != "1" || reqs[1].method != "GET" ||
		reqs[1].query.Get("_getpagesoffset") != "1" || reqs[2].query.Get("_getpagesoffset") != "2" {
		t.Errorf("pages asked as %+v", reqs)
	}
	encs := got[cprKarl]
	if len(encs) != 3 {
		t.Fatalf("got %d encounters from 3 pages, want 3", len(encs))
	}
	if len(encs[0].Notifications) != 2 || encs[0].Notifications[1].Code != domain.NotifyDischarged {
		t.Errorf("notification from a later page not attached: %+v", encs[0].Notifications)
	}
}

func TestPagingIsBounded(t *testing.T) {
	tests := []struct {
		name      string
		next      func(f *fakeEHospital, n int) string
		wantErr   func(error) bool
		wantCalls int
	}{
		{"more pages than MaxPages is an error", func(f *fakeEHospital, n int) string {
			return f.base() + "?_getpages=x&_getpagesoffset=" + string(rune('0'+n+1))
		}, func(err error) bool { return errors.Is(err, ErrTooManyPages) }, 2},
		{"a next link to another host is refused", func(*fakeEHospital, int) string {
			return "https://evil.example/ehospital/fhir/Encounter?page=2"
		}, isLinkDecodeError, 1},
		{"a next link outside the FHIR base is refused", func(f *fakeEHospital, _ int) string {
			return f.URL + "/admin/export"
		}, isLinkDecodeError, 1},
		{"a next link that repeats a page is refused", func(f *fakeEHospital, _ int) string {
			return f.base() + "/Encounter?page=2"
		}, isLinkDecodeError, 2},
		{"a link repeating the search on no resource type is refused", func(f *fakeEHospital, _ int) string {
			return f.base() + "?patient.identifier=x&_offset=1"
		}, isLinkDecodeError, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var f *fakeEHospital
			f = newFakeEHospital(t, func(w http.ResponseWriter, _ *http.Request, n int) {
				_, _ = w.Write(bundle(tt.next(f, n)))
			})
			c := newClient(t, f.base(), Options{MaxPages: 2})
			_, err := c.SearchEncounters(context.Background(), EncounterQuery{Statuses: []domain.EncounterStatus{domain.EncounterInProgress}})
			if !tt.wantErr(err) {
				t.Fatalf("unexpected error %v", err)
			}
			if n := len(f.seen()); n != tt.wantCalls {
				t.Errorf("eHospitalet saw %d requests, want %d", n, tt.wantCalls)
			}
		})
	}
}

func isLinkDecodeError(err error) bool {
	var de *upstream.DecodeError
	return errors.As(err, &de) && de.Field == "link" && de.System == "ehospital"
}

func TestSearchEncountersSendsTheQuery(t *testing.T) {
	f := newFakeEHospital(t, serveFile(t, "encounters.json"))
	c := newClient(t, f.base(), Options{})
	if _, err := c.Discover(context.Background()); err == nil {
		t.Fatal("the fake has no CapabilityStatement")
	}
	q := EncounterQuery{
		Municipalities:  []domain.MunicipalityCode{330, 370},
		Statuses:        []domain.EncounterStatus{domain.EncounterFinished},
		Classes:         []domain.EncounterClass{domain.ClassInpatient, domain.ClassHomeHealth},
		ServiceProvider: "6621000",
		From:            time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC),
		To:              time.Date(2026, 3, 1, 0, 0, 0, 0, time.FixedZone("CET", 3600)),
	}
	got, err := c.SearchEncounters(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	// enc-2 is a home admission (HH), enc-1 an admission; enc-3, an
	// emergency visit the fake sends all the same, is not asked for.
	if len(got) != 2 || got[0].ID != "enc-1" || got[1].ID != "enc-2" || len(got[0].Notifications) != 3 {
		t.Errorf("encounters in server order with notifications: %+v", got)
	}
	form := f.seen()[1].form
	want := map[string][]string{
		"patient.municipality": {"0330,0370"},
		"status":               {"finished"},
		"class":                {"IMP,HH"},
		"service-provider":     {"6621000"},
		"date":                 {"ge2026-02-01T00:00:00Z", "lt2026-02-28T23:00:00Z"},
		"_revinclude":          {"Provenance:target"},
		"_include":             {"Encounter:patient"},
		"_count":               {"100"},
	}
	for k, v := range want {
		if strings.Join(form[k], " ") != strings.Join(v, " ") {
			t.Errorf("%s = %v, want %v", k, form[k], v)
		}
	}
}

func TestBadQueriesAreRefusedBeforeAnyRequest(t *testing.T) {
	f := newFakeEHospital(t, serveFile(t, "encounters.json"))
	c := newClient(t, f.base(), Options{})
	day := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		q    EncounterQuery
		want string
	}{
		{"To before From", EncounterQuery{From: day, To: day.Add(-time.Hour)}, "To: must be after From"},
		{"municipality code out of range", EncounterQuery{Municipalities: []domain.MunicipalityCode{5}}, "Municipalities[0]"},
		{"unknown status", EncounterQuery{Statuses: []domain.EncounterStatus{"paused"}}, "Statuses[0]"},
		{"unknown class", EncounterQuery{Classes: []domain.EncounterClass{"AMB"}}, "Classes[0]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.SearchEncounters(context.Background(), tt.q)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want an error containing %q", err, tt.want)
			}
		})
	}
	if len(f.seen()) != 0 {
		t.Error("a bad query was sent")
	}
}

func TestOperationOutcomeBecomesATypedError(t *testing.T) {
	tests := []struct {
		name     string
		status   int
		code     string
		wantCode string
	}{
		{"invalid search", http.StatusBadRequest, "invalid", errcode.UpstreamBadResponse},
		{"too costly", http.StatusUnprocessableEntity, "too-costly", errcode.UpstreamBadResponse},
		{"server failure", http.StatusInternalServerError, "exception", errcode.UpstreamUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeEHospital(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
				w.WriteHeader(tt.status)
				_, _ = w.Write([]byte(`{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"` + tt.code +
					`","diagnostics":"bad identifier ` + string(cprKarl) + `"}]}`))
			})
			c := newClient(t, f.base(), Options{})
			_, err := c.EncountersByCPR(context.Background(), []domain.CPR{cprKarl})
			var oe *OutcomeError
			if !errors.As(err, &oe) || !oe.HasIssue(tt.code) || oe.Status.Status != tt.status {
				t.Fatalf("want *OutcomeError with issue %s, got %T %v", tt.code, err, err)
			}
			if strings.Contains(err.Error(), string(cprKarl)) {
				t.Errorf("error repeats the diagnostics: %v", err)
			}
			if sys, code, _ := upstream.Classify(err); sys != "ehospital" || code != tt.wantCode {
				t.Errorf("Classify = %s %s, want ehospital %s", sys, code, tt.wantCode)
			}
		})
	}
}
