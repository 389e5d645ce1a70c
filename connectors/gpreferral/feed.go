package gpreferral

import (
	"github.com/sundhedsklynge/klynge/connectors/gpreferral/gpreferralapi"
	"github.com/sundhedsklynge/klynge/connectors/upstream"
	"github.com/sundhedsklynge/klynge/domain"
)

// FeedPage is one page of the referral event feed. Pass NextCursor as
// after to read on.
type FeedPage struct {
	Events     []FeedEvent
	NextCursor string
}

// FeedEvent is one status change of one referral, in feed order.
type FeedEvent struct {
	Cursor     string
	ReferralID string
	CPR        domain.CPR
	Change     domain.ReferralStatusChange
}

func mapFeedPage(chk *upstream.Checker, w gpreferralapi.FeedPage) (FeedPage, error) {
	page := FeedPage{NextCursor: w.NextCursor, Events: make([]FeedEvent, 0, len(w.Events))}
	for i, e := range w.Events {
		chk.At("events[%d]", i)
		ev := FeedEvent{
			Cursor:     chk.Required("cursor", e.Cursor),
			ReferralID: chk.Required("referralId", e.ReferralID),
			CPR:        chk.CPR("cpr", e.CPR),
		}
		chk.At("events[%d].change", i)
		ev.Change = mapStatusChange(chk, e.Change)
		if chk.Failed() {
			return FeedPage{}, chk.Err()
		}
		page.Events = append(page.Events, ev)
	}
	chk.At("")
	if len(page.Events) > 0 {
		chk.Required("nextCursor", w.NextCursor)
	}
	return page, chk.Err()
}
