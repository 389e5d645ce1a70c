// Package outofhours simulates Lægevagten's JSON REST API (contract
// connectors/outofhours/outofhoursapi) over the generated world: contacts
// searched by up to 200 CPRs and a time window, and read by id.
//
// It serves; it never logs a request's contents.
package outofhours

import (
	"cmp"
	"net/http"
	"slices"

	"github.com/sundhedsklynge/klynge/connectors/outofhours/outofhoursapi"
	"github.com/sundhedsklynge/klynge/domain"
	"github.com/sundhedsklynge/klynge/sandbox/controls"
	"github.com/sundhedsklynge/klynge/sandbox/internal/httpapi"
	"github.com/sundhedsklynge/klynge/sandbox/population"
)

// Prefix is where the system lives; its base URL is Prefix + "/api/v1".
const Prefix = "/outofhours"

const base = Prefix + "/api/v1"

type server struct {
	world *population.World
}

// System describes Lægevagten's routes over w.
func System(w *population.World) httpapi.System {
	s := &server{world: w}
	errs := []httpapi.Response{
		{Status: 400, Description: "malformed request, naming the field and the rule (e.g. more than 200 CPRs)", ContentType: "application/json", Schema: outofhoursapi.Error{}},
		{Status: 413, Description: "body over 1 MiB", ContentType: "application/json", Schema: outofhoursapi.Error{}},
		{Status: 415, Description: "body is not JSON", ContentType: "application/json", Schema: outofhoursapi.Error{}},
	}
	return httpapi.System{
		Name:    "outofhours",
		Title:   "Lægevagten (out-of-hours GP service), Region Sjælland",
		Version: "1.0.0",
		Prefix:  Prefix,
		Key:     func(*http.Request) (string, bool) { return controls.SystemOutOfHours, true },
		Routes: []httpapi.Route{
			{
				Method:      http.MethodPost,
				Pattern:     base + "/contacts/search",
				OperationID: "searchContacts",
				Summary:     "Contacts of up to 200 citizens, received in [from, to)",
				Request:     &httpapi.Body{ContentType: "application/json", Schema: outofhoursapi.SearchRequest{}, Required: true},
				Responses: append([]httpapi.Response{
					{Status: 200, Description: "contacts ordered by CPR, then receivedAt", ContentType: "application/json", Schema: outofhoursapi.SearchResponse{}},
				}, errs...),
				Handler: s.search,
			},
			{
				Method:      http.MethodGet,
				Pattern:     base + "/contacts/{id}",
				OperationID: "getContact",
				Summary:     "One contact by id",
				Params:      []httpapi.Param{{Name: "id", In: "path", Description: "contact id, e.g. ooh-000123"}},
				Responses: []httpapi.Response{
					{Status: 200, ContentType: "application/json", Schema: outofhoursapi.Contact{}},
					{Status: 404, Description: "no such contact", ContentType: "application/json", Schema: outofhoursapi.Error{}},
				},
				Handler: s.get,
			},
		},
		WriteError: WriteError,
	}
}

// WriteError answers an error as Lægevagten does.
func WriteError(w http.ResponseWriter, status int, code, message string) {
	httpapi.WriteJSON(w, status, "application/json", outofhoursapi.Error{Error: code, Message: message})
}

func fail(w http.ResponseWriter, err error) {
	e := httpapi.AsError(err)
	WriteError(w, e.Status, e.Code, e.Message)
}

func (s *server) search(w http.ResponseWriter, r *http.Request) {
	var req outofhoursapi.SearchRequest
	if err := httpapi.DecodeJSON(w, r, &req); err != nil {
		fail(w, err)
		return
	}
	httpapi.SetKeys(r.Context(), len(req.CPRs))
	cprs, err := httpapi.ParseCPRs(req.CPRs, outofhoursapi.MaxCPRsPerSearch)
	if err != nil {
		fail(w, err)
		return
	}
	from, to, err := httpapi.ParseWindow(req.From, req.To)
	if err != nil {
		fail(w, err)
		return
	}
	slices.Sort(cprs)
	resp := outofhoursapi.SearchResponse{Contacts: []outofhoursapi.Contact{}}
	for _, c := range cprs {
		for _, o := range s.world.OutOfHoursOf(c) {
			if httpapi.InWindow(o.ReceivedAt, from, to) {
				resp.Contacts = append(resp.Contacts, s.wire(o))
			}
		}
	}
	httpapi.WriteJSON(w, http.StatusOK, "application/json", resp)
}

func (s *server) get(w http.ResponseWriter, r *http.Request) {
	httpapi.SetKeys(r.Context(), 1)
	id := r.PathValue("id")
	all := s.world.OutOfHoursContacts()
	i, ok := slices.BinarySearchFunc(all, id, func(o domain.OutOfHoursContact, id string) int { return cmp.Compare(o.ID, id) })
	if !ok {
		fail(w, httpapi.NotFound("no contact with id %q", id))
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, "application/json", s.wire(all[i]))
}

func (s *server) wire(o domain.OutOfHoursContact) outofhoursapi.Contact {
	loc := s.world.Location()
	return outofhoursapi.Contact{
		ID:               o.ID,
		CPR:              string(o.CPR),
		ReceivedAt:       httpapi.Time(o.ReceivedAt, loc),
		TriageBy:         o.TriageBy,
		ComplaintCode:    o.Complaint.Code,
		ComplaintDisplay: o.Complaint.Display,
		Urgency:          string(o.Urgency),
		Outcome:          string(o.Outcome),
		StartedAt:        httpapi.Time(o.StartedAt, loc),
		EndedAt:          httpapi.Time(o.EndedAt, loc),
		Site:             o.Site,
	}
}
