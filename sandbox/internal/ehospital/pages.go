package ehospital

import (
	"container/list"
	"sync"
)

// maxStoredSearches bounds the searches kept for paging.
const maxStoredSearches = 1024

// Searches keeps recent searches so that next links can be opaque: the
// link names a search id, never the parameters (which hold CPRs). The id is
// a hash of the normalized search, so the same search gets the same links in
// every run. Least recently used searches are forgotten first.
//
// In a world that runs on, the systems are rebuilt over each new view of
// the world while one Searches outlives them all: a client paging through
// a search while the clock moves must not find its search forgotten (410)
// because the view changed under it. A page of a search stored in an
// earlier view is that search again, in the view that serves the page —
// as on a real server, whose later pages show the data as it is then.
type Searches struct {
	mu    sync.Mutex
	order *list.List // of *query, most recent first
	byID  map[string]*list.Element
}

// NewSearches is an empty store of searches.
func NewSearches() *Searches {
	return &Searches{order: list.New(), byID: map[string]*list.Element{}}
}

func (s *Searches) put(q *query) string {
	id := q.id()
	s.mu.Lock()
	defer s.mu.Unlock()
	if el, ok := s.byID[id]; ok {
		el.Value = q
		s.order.MoveToFront(el)
		return id
	}
	s.byID[id] = s.order.PushFront(q)
	if s.order.Len() > maxStoredSearches {
		last := s.order.Back()
		s.order.Remove(last)
		delete(s.byID, last.Value.(*query).id())
	}
	return id
}

func (s *Searches) get(id string) (*query, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	el, ok := s.byID[id]
	if !ok {
		return nil, false
	}
	s.order.MoveToFront(el)
	return el.Value.(*query), true
}
