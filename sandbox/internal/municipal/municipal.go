// Package municipal simulates the municipal care systems' JSON REST API
// (contract connectors/municipal/municipalapi): one logical instance per
// municipality of Region Sjælland under /municipal/{code}/api, each knowing
// only its own citizens' services, visits and received notifications.
//
// It serves; it never logs a request's contents.
package municipal

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"github.com/sundhedsklynge/klynge/connectors/municipal/municipalapi"
	"github.com/sundhedsklynge/klynge/domain"
	"github.com/sundhedsklynge/klynge/sandbox/controls"
	"github.com/sundhedsklynge/klynge/sandbox/internal/httpapi"
	"github.com/sundhedsklynge/klynge/sandbox/population"
)

// Prefix is where the instances live; one instance's base URL is
// Prefix + "/{code}/api".
const Prefix = "/municipal"

const base = Prefix + "/{code}/api"

type server struct {
	world   *population.World
	changes changeFeeds
}

// System describes the municipal care systems over w.
func System(w *population.World) httpapi.System {
	s := &server{world: w}
	var codes []string
	for _, m := range w.Municipalities() {
		codes = append(codes, fmt.Sprintf("%03d", int(m.Code)))
	}
	code := httpapi.Param{Name: "code", In: "path", Description: "3-digit municipality code; one instance per municipality of Region Sjælland", Enum: codes}
	errs := []httpapi.Response{
		{Status: 400, Description: "malformed request, naming the field and the rule (e.g. more than 100 CPRs)", ContentType: "application/json", Schema: municipalapi.Error{}},
		{Status: 404, Description: "no instance for this municipality code", ContentType: "application/json", Schema: municipalapi.Error{}},
		{Status: 413, Description: "body over 1 MiB", ContentType: "application/json", Schema: municipalapi.Error{}},
		{Status: 415, Description: "body is not JSON", ContentType: "application/json", Schema: municipalapi.Error{}},
	}
	search := func(op, summary string, resp any, h http.HandlerFunc, path string) httpapi.Route {
		return httpapi.Route{
			Method:      http.MethodPost,
			Pattern:     base + path,
			OperationID: op,
			Summary:     summary,
			Params:      []httpapi.Param{code},
			Request:     &httpapi.Body{ContentType: "application/json", Schema: municipalapi.SearchRequest{}, Required: true},
			Responses:   append([]httpapi.Response{{Status: 200, ContentType: "application/json", Schema: resp}}, errs...),
			Handler:     h,
		}
	}
	return httpapi.System{
		Name:    "municipal",
		Title:   "Municipal care systems, Region Sjælland (one instance per municipality)",
		Version: "1.0.0",
		Prefix:  Prefix,
		Key:     s.instanceKey,
		UnknownInstance: func(r *http.Request) string {
			return fmt.Sprintf("no municipal care system for municipality code %q", r.PathValue("code"))
		},
		Routes: []httpapi.Route{
			{
				Method:      http.MethodGet,
				Pattern:     base + "/{$}",
				OperationID: "getInstance",
				Summary:     "The municipality this instance serves",
				Params:      []httpapi.Param{code},
				Responses: []httpapi.Response{
					{Status: 200, ContentType: "application/json", Schema: municipalapi.Instance{}},
					{Status: 404, Description: "no instance for this municipality code", ContentType: "application/json", Schema: municipalapi.Error{}},
				},
				Handler: s.instance,
			},
			search("searchServices", "Granted services (FSIII) of up to 100 citizens, whole", municipalapi.ServicesResponse{}, s.services, "/services/search"),
			search("searchVisits", "Planned and performed visits of up to 100 citizens, planned in [from, to)", municipalapi.VisitsResponse{}, s.visits, "/visits/search"),
			search("searchNotifications", "HospitalNotifications received about up to 100 citizens, received in [from, to)", municipalapi.NotificationsResponse{}, s.notifications, "/notifications/search"),
			s.changesRoute(code),
		},
		WriteError: WriteError,
	}
}

// WriteError answers an error as the municipal systems do.
func WriteError(w http.ResponseWriter, status int, code, message string) {
	httpapi.WriteJSON(w, status, "application/json", municipalapi.Error{Error: code, Message: message})
}

func fail(w http.ResponseWriter, err error) {
	e := httpapi.AsError(err)
	WriteError(w, e.Status, e.Code, e.Message)
}

// municipality resolves the {code} of a request to one of the region's.
func (s *server) municipality(r *http.Request) (population.Municipality, bool) {
	raw := r.PathValue("code")
	if len(raw) != 3 {
		return population.Municipality{}, false
	}
	n, err := strconv.Atoi(raw)
	if err != nil {
		return population.Municipality{}, false
	}
	return s.world.Municipality(domain.MunicipalityCode(n))
}

func (s *server) instanceKey(r *http.Request) (string, bool) {
	m, ok := s.municipality(r)
	if !ok {
		return "", false
	}
	return controls.MunicipalSystem(m.Code), true
}

func (s *server) instance(w http.ResponseWriter, r *http.Request) {
	m, _ := s.municipality(r)
	httpapi.WriteJSON(w, http.StatusOK, "application/json", municipalapi.Instance{Code: int(m.Code), Name: m.Name})
}

// request reads a search and returns the asked citizens who live in the
// instance's municipality (others are unknown to it), in CPR order.
func (s *server) request(w http.ResponseWriter, r *http.Request) (cprs []domain.CPR, req municipalapi.SearchRequest, ok bool) {
	if err := httpapi.DecodeJSON(w, r, &req); err != nil {
		fail(w, err)
		return nil, req, false
	}
	httpapi.SetKeys(r.Context(), len(req.CPRs))
	all, err := httpapi.ParseCPRs(req.CPRs, municipalapi.MaxCPRsPerSearch)
	if err != nil {
		fail(w, err)
		return nil, req, false
	}
	m, _ := s.municipality(r)
	for _, c := range all {
		if citizen, ok := s.world.Citizen(c); ok && citizen.Address.Municipality == m.Code {
			cprs = append(cprs, c)
		}
	}
	slices.Sort(cprs)
	return cprs, req, true
}

func (s *server) services(w http.ResponseWriter, r *http.Request) {
	cprs, req, ok := s.request(w, r)
	if !ok {
		return
	}
	if _, _, err := httpapi.ParseWindow(req.From, req.To); err != nil {
		fail(w, err)
		return
	}
	loc := s.world.Location()
	resp := municipalapi.ServicesResponse{Services: []municipalapi.Service{}}
	for _, c := range cprs {
		for _, sv := range s.world.ServicesOf(c) {
			resp.Services = append(resp.Services, municipalapi.Service{
				ID:            sv.ID,
				CPR:           string(sv.CPR),
				FSIIICode:     sv.Service.Code,
				FSIIIDisplay:  sv.Service.Display,
				Law:           string(sv.Law),
				Status:        string(sv.Status),
				Start:         httpapi.Time(sv.Start, loc),
				End:           httpapi.Time(sv.End, loc),
				Team:          sv.Team,
				AcuteFunction: sv.AcuteFunction,
			})
		}
	}
	httpapi.WriteJSON(w, http.StatusOK, "application/json", resp)
}

func (s *server) visits(w http.ResponseWriter, r *http.Request) {
	cprs, req, ok := s.request(w, r)
	if !ok {
		return
	}
	from, to, err := httpapi.ParseWindow(req.From, req.To)
	if err != nil {
		fail(w, err)
		return
	}
	loc := s.world.Location()
	resp := municipalapi.VisitsResponse{Visits: []municipalapi.Visit{}}
	for _, c := range cprs {
		for _, v := range s.world.VisitsOf(c) {
			if !httpapi.InWindow(v.PlannedAt, from, to) {
				continue
			}
			resp.Visits = append(resp.Visits, municipalapi.Visit{
				ID:          v.ID,
				CPR:         string(v.CPR),
				ServiceID:   v.ServiceID,
				PlannedAt:   httpapi.Time(v.PlannedAt, loc),
				PerformedAt: httpapi.Time(v.PerformedAt, loc),
				Status:      string(v.Status),
				Team:        v.Team,
			})
		}
	}
	httpapi.WriteJSON(w, http.StatusOK, "application/json", resp)
}

func (s *server) notifications(w http.ResponseWriter, r *http.Request) {
	cprs, req, ok := s.request(w, r)
	if !ok {
		return
	}
	from, to, err := httpapi.ParseWindow(req.From, req.To)
	if err != nil {
		fail(w, err)
		return
	}
	loc := s.world.Location()
	resp := municipalapi.NotificationsResponse{Notifications: []municipalapi.ReceivedNotification{}}
	for _, c := range cprs {
		for _, n := range s.world.ReceivedNotificationsOf(c) {
			if !httpapi.InWindow(n.ReceivedAt, from, to) {
				continue
			}
			resp.Notifications = append(resp.Notifications, municipalapi.ReceivedNotification{
				ID:          n.ID,
				MessageID:   n.MessageID,
				EncounterID: n.EncounterID,
				CPR:         string(n.CPR),
				Code:        string(n.Code),
				OccurredAt:  httpapi.Time(n.OccurredAt, loc),
				ReceivedAt:  httpapi.Time(n.ReceivedAt, loc),
				SenderSOR:   string(n.SenderHospital.SOR),
				SenderName:  n.SenderHospital.Name,
			})
		}
	}
	httpapi.WriteJSON(w, http.StatusOK, "application/json", resp)
}
