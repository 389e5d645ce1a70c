package gpreferral

import (
	"encoding/json"
	"strconv"

	"github.com/sundhedsklynge/klynge/connectors/gpreferral/gpreferralapi"
	"github.com/sundhedsklynge/klynge/connectors/upstream"
	"github.com/sundhedsklynge/klynge/domain"
)

// FeedPage is one page of the referral event feed. Pass NextCursor as
// after to read on.
type FeedPage struct {
	Events     []FeedEvent
	NextCursor string
	// Skipped are the events that could not be read, each a
	// *upstream.DecodeError naming the field; the cursor moves past them
	// all the same, so one bad event never stalls the reader.
	Skipped []error
}

// FeedEvent is one status change of one referral, in feed order.
type FeedEvent struct {
	Cursor     string
	ReferralID string
	CPR        domain.CPR
	Change     domain.ReferralStatusChange
}

// feedPageWire is the feed's envelope with its events left undecoded, so
// that each is read on its own.
type feedPageWire struct {
	Events     []json.RawMessage `json:"events"`
	NextCursor string            `json:"nextCursor"`
}

func mapFeedPage(system, op string, body []byte) (FeedPage, error) {
	var w feedPageWire
	if err := upstream.DecodeJSON(system, op, body, &w); err != nil {
		return FeedPage{}, err
	}
	page := FeedPage{NextCursor: w.NextCursor, Events: make([]FeedEvent, 0, len(w.Events))}
	chk := upstream.NewChecker(system, op)
	for i, raw := range w.Events {
		path := "events[" + strconv.Itoa(i) + "]"
		var e gpreferralapi.FeedEvent
		if err := upstream.DecodeJSONAt(system, op, path, raw, &e); err != nil {
			page.Skipped = append(page.Skipped, err)
			continue
		}
		chk.Next("%s", path)
		ev := FeedEvent{
			Cursor:     chk.Required("cursor", e.Cursor),
			ReferralID: chk.Required("referralId", e.ReferralID),
			CPR:        chk.CPR("cpr", e.CPR),
			Change:     mapStatusChange(chk, "change.", e.Change),
		}
		if chk.Failed() {
			page.Skipped = append(page.Skipped, chk.Err())
			continue
		}
		page.Events = append(page.Events, ev)
	}
	chk.Next("")
	if len(w.Events) > 0 {
		chk.Required("nextCursor", w.NextCursor)
	}
	return page, chk.Err()
}
