package outofhours

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/sundhedsklynge/klynge/connectors/outofhours/outofhoursapi"
	"github.com/sundhedsklynge/klynge/connectors/upstream"
	"github.com/sundhedsklynge/klynge/domain"
)

// Client reads Lægevagten. It is safe for concurrent use.
type Client struct {
	up *upstream.Client
}

// New returns a client over up, which carries Lægevagten's base URL,
// credentials, timeouts and breaker.
func New(up *upstream.Client) *Client { return &Client{up: up} }

// ContactsByCPR returns the contacts of each citizen received in [from,
// to) (a zero bound is open), oldest first. Citizens without contacts are
// absent from the map. The list is sent in batches of
// outofhoursapi.MaxCPRsPerSearch, a few at a time; any failed batch fails
// the call. A contact that cannot be read costs only its citizen: the map
// comes back with a *upstream.RecordErrors naming those citizens' errors.
func (c *Client) ContactsByCPR(ctx context.Context, cprs []domain.CPR, from, to time.Time) (map[domain.CPR][]domain.OutOfHoursContact, error) {
	search := func(ctx context.Context, batch []domain.CPR) (upstream.Answer[domain.CPR, domain.OutOfHoursContact], error) {
		return c.search(ctx, batch, from, to)
	}
	out, err := upstream.CollectInBatches(ctx, c.up.System(), cprs, outofhoursapi.MaxCPRsPerSearch, search,
		func(ct domain.OutOfHoursContact) domain.CPR { return ct.CPR })
	if out == nil {
		return nil, fmt.Errorf("outofhours: search contacts: %w", err)
	}
	for _, list := range out {
		slices.SortStableFunc(list, func(a, b domain.OutOfHoursContact) int { return a.ReceivedAt.Compare(b.ReceivedAt) })
	}
	return out, err
}

func (c *Client) search(ctx context.Context, cprs []domain.CPR, from, to time.Time) (upstream.Answer[domain.CPR, domain.OutOfHoursContact], error) {
	req := outofhoursapi.SearchRequest{CPRs: make([]string, len(cprs)), From: formatTime(from), To: formatTime(to)}
	for i, cpr := range cprs {
		req.CPRs[i] = string(cpr)
	}
	const op = "contact_search"
	var a upstream.Answer[domain.CPR, domain.OutOfHoursContact]
	err := c.up.PostSearch(ctx, op, "/contacts/search", len(cprs), req, func(body []byte) error {
		var err error
		a, err = contactReader(c.up.System(), op, upstream.NewKeySet(cprs)).Read(body)
		return err
	})
	if err != nil {
		return a, upstream.AsAPIError(err)
	}
	return a, nil
}

func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
