package gpreferral

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

	"github.com/sundhedsklynge/klynge/connectors/gpreferral/gpreferralapi"
	"github.com/sundhedsklynge/klynge/connectors/upstream"
	"github.com/sundhedsklynge/klynge/domain"
	"github.com/sundhedsklynge/klynge/errcode"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func synthCPR(i int) domain.CPR {
	return domain.MustParseCPR(fmt.Sprintf("%02d%02d51%04d", 61+i%28, 1+(i/28)%12, i))
}

// fakeFeed serves the gpreferralapi contract under /gpreferral, enforcing
// its limits and counting requests per route.
type fakeFeed struct {
	*httptest.Server
	mu        sync.Mutex
	counts    map[string]int
	lastQuery string
}

func newFakeFeed(t *testing.T) *fakeFeed {
	f := &fakeFeed{counts: map[string]int{}}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeFeed) count(route string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.counts[route]
}

func (f *fakeFeed) serve(w http.ResponseWriter, r *http.Request) {
	route := strings.TrimPrefix(r.URL.Path, "/gpreferral")
	f.mu.Lock()
	f.counts[route]++
	f.lastQuery = r.URL.RawQuery
	f.mu.Unlock()
	var search gpreferralapi.SearchRequest
	var lookup gpreferralapi.LookupRequest
	if r.Method == http.MethodPost {
		raw, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(raw, &search)
		_ = json.Unmarshal(raw, &lookup)
		if len(search.CPRs) > gpreferralapi.MaxCPRsPerSearch || len(lookup.Ydernumre) > gpreferralapi.MaxPracticesLookup {
			w.WriteHeader(http.StatusBadRequest)
			_ = json.NewEncoder(w).Encode(gpreferralapi.Error{Error: "too_many", Message: "limit"})
			return
		}
	}
	var resp any
	switch route {
	case "/referrals/search":
		out := gpreferralapi.ReferralsResponse{Referrals: []gpreferralapi.Referral{}}
		for _, cpr := range search.CPRs {
			out.Referrals = append(out.Referrals, gpreferralapi.Referral{
				ID: "ref-b-" + cpr, CPR: cpr, Kind: "XREF15", SenderYdernummer: "012345",
				Receiver:   gpreferralapi.Receiver{Kind: "municipality", Municipality: 330, Name: "Slagelse Kommune"},
				ReasonCode: "P20", ReasonDisplay: "Hukommelsesproblemer", Priority: "routine", SentAt: "2026-02-05T09:00:00+01:00",
				History: []gpreferralapi.StatusChange{
					{Status: "rejected", At: "2026-02-07T10:00:00+01:00", Note: "Ikke relevant"},
					{Status: "sent", At: "2026-02-05T09:00:00+01:00"},
				},
			}, gpreferralapi.Referral{
				ID: "ref-a-" + cpr, CPR: cpr, Kind: "REF01", SenderYdernummer: "012345",
				Receiver:   gpreferralapi.Receiver{Kind: "sor", SOR: "6621000", Name: "Slagelse Sygehus, Medicinsk"},
				ReasonCode: "K77", Priority: "urgent", SentAt: "2026-01-20T11:00:00+01:00",
				History: []gpreferralapi.StatusChange{{Status: "sent", At: "2026-01-20T11:00:00+01:00"}},
			})
		}
		resp = out
	case "/contacts/search":
		out := gpreferralapi.ContactsResponse{Contacts: []gpreferralapi.Contact{}}
		for _, cpr := range search.CPRs {
			out.Contacts = append(out.Contacts, gpreferralapi.Contact{ID: "gpc-" + cpr, CPR: cpr, Ydernummer: "012345", At: "2026-02-10T10:30:00+01:00", Kind: "phone"})
		}
		resp = out
	case "/practices/lookup":
		out := gpreferralapi.PracticesResponse{Practices: []gpreferralapi.Practice{}}
		for _, id := range lookup.Ydernumre {
			if strings.HasPrefix(id, "9") { // unknown to the directory
				continue
			}
			out.Practices = append(out.Practices, gpreferralapi.Practice{Ydernummer: id, Name: "Lægerne i " + id, Municipality: 340,
				AddressLine: "Torvet 1", PostalCode: "4180", City: "Sorø", Phone: "57 00 00 00"})
		}
		resp = out
	case "/feed":
		after := r.URL.Query().Get("after")
		if after == "c2" {
			resp = gpreferralapi.FeedPage{Events: []gpreferralapi.FeedEvent{}, NextCursor: "c2"}
			break
		}
		resp = gpreferralapi.FeedPage{NextCursor: "c2", Events: []gpreferralapi.FeedEvent{
			{Cursor: "c1", ReferralID: "ref-1", CPR: string(synthCPR(1)), Change: gpreferralapi.StatusChange{Status: "received", At: "2026-02-05T10:00:00Z"}},
			{Cursor: "c2", ReferralID: "ref-1", CPR: string(synthCPR(1)), Change: gpreferralapi.StatusChange{Status: "visitated", At: "2026-02-06T10:00:00Z"}},
		}}
	default:
		w.WriteHeader(http.StatusNotFound)
		_ = json.NewEncoder(w).Encode(gpreferralapi.Error{Error: "not_found", Message: "no route"})
		return
	}
	_ = json.NewEncoder(w).Encode(resp)
}

func newClient(t *testing.T, base string) *Client {
	t.Helper()
	up, err := upstream.New(upstream.Options{System: "gpreferral", BaseURL: base + "/gpreferral", Retry: upstream.RetryOptions{Max: -1}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(up.Close)
	return New(up)
}

func TestReferralsAreMappedWithOrderedHistory(t *testing.T) {
	f := newFakeFeed(t)
	c := newClient(t, f.URL)
	cpr := synthCPR(4)
	got, err := c.ReferralsByCPR(context.Background(), []domain.CPR{cpr})
	if err != nil {
		t.Fatal(err)
	}
	list := got[cpr]
	if len(list) != 2 || list[0].ID != "ref-a-"+string(cpr) {
		t.Fatalf("referrals not in order sent: %+v", list)
	}
	hospital, municipal := list[0], list[1]
	if hospital.Kind != domain.ReferralHospital || hospital.Receiver != (domain.ReferralReceiver{Kind: "sor", SOR: "6621000", Name: "Slagelse Sygehus, Medicinsk"}) ||
		hospital.Priority != domain.PriorityUrgent || hospital.Status() != domain.ReferralSent {
		t.Errorf("hospital referral mapped as %+v", hospital)
	}
	if municipal.Kind != domain.ReferralMunicipal || municipal.Receiver.Municipality != 330 || municipal.Sender != "012345" ||
		municipal.Reason != (domain.Coding{System: SystemICPC2, Code: "P20", Display: "Hukommelsesproblemer"}) {
		t.Errorf("municipal referral mapped as %+v", municipal)
	}
	if municipal.Status() != domain.ReferralRejected || municipal.History[0].Status != domain.ReferralSent || municipal.History[1].Note != "Ikke relevant" {
		t.Errorf("history not in time order with the rejection last: %+v", municipal.History)
	}
}

func TestGPContactsAreMapped(t *testing.T) {
	f := newFakeFeed(t)
	c := newClient(t, f.URL)
	cpr := synthCPR(5)
	got, err := c.ContactsByCPR(context.Background(), []domain.CPR{cpr})
	if err != nil {
		t.Fatal(err)
	}
	want := domain.GPContact{ID: "gpc-" + string(cpr), CPR: cpr, Practice: "012345", Kind: "phone",
		At: time.Date(2026, 2, 10, 10, 30, 0, 0, time.FixedZone("", 3600))}
	if l := got[cpr]; len(l) != 1 || l[0].ID != want.ID || l[0].Practice != want.Practice || l[0].Kind != want.Kind || !l[0].At.Equal(want.At) {
		t.Errorf("got %+v, want %+v", l, want)
	}
}

func TestListsAreChunkedAtTheUpstreamLimit(t *testing.T) {
	f := newFakeFeed(t)
	c := newClient(t, f.URL)
	cprs := make([]domain.CPR, 250)
	ids := make([]domain.Ydernummer, 250)
	for i := range cprs {
		cprs[i] = synthCPR(i)
		ids[i] = domain.Ydernummer(fmt.Sprintf("%06d", i))
	}
	refs, err := c.ReferralsByCPR(context.Background(), cprs)
	if err != nil {
		t.Fatal(err)
	}
	if f.count("/referrals/search") != 2 || len(refs) != 250 {
		t.Errorf("referrals: %d requests, %d citizens; want 2, 250", f.count("/referrals/search"), len(refs))
	}
	practices, err := c.PracticesByYdernummer(context.Background(), append(ids, "999999"))
	if err != nil {
		t.Fatal(err)
	}
	if f.count("/practices/lookup") != 2 || len(practices) != 250 {
		t.Errorf("practices: %d requests, %d found; want 2, 250", f.count("/practices/lookup"), len(practices))
	}
	if _, ok := practices["999999"]; ok {
		t.Error("a ydernummer the directory does not know is present")
	}
	p := practices["000007"]
	want := domain.Practice{Ydernummer: "000007", Name: "Lægerne i 000007", Municipality: 340, Phone: "57 00 00 00",
		Address: domain.Address{Line: "Torvet 1", PostalCode: "4180", City: "Sorø", Municipality: 340}}
	if p != want {
		t.Errorf("practice\n got %+v\nwant %+v", p, want)
	}
}

func TestFeedReadsPagesByCursor(t *testing.T) {
	f := newFakeFeed(t)
	c := newClient(t, f.URL)
	page, err := c.Feed(context.Background(), "c0", 2)
	if err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	query := f.lastQuery
	f.mu.Unlock()
	if query != "after=c0&limit=2" {
		t.Errorf("feed asked with %q", query)
	}
	if len(page.Events) != 2 || page.NextCursor != "c2" || page.Events[1].Change.Status != domain.ReferralVisitated ||
		page.Events[0].CPR != synthCPR(1) || page.Events[0].ReferralID != "ref-1" {
		t.Errorf("page = %+v", page)
	}
	caughtUp, err := c.Feed(context.Background(), page.NextCursor, 0)
	if err != nil || len(caughtUp.Events) != 0 || caughtUp.NextCursor != "c2" {
		t.Errorf("caught-up page = %+v, %v", caughtUp, err)
	}
	before := f.count("/feed")
	for _, limit := range []int{-1, gpreferralapi.MaxFeedLimit + 1} {
		if _, err := c.Feed(context.Background(), "", limit); err == nil || !strings.Contains(err.Error(), "limit") {
			t.Errorf("limit %d accepted: %v", limit, err)
		}
	}
	if f.count("/feed") != before {
		t.Error("an invalid limit was sent upstream")
	}
}

func TestMalformedRecordsAreRefusedNamingTheField(t *testing.T) {
	cpr := synthCPR(9)
	referral := func(override string) string {
		return `{"referrals":[{"id":"r","cpr":"` + string(cpr) + `","kind":"REF01","senderYdernummer":"012345",` +
			`"receiver":{"kind":"sor","sor":"6621000"},"priority":"routine","sentAt":"2026-02-05T09:00:00Z",` +
			`"history":[{"status":"sent","at":"2026-02-05T09:00:00Z"},{"status":"received","at":"2026-02-05T10:00:00Z"}]` + override + `}]}`
	}
	tests := []struct {
		name, route, body, wantField string
	}{
		{"unknown history status", "/referrals/search", strings.Replace(referral(""), `"received"`, `"lost"`, 1), "referrals[0].history[1].status"},
		{"bad history time", "/referrals/search", strings.Replace(referral(""), `"2026-02-05T10:00:00Z"`, `"yesterday"`, 1), "referrals[0].history[1].at"},
		{"unknown receiver kind", "/referrals/search", referral(`,"receiver":{"kind":"pharmacy"}`), "referrals[0].receiver.kind"},
		{"municipality receiver without code", "/referrals/search", referral(`,"receiver":{"kind":"municipality"}`), "referrals[0].receiver.municipality"},
		{"unknown kind", "/referrals/search", referral(`,"kind":"REF99"`), "referrals[0].kind"},
		{"history of the wrong type", "/referrals/search", referral(`,"history":"sent"`), "referrals[0].history"},
		{"contact of the wrong kind", "/contacts/search",
			`{"contacts":[{"id":"c","cpr":"` + string(cpr) + `","ydernummer":"1","at":"2026-02-05T09:00:00Z","kind":"telepathy"}]}`, "contacts[0].kind"},
		{"feed event with invalid CPR", "/feed",
			`{"nextCursor":"c1","events":[{"cursor":"c1","referralId":"r","cpr":"1234","change":{"status":"sent","at":"2026-02-05T09:00:00Z"}}]}`, "events[0].cpr"},
		{"feed page without next cursor", "/feed",
			`{"events":[{"cursor":"c1","referralId":"r","cpr":"` + string(cpr) + `","change":{"status":"sent","at":"2026-02-05T09:00:00Z"}}]}`, "nextCursor"},
		{"practice not asked for", "/practices/lookup", `{"practices":[{"ydernummer":"777777","municipality":340}]}`, "practices[0].ydernummer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, tt.body) }))
			defer srv.Close()
			up, err := upstream.New(upstream.Options{System: "gpreferral", BaseURL: srv.URL})
			if err != nil {
				t.Fatal(err)
			}
			defer up.Close()
			c := New(up)
			ctx := context.Background()
			switch tt.route {
			case "/referrals/search":
				_, err = c.ReferralsByCPR(ctx, []domain.CPR{cpr})
			case "/contacts/search":
				_, err = c.ContactsByCPR(ctx, []domain.CPR{cpr})
			case "/feed":
				// A bad event is skipped and named; the page stands.
				var page FeedPage
				page, err = c.Feed(ctx, "", 10)
				if err == nil && len(page.Skipped) > 0 {
					err = page.Skipped[0]
				}
			default:
				_, err = c.PracticesByYdernummer(ctx, []domain.Ydernummer{"012345"})
			}
			var de *upstream.DecodeError
			if !errors.As(err, &de) || de.Field != tt.wantField || de.System != "gpreferral" {
				t.Fatalf("want DecodeError gpreferral %q, got %v", tt.wantField, err)
			}
		})
	}
}

func TestErrorAnswersAreTyped(t *testing.T) {
	f := newFakeFeed(t)
	up, err := upstream.New(upstream.Options{System: "gpreferral", BaseURL: f.URL + "/wrong-base"})
	if err != nil {
		t.Fatal(err)
	}
	defer up.Close()
	_, err = New(up).ReferralsByCPR(context.Background(), []domain.CPR{synthCPR(1)})
	var ae *upstream.APIError
	if !errors.As(err, &ae) || ae.Code != "not_found" || ae.Status.Status != http.StatusNotFound {
		t.Fatalf("want *APIError not_found, got %v", err)
	}
	if sys, code, _ := upstream.Classify(err); sys != "gpreferral" || code != errcode.UpstreamBadResponse {
		t.Errorf("Classify = %s %s", sys, code)
	}
}
