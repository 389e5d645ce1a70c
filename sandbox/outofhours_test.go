package sandbox_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/sundhedsklynge/klynge/connectors/outofhours/outofhoursapi"
	"github.com/sundhedsklynge/klynge/sandbox/controls"
)

func TestOutOfHours(t *testing.T) {
	s := start(t)
	w := s.Sandbox.World()
	search := s.URLs.OutOfHours + "/contacts/search"
	cprs := s.Citizens(t, 5, controls.WithOutOfHours)
	if len(cprs) != 5 {
		t.Fatalf("sampled %d citizens with contacts", len(cprs))
	}

	t.Run("contacts of several citizens come ordered by CPR, then time", func(t *testing.T) {
		a := postJSON(t, search, outofhoursapi.SearchRequest{CPRs: append(cprs, cprs[0])})
		wantStatus(t, a, 200)
		var resp outofhoursapi.SearchResponse
		a.decode(t, &resp)
		want := 0
		for _, c := range cprs {
			want += len(w.OutOfHoursOf(domainCPR(c)))
		}
		if len(resp.Contacts) != want {
			t.Fatalf("%d contacts, want %d", len(resp.Contacts), want)
		}
		for i := 1; i < len(resp.Contacts); i++ {
			p, c := resp.Contacts[i-1], resp.Contacts[i]
			if p.CPR > c.CPR || (p.CPR == c.CPR && mustTime(t, p.ReceivedAt).After(mustTime(t, c.ReceivedAt))) {
				t.Fatalf("contacts out of order at %d", i)
			}
		}
		first := resp.Contacts[0]
		if first.ID == "" || first.ComplaintCode == "" || first.Outcome == "" || first.StartedAt == "" || first.TriageBy == "" {
			t.Errorf("contact lacks fields: %+v", first)
		}
	})

	t.Run("from and to bound receivedAt", func(t *testing.T) {
		all := w.OutOfHoursOf(domainCPR(cprs[0]))
		at := all[0].ReceivedAt
		a := postJSON(t, search, outofhoursapi.SearchRequest{CPRs: cprs[:1], From: at.Format("2006-01-02T15:04:05Z07:00"), To: at.Add(1e9).Format("2006-01-02T15:04:05Z07:00")})
		wantStatus(t, a, 200)
		var resp outofhoursapi.SearchResponse
		a.decode(t, &resp)
		if len(resp.Contacts) != 1 || resp.Contacts[0].ID != all[0].ID {
			t.Errorf("window found %+v, want %s", resp.Contacts, all[0].ID)
		}
	})

	t.Run("one contact by id", func(t *testing.T) {
		o := w.OutOfHoursContacts()[0]
		a := get(t, s.URLs.OutOfHours+"/contacts/"+o.ID)
		wantStatus(t, a, 200)
		var c outofhoursapi.Contact
		a.decode(t, &c)
		if c.ID != o.ID || c.CPR != string(o.CPR) {
			t.Errorf("got %+v", c)
		}
		wantStatus(t, get(t, s.URLs.OutOfHours+"/contacts/ooh-999999"), 404, `"error":"not_found"`)
	})

	t.Run("bad requests are 400 naming the field and rule", func(t *testing.T) {
		tooMany := cprList(s, outofhoursapi.MaxCPRsPerSearch+1)
		bad := cprList(s, 5)
		bad[3] = "3113001234"
		for _, tc := range []struct {
			name string
			body any
			want string
		}{
			{"201 CPRs", outofhoursapi.SearchRequest{CPRs: tooMany}, "at most 200 cprs per request, got 201"},
			{"malformed CPR", outofhoursapi.SearchRequest{CPRs: bad}, "cprs[3]: cpr: month 13"},
			{"no CPRs", outofhoursapi.SearchRequest{}, "cprs: at least one cpr is required"},
			{"unknown field", `{"cprs":["6101320306"],"since":"x"}`, `unknown field "since"`},
			{"wrong type", `{"cprs":"6101320306"}`, "cprs: must be an array of strings"},
			{"malformed JSON", `{"cprs":[`, "malformed JSON"},
			{"empty body", ``, "must be a JSON object"},
			{"bad from", outofhoursapi.SearchRequest{CPRs: bad[:1], From: "yesterday"}, "from: must be an RFC 3339 time"},
			{"from after to", outofhoursapi.SearchRequest{CPRs: bad[:1], From: "2025-11-02T00:00:00Z", To: "2025-11-01T00:00:00Z"}, "from: must be before to"},
			{"two objects", `{"cprs":["6101320306"]} {}`, "nothing after it"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				wantStatus(t, postJSON(t, search, tc.body), 400, tc.want)
			})
		}
	})

	t.Run("wrong media type is 415, huge body 413, wrong method 405", func(t *testing.T) {
		wantStatus(t, call(t, http.MethodPost, search, "text/plain", `{"cprs":[]}`), 415, "Content-Type must be application/json")
		huge := `{"cprs":["` + strings.Repeat("1", 2<<20) + `"]}`
		wantStatus(t, postJSON(t, search, huge), 413, "body_too_large")
		a := call(t, http.MethodPut, search, "application/json", `{}`)
		wantStatus(t, a, 405, "method_not_allowed")
		if !strings.Contains(a.header.Get("Allow"), "POST") {
			t.Errorf("Allow %q", a.header.Get("Allow"))
		}
		wantStatus(t, get(t, s.URLs.OutOfHours+"/calls"), 404, "no route for GET")
	})

	t.Run("stats count the CPRs asked, also when refused", func(t *testing.T) {
		s.ResetStats(t)
		postJSON(t, search, outofhoursapi.SearchRequest{CPRs: cprs[:3]})
		postJSON(t, search, outofhoursapi.SearchRequest{CPRs: cprList(s, 201)})
		rs := s.Stats(t).Route(controls.SystemOutOfHours, "POST /outofhours/api/v1/contacts/search")
		if rs.Requests != 2 || fmt.Sprint(rs.Keys.PerRequest) != "[3 201]" || rs.Keys.Max != 201 || rs.Keys.Total != 204 {
			t.Errorf("route stats %+v", rs)
		}
	})
}
