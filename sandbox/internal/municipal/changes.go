package municipal

import (
	"cmp"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/sundhedsklynge/klynge/connectors/municipal/municipalapi"
	"github.com/sundhedsklynge/klynge/domain"
	"github.com/sundhedsklynge/klynge/sandbox/internal/httpapi"
)

// changeFeeds are each instance's change feeds, built on first read.
type changeFeeds struct {
	mu    sync.Mutex
	feeds map[domain.MunicipalityCode][]change
}

type change struct {
	at   time.Time
	kind string
	id   string
	cpr  domain.CPR
}

func (s *server) changesRoute(code httpapi.Param) httpapi.Route {
	return httpapi.Route{
		Method:      http.MethodGet,
		Pattern:     base + "/changes",
		OperationID: "readChanges",
		Summary:     "The instance's change feed: notifications received, visits performed, services granted, in the order recorded",
		Description: "Pass nextCursor as after to continue; an empty page with the same cursor means caught up.",
		Params: []httpapi.Param{code,
			{Name: "after", In: "query", Description: "cursor of the last change seen; empty for the start"},
			{Name: "limit", In: "query", Description: "page size, 1..1000 (default 100)"},
		},
		Responses: []httpapi.Response{
			{Status: 200, ContentType: "application/json", Schema: municipalapi.ChangesPage{}},
			{Status: 400, Description: "bad cursor or limit, or an unknown parameter", ContentType: "application/json", Schema: municipalapi.Error{}},
		},
		Handler: s.readChanges,
	}
}

// feed is the instance's changes up to the world's present, by time, kind
// and id; a cursor is the number of changes before the next one.
func (s *server) feed(code domain.MunicipalityCode) []change {
	s.changes.mu.Lock()
	defer s.changes.mu.Unlock()
	if f, ok := s.changes.feeds[code]; ok {
		return f
	}
	now := s.world.Now()
	var out []change
	add := func(at time.Time, kind, id string, cpr domain.CPR) {
		if !at.IsZero() && !at.After(now) {
			out = append(out, change{at: at, kind: kind, id: id, cpr: cpr})
		}
	}
	for _, c := range s.world.Citizens() {
		if c.Address.Municipality != code {
			continue
		}
		for _, n := range s.world.ReceivedNotificationsOf(c.CPR) {
			add(n.ReceivedAt, "notification", n.ID, c.CPR)
		}
		for _, v := range s.world.VisitsOf(c.CPR) {
			add(v.PerformedAt, "visit", v.ID, c.CPR)
		}
		for _, sv := range s.world.ServicesOf(c.CPR) {
			add(sv.Start, "service", sv.ID, c.CPR)
		}
	}
	slices.SortFunc(out, func(a, b change) int {
		return cmp.Or(a.at.Compare(b.at), cmp.Compare(a.kind, b.kind), cmp.Compare(a.id, b.id))
	})
	if s.changes.feeds == nil {
		s.changes.feeds = map[domain.MunicipalityCode][]change{}
	}
	s.changes.feeds[code] = out
	return out
}

func (s *server) readChanges(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if err := httpapi.OnlyParams(q, "after", "limit"); err != nil {
		fail(w, err)
		return
	}
	m, _ := s.municipality(r)
	feed := s.feed(m.Code)
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
		if err != nil || n < 1 || n > municipalapi.MaxChangesLimit {
			fail(w, httpapi.BadRequest("limit: must be 1..%d, got %q", municipalapi.MaxChangesLimit, l))
			return
		}
		limit = n
	}
	page := municipalapi.ChangesPage{Changes: []municipalapi.Change{}, NextCursor: strconv.Itoa(pos)}
	loc := s.world.Location()
	for k := pos; k < len(feed) && k < pos+limit; k++ {
		c := feed[k]
		cursor := strconv.Itoa(k + 1)
		page.Changes = append(page.Changes, municipalapi.Change{Cursor: cursor, Kind: c.kind, ID: c.id, CPR: string(c.cpr), At: c.at.In(loc).Format(time.RFC3339)})
		page.NextCursor = cursor
	}
	httpapi.WriteJSON(w, http.StatusOK, "application/json", page)
}
