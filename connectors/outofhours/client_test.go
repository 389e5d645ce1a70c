package outofhours

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
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/sundhedsklynge/klynge/connectors/outofhours/outofhoursapi"
	"github.com/sundhedsklynge/klynge/connectors/upstream"
	"github.com/sundhedsklynge/klynge/domain"
	"github.com/sundhedsklynge/klynge/errcode"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// synthCPR is the i-th synthetic replacement number (day of birth + 60).
func synthCPR(i int) domain.CPR {
	return domain.MustParseCPR(fmt.Sprintf("%02d%02d85%04d", 61+i%28, 1+(i/28)%12, i))
}

// fakeLaegevagten speaks the outofhoursapi contract: it enforces the CPR
// limit, records what it was asked, and answers from contacts by CPR.
type fakeLaegevagten struct {
	*httptest.Server
	calls    atomic.Int32
	mu       sync.Mutex
	requests []outofhoursapi.SearchRequest
}

func newFakeLaegevagten(t *testing.T, contacts func(cpr string) []outofhoursapi.Contact) *fakeLaegevagten {
	f := &fakeLaegevagten{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.calls.Add(1)
		if r.Method != http.MethodPost || r.URL.Path != "/api/v1/contacts/search" {
			writeError(w, http.StatusNotFound, "not_found", "no route")
			return
		}
		var req outofhoursapi.SearchRequest
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			writeError(w, http.StatusBadRequest, "bad_request", err.Error())
			return
		}
		f.mu.Lock()
		f.requests = append(f.requests, req)
		f.mu.Unlock()
		if len(req.CPRs) > outofhoursapi.MaxCPRsPerSearch {
			writeError(w, http.StatusBadRequest, "too_many_cprs", "at most 200")
			return
		}
		resp := outofhoursapi.SearchResponse{Contacts: []outofhoursapi.Contact{}}
		for _, cpr := range req.CPRs {
			resp.Contacts = append(resp.Contacts, contacts(cpr)...)
		}
		_ = json.NewEncoder(w).Encode(resp)
	}))
	t.Cleanup(f.Close)
	return f
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(outofhoursapi.Error{Error: code, Message: msg})
}

func newClient(t *testing.T, baseURL string) *Client {
	t.Helper()
	up, err := upstream.New(upstream.Options{System: "outofhours", BaseURL: baseURL + "/api/v1",
		Retry: upstream.RetryOptions{WaitMin: time.Millisecond, WaitMax: 2 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(up.Close)
	return New(up)
}

func contactFor(cpr string, n int) outofhoursapi.Contact {
	return outofhoursapi.Contact{
		ID: fmt.Sprintf("ooh-%s-%d", cpr, n), CPR: cpr,
		ReceivedAt: fmt.Sprintf("2026-02-1%dT22:15:00+01:00", n), TriageBy: "nurse",
		ComplaintCode: "R05", ComplaintDisplay: "Hoste", Urgency: "urgent", Outcome: "home-visit",
		StartedAt: fmt.Sprintf("2026-02-1%dT22:20:00+01:00", n), Site: "1818",
	}
}

func TestContactsAreMappedPerCitizen(t *testing.T) {
	withTwo, withNone := synthCPR(1), synthCPR(2)
	srv := newFakeLaegevagten(t, func(cpr string) []outofhoursapi.Contact {
		if cpr != string(withTwo) {
			return nil
		}
		// Newest first on the wire: the client must order them.
		second := contactFor(cpr, 2)
		second.EndedAt = "2026-02-12T23:05:00+01:00"
		second.TriageBy, second.Urgency, second.Outcome = "doctor", "acute", "acute-department-referral"
		return []outofhoursapi.Contact{second, contactFor(cpr, 1)}
	})
	c := newClient(t, srv.URL)
	from := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	to := time.Date(2026, 3, 1, 0, 0, 0, 0, time.FixedZone("CET", 3600))
	got, err := c.ContactsByCPR(context.Background(), []domain.CPR{withTwo, withNone}, from, to)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := got[withNone]; ok {
		t.Error("a citizen without contacts is present in the map")
	}
	list := got[withTwo]
	if len(list) != 2 {
		t.Fatalf("got %d contacts, want 2", len(list))
	}
	cet := time.FixedZone("", 3600)
	want := domain.OutOfHoursContact{
		ID: "ooh-" + string(withTwo) + "-2", CPR: withTwo,
		ReceivedAt: time.Date(2026, 2, 12, 22, 15, 0, 0, cet), TriageBy: "doctor",
		Complaint: domain.Coding{System: SystemICPC2, Code: "R05", Display: "Hoste"},
		Urgency:   domain.UrgencyAcute, Outcome: domain.OutcomeAcuteReferral,
		StartedAt: time.Date(2026, 2, 12, 22, 20, 0, 0, cet), EndedAt: time.Date(2026, 2, 12, 23, 5, 0, 0, cet),
		Site: "1818",
	}
	if list[0].ID != "ooh-"+string(withTwo)+"-1" {
		t.Errorf("contacts not oldest first: %s, %s", list[0].ID, list[1].ID)
	}
	if !sameContact(list[1], want) {
		t.Errorf("mapped contact\n got %+v\nwant %+v", list[1], want)
	}
	srv.mu.Lock()
	req := srv.requests[0]
	srv.mu.Unlock()
	if req.From != "2026-02-01T00:00:00Z" || req.To != "2026-02-28T23:00:00Z" {
		t.Errorf("window sent as %q..%q, want RFC 3339 UTC", req.From, req.To)
	}
}

func sameContact(a, b domain.OutOfHoursContact) bool {
	return a.ID == b.ID && a.CPR == b.CPR && a.ReceivedAt.Equal(b.ReceivedAt) && a.TriageBy == b.TriageBy &&
		a.Complaint == b.Complaint && a.Urgency == b.Urgency && a.Outcome == b.Outcome &&
		a.StartedAt.Equal(b.StartedAt) && a.EndedAt.Equal(b.EndedAt) && a.Site == b.Site
}

func TestLargeListsAreChunkedAtTheUpstreamLimit(t *testing.T) {
	tests := []struct {
		name      string
		citizens  int
		wantCalls int
	}{
		{"250 citizens take 2 requests", 250, 2},
		{"200 citizens take 1 request", 200, 1},
		{"401 citizens take 3 requests", 401, 3},
		{"no citizens take no request", 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newFakeLaegevagten(t, func(cpr string) []outofhoursapi.Contact {
				return []outofhoursapi.Contact{contactFor(cpr, 1)}
			})
			c := newClient(t, srv.URL)
			cprs := make([]domain.CPR, tt.citizens)
			for i := range cprs {
				cprs[i] = synthCPR(i)
			}
			got, err := c.ContactsByCPR(context.Background(), cprs, time.Time{}, time.Time{})
			if err != nil {
				t.Fatal(err)
			}
			if n := int(srv.calls.Load()); n != tt.wantCalls {
				t.Errorf("Lægevagten saw %d requests, want %d", n, tt.wantCalls)
			}
			if len(got) != tt.citizens {
				t.Errorf("contacts for %d citizens, want %d", len(got), tt.citizens)
			}
			for _, cpr := range cprs {
				if len(got[cpr]) != 1 || got[cpr][0].CPR != cpr {
					t.Fatalf("citizen %s: got %+v", cpr.Masked(), got[cpr])
				}
			}
		})
	}
}

func TestMalformedContactsAreRefusedNamingTheField(t *testing.T) {
	asked := synthCPR(3)
	tests := []struct {
		name      string
		body      string
		wantField string
	}{
		{"CPR as a number", `{"contacts":[{"id":"a","cpr":` + string(asked) + `}]}`, "contacts[0].cpr"},
		{"invalid CPR", `{"contacts":[` + contactJSON(asked, nil) + `,` + contactJSON(asked, map[string]any{"cpr": "3213851234"}) + `]}`, "contacts[1].cpr"},
		{"contact of a citizen not asked about", `{"contacts":[` + contactJSON(synthCPR(4), nil) + `]}`, "contacts[0].cpr"},
		{"bad time", `{"contacts":[` + contactJSON(asked, map[string]any{"receivedAt": "12/02/2026 22:15"}) + `]}`, "contacts[0].receivedAt"},
		{"missing start", `{"contacts":[` + contactJSON(asked, map[string]any{"startedAt": ""}) + `]}`, "contacts[0].startedAt"},
		{"unknown outcome", `{"contacts":[` + contactJSON(asked, map[string]any{"outcome": "teleport"}) + `]}`, "contacts[0].outcome"},
		{"unknown urgency", `{"contacts":[` + contactJSON(asked, map[string]any{"urgency": "whenever"}) + `]}`, "contacts[0].urgency"},
		{"missing id", `{"contacts":[` + contactJSON(asked, map[string]any{"id": ""}) + `]}`, "contacts[0].id"},
		{"contacts not a list", `{"contacts":{"id":"a"}}`, "contacts"},
		{"not JSON", `<html>oops</html>`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.WriteString(w, tt.body)
			}))
			defer srv.Close()
			c := newClient(t, srv.URL)
			_, err := c.ContactsByCPR(context.Background(), []domain.CPR{asked}, time.Time{}, time.Time{})
			var de *upstream.DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("want *upstream.DecodeError, got %T %v", err, err)
			}
			if de.Field != tt.wantField || de.System != "outofhours" {
				t.Errorf("DecodeError names %s field %q, want outofhours %q (%v)", de.System, de.Field, tt.wantField, err)
			}
			if strings.Contains(err.Error(), string(asked)) {
				t.Errorf("error quotes a CPR: %v", err)
			}
			if _, code, _ := upstream.Classify(err); code != errcode.UpstreamBadResponse {
				t.Errorf("Classify code %s, want %s", code, errcode.UpstreamBadResponse)
			}
		})
	}
}

func contactJSON(cpr domain.CPR, override map[string]any) string {
	var m map[string]any
	b, _ := json.Marshal(contactFor(string(cpr), 1))
	_ = json.Unmarshal(b, &m)
	for k, v := range override {
		m[k] = v
	}
	b, _ = json.Marshal(m)
	return string(b)
}

func TestErrorAnswersAreTyped(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusBadRequest, "bad_request", "cpr 6703851234 is malformed")
	}))
	defer srv.Close()
	c := newClient(t, srv.URL)
	_, err := c.ContactsByCPR(context.Background(), []domain.CPR{synthCPR(1)}, time.Time{}, time.Time{})
	var ae *upstream.APIError
	if !errors.As(err, &ae) || ae.Code != "bad_request" || ae.Status.Status != 400 {
		t.Fatalf("want *APIError bad_request 400, got %T %v", err, err)
	}
	if strings.Contains(err.Error(), "6703851234") {
		t.Errorf("error repeats the upstream's message: %v", err)
	}
	if sys, code, _ := upstream.Classify(err); sys != "outofhours" || code != errcode.UpstreamBadResponse {
		t.Errorf("Classify = %s %s", sys, code)
	}
}

func TestUpstreamDownIsUnavailable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	base := srv.URL
	srv.Close()
	c := newClient(t, base)
	_, err := c.ContactsByCPR(context.Background(), []domain.CPR{synthCPR(1)}, time.Time{}, time.Time{})
	if sys, code, ok := upstream.Classify(err); !ok || sys != "outofhours" || code != errcode.UpstreamUnavailable {
		t.Fatalf("Classify(%v) = %s %s %v, want outofhours %s", err, sys, code, ok, errcode.UpstreamUnavailable)
	}
	if !strings.HasPrefix(err.Error(), "outofhours: search contacts: ") {
		t.Errorf("error lacks context: %v", err)
	}
}
