// Package gpreferral simulates the GP referral feed's JSON REST API
// (contract connectors/gpreferral/gpreferralapi): referrals and GP contacts
// by CPR, the ordered event feed with a cursor, and the practice directory.
//
// It serves; it never logs a request's contents.
package gpreferral

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/sundhedsklynge/klynge/connectors/gpreferral/gpreferralapi"
	"github.com/sundhedsklynge/klynge/domain"
	"github.com/sundhedsklynge/klynge/sandbox/controls"
	"github.com/sundhedsklynge/klynge/sandbox/internal/httpapi"
	"github.com/sundhedsklynge/klynge/sandbox/population"
)

// Prefix is the system's base path.
const Prefix = "/gpreferral"

type server struct {
	world *population.World
}

// System describes the GP referral feed's routes over w.
func System(w *population.World) httpapi.System {
	s := &server{world: w}
	jsonErr := func(status int, desc string) httpapi.Response {
		return httpapi.Response{Status: status, Description: desc, ContentType: "application/json", Schema: gpreferralapi.Error{}}
	}
	bodyErrs := []httpapi.Response{
		jsonErr(400, "malformed request, naming the field and the rule (e.g. more than 200 CPRs)"),
		jsonErr(413, "body over 1 MiB"),
		jsonErr(415, "body is not JSON"),
	}
	ok := func(schema any, desc string) httpapi.Response {
		return httpapi.Response{Status: 200, Description: desc, ContentType: "application/json", Schema: schema}
	}
	return httpapi.System{
		Name:    "gpreferral",
		Title:   "GP referral feed and practice directory",
		Version: "1.0.0",
		Prefix:  Prefix,
		Key:     func(*http.Request) (string, bool) { return controls.SystemGPReferral, true },
		Routes: []httpapi.Route{
			{
				Method: http.MethodPost, Pattern: Prefix + "/referrals/search", OperationID: "searchReferrals",
				Summary:   "Referrals of up to 200 citizens with their status histories",
				Request:   &httpapi.Body{ContentType: "application/json", Schema: gpreferralapi.SearchRequest{}, Required: true},
				Responses: append([]httpapi.Response{ok(gpreferralapi.ReferralsResponse{}, "referrals ordered by CPR, then sentAt")}, bodyErrs...),
				Handler:   s.referrals,
			},
			{
				Method: http.MethodPost, Pattern: Prefix + "/contacts/search", OperationID: "searchContacts",
				Summary:   "Contacts of up to 200 citizens with their practice",
				Request:   &httpapi.Body{ContentType: "application/json", Schema: gpreferralapi.SearchRequest{}, Required: true},
				Responses: append([]httpapi.Response{ok(gpreferralapi.ContactsResponse{}, "contacts ordered by CPR, then at")}, bodyErrs...),
				Handler:   s.contacts,
			},
			{
				Method: http.MethodGet, Pattern: Prefix + "/feed", OperationID: "readFeed",
				Summary:     "The ordered event feed of referral status changes",
				Description: "Pass nextCursor as after to continue; an empty page with the same cursor means caught up.",
				Params: []httpapi.Param{
					{Name: "after", In: "query", Description: "cursor of the last event seen; empty for the start"},
					{Name: "limit", In: "query", Type: "integer", Description: fmt.Sprintf("events per page, 1..%d, default 100", gpreferralapi.MaxFeedLimit)},
				},
				Responses: []httpapi.Response{ok(gpreferralapi.FeedPage{}, "one page of events"), jsonErr(400, "bad cursor or limit, or an unknown parameter")},
				Handler:   s.feed,
			},
			{
				Method: http.MethodGet, Pattern: Prefix + "/practices", OperationID: "listPractices",
				Summary:   "Practices, optionally of one municipality",
				Params:    []httpapi.Param{{Name: "municipality", In: "query", Type: "integer", Description: "3-digit municipality code"}},
				Responses: []httpapi.Response{ok(gpreferralapi.PracticesResponse{}, "practices ordered by ydernummer"), jsonErr(400, "bad municipality code or an unknown parameter")},
				Handler:   s.practices,
			},
			{
				Method: http.MethodGet, Pattern: Prefix + "/practices/{ydernummer}", OperationID: "getPractice",
				Summary:   "One practice by ydernummer",
				Params:    []httpapi.Param{{Name: "ydernummer", In: "path", Description: "6-digit provider number"}},
				Responses: []httpapi.Response{ok(gpreferralapi.Practice{}, "the practice"), jsonErr(404, "no such practice")},
				Handler:   s.practice,
			},
			{
				Method: http.MethodPost, Pattern: Prefix + "/practices/lookup", OperationID: "lookupPractices",
				Summary:   "Up to 200 practices by ydernummer; unknown ones are left out",
				Request:   &httpapi.Body{ContentType: "application/json", Schema: gpreferralapi.LookupRequest{}, Required: true},
				Responses: append([]httpapi.Response{ok(gpreferralapi.PracticesResponse{}, "practices ordered by ydernummer")}, bodyErrs...),
				Handler:   s.lookup,
			},
		},
		WriteError: WriteError,
	}
}

// WriteError answers an error as the referral feed does.
func WriteError(w http.ResponseWriter, status int, code, message string) {
	httpapi.WriteJSON(w, status, "application/json", gpreferralapi.Error{Error: code, Message: message})
}

func fail(w http.ResponseWriter, err error) {
	e := httpapi.AsError(err)
	WriteError(w, e.Status, e.Code, e.Message)
}

func (s *server) citizens(w http.ResponseWriter, r *http.Request) ([]domain.CPR, bool) {
	var req gpreferralapi.SearchRequest
	if err := httpapi.DecodeJSON(w, r, &req); err != nil {
		fail(w, err)
		return nil, false
	}
	httpapi.SetKeys(r.Context(), len(req.CPRs))
	cprs, err := httpapi.ParseCPRs(req.CPRs, gpreferralapi.MaxCPRsPerSearch)
	if err != nil {
		fail(w, err)
		return nil, false
	}
	slices.Sort(cprs)
	return cprs, true
}

func (s *server) referrals(w http.ResponseWriter, r *http.Request) {
	cprs, ok := s.citizens(w, r)
	if !ok {
		return
	}
	resp := gpreferralapi.ReferralsResponse{Referrals: []gpreferralapi.Referral{}}
	for _, c := range cprs {
		for _, ref := range s.world.ReferralsOf(c) {
			resp.Referrals = append(resp.Referrals, s.referral(ref))
		}
	}
	httpapi.WriteJSON(w, http.StatusOK, "application/json", resp)
}

func (s *server) referral(ref domain.Referral) gpreferralapi.Referral {
	loc := s.world.Location()
	out := gpreferralapi.Referral{
		ID:               ref.ID,
		CPR:              string(ref.CPR),
		Kind:             string(ref.Kind),
		SenderYdernummer: string(ref.Sender),
		Receiver: gpreferralapi.Receiver{
			Kind:         ref.Receiver.Kind,
			SOR:          string(ref.Receiver.SOR),
			Municipality: int(ref.Receiver.Municipality),
			Name:         ref.Receiver.Name,
		},
		ReasonCode:    ref.Reason.Code,
		ReasonDisplay: ref.Reason.Display,
		Priority:      string(ref.Priority),
		SentAt:        httpapi.Time(ref.SentAt, loc),
		History:       make([]gpreferralapi.StatusChange, 0, len(ref.History)),
	}
	for _, h := range ref.History {
		out.History = append(out.History, statusChange(h, loc))
	}
	return out
}

func (s *server) contacts(w http.ResponseWriter, r *http.Request) {
	cprs, ok := s.citizens(w, r)
	if !ok {
		return
	}
	loc := s.world.Location()
	resp := gpreferralapi.ContactsResponse{Contacts: []gpreferralapi.Contact{}}
	for _, c := range cprs {
		for _, gc := range s.world.GPContactsOf(c) {
			resp.Contacts = append(resp.Contacts, gpreferralapi.Contact{
				ID:         gc.ID,
				CPR:        string(gc.CPR),
				Ydernummer: string(gc.Practice),
				At:         httpapi.Time(gc.At, loc),
				Kind:       gc.Kind,
			})
		}
	}
	httpapi.WriteJSON(w, http.StatusOK, "application/json", resp)
}

// The feed cursor is the number of events before the next one, in decimal.
func (s *server) feed(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if err := httpapi.OnlyParams(q, "after", "limit"); err != nil {
		fail(w, err)
		return
	}
	feed := s.world.Feed()
	pos := 0
	if a := q.Get("after"); a != "" {
		n, err := strconv.Atoi(a)
		if err != nil || n < 0 || n > len(feed) || strconv.Itoa(n) != a {
			fail(w, httpapi.BadRequest("after: %q is not a cursor this feed gave out", a))
			return
		}
		pos = n
	}
	limit := 100
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > gpreferralapi.MaxFeedLimit {
			fail(w, httpapi.BadRequest("limit: must be an integer 1..%d, got %q", gpreferralapi.MaxFeedLimit, l))
			return
		}
		limit = n
	}
	loc := s.world.Location()
	refs := s.world.Referrals()
	page := gpreferralapi.FeedPage{Events: []gpreferralapi.FeedEvent{}, NextCursor: strconv.Itoa(pos)}
	for k := pos; k < len(feed) && k < pos+limit; k++ {
		ev := feed[k]
		ref := refs[ev.Referral]
		cursor := strconv.Itoa(k + 1)
		page.Events = append(page.Events, gpreferralapi.FeedEvent{
			Cursor:     cursor,
			ReferralID: ref.ID,
			CPR:        string(ref.CPR),
			Change:     statusChange(ref.History[ev.Change], loc),
		})
		page.NextCursor = cursor
	}
	httpapi.WriteJSON(w, http.StatusOK, "application/json", page)
}

func statusChange(h domain.ReferralStatusChange, loc *time.Location) gpreferralapi.StatusChange {
	return gpreferralapi.StatusChange{Status: string(h.Status), At: httpapi.Time(h.At, loc), Note: h.Note}
}

func (s *server) practices(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if err := httpapi.OnlyParams(q, "municipality"); err != nil {
		fail(w, err)
		return
	}
	var only domain.MunicipalityCode
	if m := q.Get("municipality"); m != "" {
		n, err := strconv.Atoi(m)
		if err != nil || n < 101 || n > 999 {
			fail(w, httpapi.BadRequest("municipality: must be a 3-digit municipality code, got %q", m))
			return
		}
		only = domain.MunicipalityCode(n)
	}
	resp := gpreferralapi.PracticesResponse{Practices: []gpreferralapi.Practice{}}
	for _, p := range s.world.Practices() {
		if only == 0 || p.Municipality == only {
			resp.Practices = append(resp.Practices, wirePractice(p))
		}
	}
	httpapi.WriteJSON(w, http.StatusOK, "application/json", resp)
}

func (s *server) practice(w http.ResponseWriter, r *http.Request) {
	httpapi.SetKeys(r.Context(), 1)
	y := r.PathValue("ydernummer")
	p, ok := s.world.Practice(domain.Ydernummer(y))
	if !ok {
		fail(w, httpapi.NotFound("no practice with ydernummer %q", y))
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, "application/json", wirePractice(p))
}

func (s *server) lookup(w http.ResponseWriter, r *http.Request) {
	var req gpreferralapi.LookupRequest
	if err := httpapi.DecodeJSON(w, r, &req); err != nil {
		fail(w, err)
		return
	}
	httpapi.SetKeys(r.Context(), len(req.Ydernumre))
	switch {
	case len(req.Ydernumre) == 0:
		fail(w, httpapi.BadRequest("ydernumre: at least one ydernummer is required"))
		return
	case len(req.Ydernumre) > gpreferralapi.MaxPracticesLookup:
		fail(w, &httpapi.Error{Status: 400, Code: "too_many_ydernumre", Message: fmt.Sprintf("ydernumre: at most %d per request, got %d", gpreferralapi.MaxPracticesLookup, len(req.Ydernumre))})
		return
	}
	var found []domain.Practice
	for i, y := range req.Ydernumre {
		if !isYdernummer(y) {
			fail(w, httpapi.BadRequest("ydernumre[%d]: must be 6 digits", i))
			return
		}
		if p, ok := s.world.Practice(domain.Ydernummer(y)); ok && !slices.ContainsFunc(found, func(q domain.Practice) bool { return q.Ydernummer == p.Ydernummer }) {
			found = append(found, p)
		}
	}
	slices.SortFunc(found, func(a, b domain.Practice) int { return cmp.Compare(a.Ydernummer, b.Ydernummer) })
	resp := gpreferralapi.PracticesResponse{Practices: []gpreferralapi.Practice{}}
	for _, p := range found {
		resp.Practices = append(resp.Practices, wirePractice(p))
	}
	httpapi.WriteJSON(w, http.StatusOK, "application/json", resp)
}

func isYdernummer(s string) bool {
	if len(s) != 6 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func wirePractice(p domain.Practice) gpreferralapi.Practice {
	return gpreferralapi.Practice{
		Ydernummer:   string(p.Ydernummer),
		Name:         p.Name,
		Municipality: int(p.Municipality),
		AddressLine:  p.Address.Line,
		PostalCode:   p.Address.PostalCode,
		City:         p.Address.City,
		Phone:        p.Phone,
	}
}
