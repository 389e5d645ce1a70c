package ehospital

import (
	"container/list"
	"sync"
)

// maxStoredSearches bounds the searches kept for paging.
const maxStoredSearches = 1024

// searchStore keeps recent searches so that next links can be opaque: the
// link names a search id, never the parameters (which hold CPRs). The id is
// a hash of the normalized search, so the same search gets the same links in
// every run. Least recently used searches are forgotten first.
type searchStore struct {
	mu    sync.Mutex
	order *list.List // of *query, most recent first
	byID  map[string]*list.Element
}

func newSearchStore() *searchStore {
	return &searchStore{order: list.New(), byID: map[string]*list.Element{}}
}

func (s *searchStore) put(q *query) string {
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

func (s *searchStore) get(id string) (*query, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	el, ok := s.byID[id]
	if !ok {
		return nil, false
	}
	s.order.MoveToFront(el)
	return el.Value.(*query), true
}
