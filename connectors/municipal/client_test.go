package municipal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/sundhedsklynge/klynge/connectors/municipal/municipalapi"
	"github.com/sundhedsklynge/klynge/connectors/upstream"
	"github.com/sundhedsklynge/klynge/domain"
	"github.com/sundhedsklynge/klynge/errcode"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func synthCPR(i int) domain.CPR {
	return domain.MustParseCPR(fmt.Sprintf("%02d%02d42%04d", 61+i%28, 1+(i/28)%12, i))
}

// fakeMunicipalities serves the municipalapi contract for several
// instances under /municipal/{code}/api, enforcing the CPR limit and
// counting requests per instance and route.
type fakeMunicipalities struct {
	*httptest.Server
	mu     sync.Mutex
	counts map[string]int // "330 /services/search" -> requests
	down   map[string]bool
}

func newFakeMunicipalities(t *testing.T) *fakeMunicipalities {
	f := &fakeMunicipalities{counts: map[string]int{}, down: map[string]bool{}}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeMunicipalities) count(code, route string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.counts[code+" "+route]
}

func (f *fakeMunicipalities) serve(w http.ResponseWriter, r *http.Request) {
	rest, ok := strings.CutPrefix(r.URL.Path, "/municipal/")
	code, route, _ := strings.Cut(rest, "/api")
	f.mu.Lock()
	f.counts[code+" "+route]++
	down := f.down[code]
	f.mu.Unlock()
	if !ok || down {
		writeError(w, http.StatusServiceUnavailable, "unavailable", "down")
		return
	}
	var req municipalapi.SearchRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, "bad_request", err.Error())
		return
	}
	if len(req.CPRs) > municipalapi.MaxCPRsPerSearch {
		writeError(w, http.StatusBadRequest, "too_many_cprs", "at most 100")
		return
	}
	var resp any
	switch route {
	case "/services/search":
		out := municipalapi.ServicesResponse{Services: []municipalapi.Service{}}
		for _, cpr := range req.CPRs {
			out.Services = append(out.Services, municipalapi.Service{
				ID: "svc-" + code + "-" + cpr, CPR: cpr, FSIIICode: "G1.20", FSIIIDisplay: "Medicingivning",
				Law: "SUL §138", Status: "active", Start: "2026-02-10T08:00:00+01:00", Team: "Hjemmesygepleje Vest",
				AcuteFunction: true,
			})
		}
		resp = out
	case "/visits/search":
		out := municipalapi.VisitsResponse{Visits: []municipalapi.Visit{}}
		for _, cpr := range req.CPRs {
			out.Visits = append(out.Visits,
				municipalapi.Visit{ID: "v2-" + cpr, CPR: cpr, ServiceID: "svc", PlannedAt: "2026-02-11T08:00:00+01:00", Status: "planned", Team: "Vest"},
				municipalapi.Visit{ID: "v1-" + cpr, CPR: cpr, ServiceID: "svc", PlannedAt: "2026-02-10T08:00:00+01:00",
					PerformedAt: "2026-02-10T08:12:00+01:00", Status: "performed", Team: "Vest"})
		}
		resp = out
	case "/notifications/search":
		out := municipalapi.NotificationsResponse{Notifications: []municipalapi.ReceivedNotification{}}
		for _, cpr := range req.CPRs {
			out.Notifications = append(out.Notifications, municipalapi.ReceivedNotification{
				ID: "rn-" + cpr, MessageID: "prov-1", EncounterID: "enc-1", CPR: cpr, Code: "RE_SLHJ",
				OccurredAt: "2026-02-09T14:00:00+01:00", ReceivedAt: "2026-02-09T14:03:00+01:00",
				SenderSOR: "6621000", SenderName: "Slagelse Sygehus",
			})
		}
		resp = out
	default:
		writeError(w, http.StatusNotFound, "not_found", "no route")
		return
	}
	_ = json.NewEncoder(w).Encode(resp)
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(municipalapi.Error{Error: code, Message: msg})
}

func newDirectory(t *testing.T, base string, codes ...domain.MunicipalityCode) *Directory {
	t.Helper()
	instances := map[domain.MunicipalityCode]*upstream.Client{}
	for _, code := range codes {
		up, err := upstream.New(upstream.Options{
			System:  fmt.Sprintf("municipal/%d", code),
			BaseURL: fmt.Sprintf("%s/municipal/%d/api", base, code),
			Retry:   upstream.RetryOptions{Max: -1},
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(up.Close)
		instances[code] = up
	}
	return NewDirectory(instances)
}

func TestDirectoryRoutesByMunicipalityCode(t *testing.T) {
	d := newDirectory(t, "http://127.0.0.1:1", 370, 330, 101)
	if got := d.Codes(); fmt.Sprint(got) != "[101 330 370]" {
		t.Errorf("Codes() = %v, want ascending", got)
	}
	c, err := d.Instance(330)
	if err != nil || c.Code() != 330 || c.System() != "municipal/330" {
		t.Fatalf("Instance(330) = %v, %v", c, err)
	}
	_, err = d.Instance(840)
	var ue *UnknownMunicipalityError
	if !errors.Is(err, ErrUnknownMunicipality) || !errors.As(err, &ue) || ue.Code != 840 {
		t.Fatalf("Instance(840): want ErrUnknownMunicipality naming 840, got %v", err)
	}
	if !strings.Contains(err.Error(), "840") {
		t.Errorf("error %q does not name the code", err)
	}
	if _, _, ok := upstream.Classify(err); ok {
		t.Error("an unknown municipality was classified as an upstream failure")
	}
	if _, err := d.Instance(1); !strings.Contains(fmt.Sprint(err), "001") {
		t.Errorf("codes are written with three digits: %v", err)
	}
}

func TestServicesVisitsAndNotificationsAreMapped(t *testing.T) {
	f := newFakeMunicipalities(t)
	d := newDirectory(t, f.URL, 330)
	c, _ := d.Instance(330)
	cpr := synthCPR(7)
	ctx := context.Background()
	cet := time.FixedZone("", 3600)

	services, err := c.Services(ctx, []domain.CPR{cpr})
	if err != nil {
		t.Fatal(err)
	}
	wantService := domain.CareService{
		ID: "svc-330-" + string(cpr), CPR: cpr, Municipality: 330,
		Service: domain.Coding{System: SystemFSIII, Code: "G1.20", Display: "Medicingivning"},
		Law:     domain.ServiceNursing, Status: domain.CareServiceActive,
		Start: time.Date(2026, 2, 10, 8, 0, 0, 0, cet), Team: "Hjemmesygepleje Vest", AcuteFunction: true,
	}
	if got := services[cpr]; len(got) != 1 || !got[0].Start.Equal(wantService.Start) || withoutTimes(got[0]) != withoutTimes(wantService) {
		t.Errorf("services\n got %+v\nwant %+v", got, wantService)
	}

	visits, err := c.Visits(ctx, []domain.CPR{cpr}, time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	v := visits[cpr]
	if len(v) != 2 || v[0].ID != "v1-"+string(cpr) || v[0].Status != domain.VisitPerformed ||
		!v[0].PerformedAt.Equal(time.Date(2026, 2, 10, 8, 12, 0, 0, cet)) || v[0].Municipality != 330 || v[1].Status != domain.VisitPlanned {
		t.Errorf("visits not mapped in planned order: %+v", v)
	}

	notes, err := c.Notifications(ctx, []domain.CPR{cpr}, time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	n := notes[cpr]
	if len(n) != 1 || n[0].Code != "RE_SLHJ" || n[0].Code.Base() != domain.NotifyDischarged || n[0].MessageID != "prov-1" ||
		n[0].EncounterID != "enc-1" || n[0].SenderHospital != (domain.Organization{SOR: "6621000", Name: "Slagelse Sygehus"}) ||
		!n[0].ReceivedAt.Equal(time.Date(2026, 2, 9, 14, 3, 0, 0, cet)) || n[0].Municipality != 330 {
		t.Errorf("notification mapped as %+v", n)
	}
}

func withoutTimes(s domain.CareService) domain.CareService {
	s.Start, s.End = time.Time{}, time.Time{}
	return s
}

func TestLargeListsAreChunkedAtOneHundred(t *testing.T) {
	f := newFakeMunicipalities(t)
	d := newDirectory(t, f.URL, 330)
	c, _ := d.Instance(330)
	cprs := make([]domain.CPR, 250)
	for i := range cprs {
		cprs[i] = synthCPR(i)
	}
	cprs = append(cprs, cprs[:10]...) // repeats are asked for once
	got, err := c.Services(context.Background(), cprs)
	if err != nil {
		t.Fatal(err)
	}
	if n := f.count("330", "/services/search"); n != 3 {
		t.Errorf("care system saw %d requests for 250 citizens, want 3", n)
	}
	if len(got) != 250 {
		t.Errorf("services for %d citizens, want 250", len(got))
	}
}

func TestOneInstanceDownLeavesTheOthersAnswering(t *testing.T) {
	f := newFakeMunicipalities(t)
	f.down["330"] = true
	d := newDirectory(t, f.URL, 330, 370)
	slagelse, _ := d.Instance(330)
	soroe, _ := d.Instance(370)
	cpr := synthCPR(1)
	_, err := slagelse.Visits(context.Background(), []domain.CPR{cpr}, time.Time{}, time.Time{})
	if sys, code, ok := upstream.Classify(err); !ok || sys != "municipal/330" || code != errcode.UpstreamUnavailable {
		t.Fatalf("Classify(%v) = %s %s, want municipal/330 %s", err, sys, code, errcode.UpstreamUnavailable)
	}
	var ae *upstream.APIError
	if !errors.As(err, &ae) || ae.Code != "unavailable" {
		t.Errorf("want *APIError with the upstream's code, got %v", err)
	}
	if !strings.HasPrefix(err.Error(), "municipal 330: search visits: ") {
		t.Errorf("error lacks context: %v", err)
	}
	if _, err := soroe.Visits(context.Background(), []domain.CPR{cpr}, time.Time{}, time.Time{}); err != nil {
		t.Fatalf("370 failed while only 330 is down: %v", err)
	}
}

func TestMalformedRecordsAreRefusedNamingTheField(t *testing.T) {
	cpr := synthCPR(2)
	service := func(override string) string {
		return `{"services":[{"id":"s1","cpr":"` + string(cpr) + `","fsiiiCode":"G1.20","law":"SUL §138","status":"active","start":"2026-02-10T08:00:00Z"` + override + `}]}`
	}
	tests := []struct {
		name, route, body, wantField string
	}{
		{"unknown law", "/services/search", service(`,"law":"SEL §999"`), "services[0].law"},
		{"end before start", "/services/search", service(`,"end":"2026-01-01T00:00:00Z"`), "services[0].end"},
		{"start not RFC 3339", "/services/search", service(`,"start":"10-02-2026"`), "services[0].start"},
		{"acute flag of the wrong type", "/services/search", service(`,"acuteFunction":"yes"`), "services[0].acuteFunction"},
		{"service of a citizen not asked about", "/services/search", strings.Replace(service(""), string(cpr), string(synthCPR(3)), 1), "services[0].cpr"},
		{"performed visit without time", "/visits/search",
			`{"visits":[{"id":"v","cpr":"` + string(cpr) + `","plannedAt":"2026-02-10T08:00:00Z","status":"performed"}]}`, "visits[0].performedAt"},
		{"unknown MedCom code", "/notifications/search",
			`{"notifications":[{"id":"n","encounterId":"e","cpr":"` + string(cpr) + `","code":"STOUT","occurredAt":"2026-02-10T08:00:00Z","receivedAt":"2026-02-10T08:00:00Z"}]}`,
			"notifications[0].code"},
		{"invalid CPR", "/notifications/search",
			`{"notifications":[{"id":"n","encounterId":"e","cpr":"6713421234","code":"STIN","occurredAt":"2026-02-10T08:00:00Z","receivedAt":"2026-02-10T08:00:00Z"}]}`,
			"notifications[0].cpr"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.WriteString(w, tt.body)
			}))
			defer srv.Close()
			up, err := upstream.New(upstream.Options{System: "municipal/330", BaseURL: srv.URL})
			if err != nil {
				t.Fatal(err)
			}
			defer up.Close()
			c := New(330, up)
			ctx := context.Background()
			switch tt.route {
			case "/services/search":
				_, err = c.Services(ctx, []domain.CPR{cpr})
			case "/visits/search":
				_, err = c.Visits(ctx, []domain.CPR{cpr}, time.Time{}, time.Time{})
			default:
				_, err = c.Notifications(ctx, []domain.CPR{cpr}, time.Time{}, time.Time{})
			}
			var de *upstream.DecodeError
			if !errors.As(err, &de) || de.Field != tt.wantField || de.System != "municipal/330" {
				t.Fatalf("want DecodeError municipal/330 %q, got %v", tt.wantField, err)
			}
			if strings.Contains(err.Error(), string(cpr)) || strings.Contains(err.Error(), "6713421234") {
				t.Errorf("error quotes a CPR: %v", err)
			}
		})
	}
}
