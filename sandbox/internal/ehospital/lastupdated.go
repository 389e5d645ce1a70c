package ehospital

import (
	"time"

	"github.com/sundhedsklynge/klynge/domain"
)

// LastUpdated is when an encounter last changed as the server sees it: its
// start, its end, or the latest notification sent about it. The sandbox
// keeps no version history, so this is what _lastUpdated searches and
// meta.lastUpdated read.
func LastUpdated(e domain.Encounter) time.Time {
	lu := e.Start
	if e.End.After(lu) {
		lu = e.End
	}
	for _, n := range e.Notifications {
		if n.SentAt.After(lu) {
			lu = n.SentAt
		}
	}
	return lu
}
