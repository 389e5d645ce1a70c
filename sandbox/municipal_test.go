package sandbox_test

import (
	"net/http"
	"testing"

	"github.com/sundhedsklynge/klynge/connectors/municipal/municipalapi"
	"github.com/sundhedsklynge/klynge/domain"
	"github.com/sundhedsklynge/klynge/sandbox/controls"
)

func TestMunicipalCare(t *testing.T) {
	s := start(t)
	w := s.Sandbox.World()
	// A citizen with services, visits and received notifications.
	var c domain.Citizen
	for _, x := range w.Citizens() {
		if len(w.ServicesOf(x.CPR)) > 0 && len(w.VisitsOf(x.CPR)) > 0 && len(w.ReceivedNotificationsOf(x.CPR)) > 0 {
			c = x
			break
		}
	}
	if c.CPR == "" {
		t.Fatal("no citizen with services, visits and notifications")
	}
	home := s.URLs.Municipal(c.Address.Municipality)
	other := s.URLs.Municipal(390)
	if c.Address.Municipality == 390 {
		other = s.URLs.Municipal(330)
	}
	req := municipalapi.SearchRequest{CPRs: []string{string(c.CPR)}}

	t.Run("the instance says which municipality it serves", func(t *testing.T) {
		a := get(t, s.URLs.Municipal(330)+"/")
		wantStatus(t, a, 200)
		var in municipalapi.Instance
		a.decode(t, &in)
		if in.Code != 330 || in.Name != "Slagelse" {
			t.Errorf("instance %+v", in)
		}
	})

	t.Run("the home municipality knows the citizen's services, visits and notifications", func(t *testing.T) {
		var services municipalapi.ServicesResponse
		a := postJSON(t, home+"/services/search", req)
		wantStatus(t, a, 200)
		a.decode(t, &services)
		if len(services.Services) != len(w.ServicesOf(c.CPR)) || services.Services[0].FSIIICode == "" || services.Services[0].Law == "" {
			t.Errorf("services %+v", services.Services)
		}
		var visits municipalapi.VisitsResponse
		a = postJSON(t, home+"/visits/search", req)
		wantStatus(t, a, 200)
		a.decode(t, &visits)
		if len(visits.Visits) != len(w.VisitsOf(c.CPR)) {
			t.Errorf("%d visits, want %d", len(visits.Visits), len(w.VisitsOf(c.CPR)))
		}
		var notes municipalapi.NotificationsResponse
		a = postJSON(t, home+"/notifications/search", req)
		wantStatus(t, a, 200)
		a.decode(t, &notes)
		want := w.ReceivedNotificationsOf(c.CPR)
		if len(notes.Notifications) != len(want) || notes.Notifications[0].MessageID != want[0].MessageID || notes.Notifications[0].SenderSOR == "" {
			t.Errorf("notifications %+v", notes.Notifications)
		}
	})

	t.Run("visits are bounded by plannedAt", func(t *testing.T) {
		vs := w.VisitsOf(c.CPR)
		from := vs[0].PlannedAt
		to := from.Add(1e9)
		a := postJSON(t, home+"/visits/search", municipalapi.SearchRequest{CPRs: req.CPRs, From: from.Format("2006-01-02T15:04:05Z07:00"), To: to.Format("2006-01-02T15:04:05Z07:00")})
		var got municipalapi.VisitsResponse
		a.decode(t, &got)
		for _, v := range got.Visits {
			if at := mustTime(t, v.PlannedAt); at.Before(from) || !at.Before(to) {
				t.Errorf("visit planned %s outside the window", v.PlannedAt)
			}
		}
		if len(got.Visits) == 0 {
			t.Error("the window found no visit")
		}
	})

	t.Run("another municipality's system does not know the citizen", func(t *testing.T) {
		var services municipalapi.ServicesResponse
		a := postJSON(t, other+"/services/search", req)
		wantStatus(t, a, 200)
		a.decode(t, &services)
		if len(services.Services) != 0 {
			t.Errorf("another municipality answered %d services", len(services.Services))
		}
	})

	t.Run("an unknown municipality code is 404", func(t *testing.T) {
		for _, code := range []string{"999", "101", "0330", "abc"} {
			wantStatus(t, postJSON(t, s.URLs.MunicipalRoot+"/"+code+"/api/services/search", req), 404, "no municipal care system")
			wantStatus(t, get(t, s.URLs.MunicipalRoot+"/"+code+"/api/"), 404)
		}
	})

	t.Run("101 CPRs are refused naming the limit", func(t *testing.T) {
		wantStatus(t, postJSON(t, home+"/services/search", municipalapi.SearchRequest{CPRs: cprList(s, 101)}), 400, "at most 100 cprs per request, got 101")
		wantStatus(t, postJSON(t, home+"/visits/search", municipalapi.SearchRequest{CPRs: req.CPRs, To: "soon"}), 400, "to: must be an RFC 3339 time")
		wantStatus(t, call(t, http.MethodGet, home+"/services/search", "", nil), 405, "method_not_allowed")
	})

	t.Run("each municipality is its own system in the stats", func(t *testing.T) {
		s.ResetStats(t)
		postJSON(t, s.URLs.Municipal(330)+"/services/search", req)
		postJSON(t, s.URLs.Municipal(370)+"/services/search", req)
		postJSON(t, s.URLs.Municipal(370)+"/visits/search", req)
		postJSON(t, s.URLs.MunicipalRoot+"/999/api/visits/search", req)
		st := s.Stats(t)
		if st.Requests(controls.MunicipalSystem(330)) != 1 || st.Requests("municipal/370") != 2 || len(st.Systems) != 2 {
			t.Errorf("stats %+v", st.Systems)
		}
		if rs := st.Route("municipal/370", "POST /municipal/{code}/api/visits/search"); rs.Requests != 1 || rs.Keys.Total != 1 {
			t.Errorf("route key is not the pattern: %+v", st.Systems["municipal/370"].Routes)
		}
	})
}
