package municipal

import (
	"context"
	"fmt"
	"net/url"
	"strconv"

	"github.com/sundhedsklynge/klynge/connectors/municipal/municipalapi"
	"github.com/sundhedsklynge/klynge/connectors/upstream"
	"github.com/sundhedsklynge/klynge/domain"
)

// ChangesPage is one page of an instance's change feed. Pass NextCursor as
// after to read on.
type ChangesPage struct {
	Changes    []Change
	NextCursor string
}

// Change says that one citizen's records changed in this instance: a
// notification received, a visit performed, a service granted.
type Change struct {
	Cursor string
	Kind   string
	ID     string
	CPR    domain.CPR
}

// Changes reads the change feed after a cursor ("" for the start), at most
// limit changes (0: the instance's default).
func (c *Client) Changes(ctx context.Context, after string, limit int) (ChangesPage, error) {
	const op = "changes_read"
	if limit < 0 || limit > municipalapi.MaxChangesLimit {
		return ChangesPage{}, fmt.Errorf("municipal %03d: read changes: limit %d is outside 1..%d", int(c.code), limit, municipalapi.MaxChangesLimit)
	}
	q := url.Values{}
	if after != "" {
		q.Set("after", after)
	}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	var page ChangesPage
	_, err := c.up.Do(ctx, upstream.Request{Op: op, Path: "/changes", Query: q, Decode: func(body []byte) error {
		var wire municipalapi.ChangesPage
		if err := upstream.DecodeJSON(c.up.System(), op, body, &wire); err != nil {
			return err
		}
		chk := upstream.NewChecker(c.up.System(), op)
		page = ChangesPage{NextCursor: wire.NextCursor}
		for i, w := range wire.Changes {
			chk.At("changes[%d]", i)
			page.Changes = append(page.Changes, Change{
				Cursor: chk.Required("cursor", w.Cursor),
				Kind:   w.Kind,
				ID:     w.ID,
				CPR:    chk.CPR("cpr", w.CPR),
			})
		}
		chk.At("")
		if len(wire.Changes) > 0 {
			chk.Required("nextCursor", wire.NextCursor)
		}
		return chk.Err()
	}})
	if err != nil {
		return ChangesPage{}, fmt.Errorf("municipal %03d: read changes: %w", int(c.code), upstream.AsAPIError(err))
	}
	return page, nil
}
