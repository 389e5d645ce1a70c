package gpreferral

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strconv"

	"github.com/sundhedsklynge/klynge/connectors/gpreferral/gpreferralapi"
	"github.com/sundhedsklynge/klynge/connectors/upstream"
	"github.com/sundhedsklynge/klynge/domain"
)

// Client reads the GP referral feed. It is safe for concurrent use.
type Client struct {
	up *upstream.Client
}

// New returns a client over up, which carries the feed's base URL,
// credentials, timeouts and breaker.
func New(up *upstream.Client) *Client { return &Client{up: up} }

// ReferralsByCPR returns each citizen's referrals, by time sent, each with
// its status history in time order. Citizens without referrals are absent.
func (c *Client) ReferralsByCPR(ctx context.Context, cprs []domain.CPR) (map[domain.CPR][]domain.Referral, error) {
	const op = "referral_search"
	search := func(ctx context.Context, batch []domain.CPR) ([]domain.Referral, error) {
		var out []domain.Referral
		err := c.searchCPRs(ctx, op, "/referrals/search", batch, func(chk *upstream.Checker, body []byte) error {
			var resp gpreferralapi.ReferralsResponse
			if err := upstream.DecodeJSON(chk.System(), op, body, &resp); err != nil {
				return err
			}
			var err error
			out, err = mapReferrals(chk, resp.Referrals, upstream.NewKeySet(batch))
			return err
		})
		return out, err
	}
	out, err := upstream.CollectInBatches(ctx, cprs, gpreferralapi.MaxCPRsPerSearch, search,
		func(r domain.Referral) domain.CPR { return r.CPR })
	if err != nil {
		return nil, fmt.Errorf("gpreferral: search referrals: %w", err)
	}
	for _, list := range out {
		slices.SortStableFunc(list, func(a, b domain.Referral) int { return a.SentAt.Compare(b.SentAt) })
	}
	return out, nil
}

// ContactsByCPR returns each citizen's contacts with general practice
// (consultations, phone, video, home visits, prescription renewals), oldest
// first. Citizens without contacts are absent.
func (c *Client) ContactsByCPR(ctx context.Context, cprs []domain.CPR) (map[domain.CPR][]domain.GPContact, error) {
	const op = "gp_contact_search"
	search := func(ctx context.Context, batch []domain.CPR) ([]domain.GPContact, error) {
		var out []domain.GPContact
		err := c.searchCPRs(ctx, op, "/contacts/search", batch, func(chk *upstream.Checker, body []byte) error {
			var resp gpreferralapi.ContactsResponse
			if err := upstream.DecodeJSON(chk.System(), op, body, &resp); err != nil {
				return err
			}
			var err error
			out, err = mapContacts(chk, resp.Contacts, upstream.NewKeySet(batch))
			return err
		})
		return out, err
	}
	out, err := upstream.CollectInBatches(ctx, cprs, gpreferralapi.MaxCPRsPerSearch, search,
		func(ct domain.GPContact) domain.CPR { return ct.CPR })
	if err != nil {
		return nil, fmt.Errorf("gpreferral: search contacts: %w", err)
	}
	for _, list := range out {
		slices.SortStableFunc(list, func(a, b domain.GPContact) int { return a.At.Compare(b.At) })
	}
	return out, nil
}

// PracticesByYdernummer looks practices up in batches of
// gpreferralapi.MaxPracticesLookup. Ydernumre the directory does not know
// are absent from the map.
func (c *Client) PracticesByYdernummer(ctx context.Context, ids []domain.Ydernummer) (map[domain.Ydernummer]domain.Practice, error) {
	const op = "practice_lookup"
	search := func(ctx context.Context, batch []domain.Ydernummer) ([]domain.Practice, error) {
		req := gpreferralapi.LookupRequest{Ydernumre: make([]string, len(batch))}
		for i, id := range batch {
			req.Ydernumre[i] = string(id)
		}
		var out []domain.Practice
		err := c.up.PostSearch(ctx, op, "/practices/lookup", len(batch), req, func(body []byte) error {
			var resp gpreferralapi.PracticesResponse
			if err := upstream.DecodeJSON(c.up.System(), op, body, &resp); err != nil {
				return err
			}
			var err error
			out, err = mapPractices(upstream.NewChecker(c.up.System(), op), resp.Practices, upstream.NewKeySet(batch))
			return err
		})
		return out, upstream.AsAPIError(err)
	}
	grouped, err := upstream.CollectInBatches(ctx, ids, gpreferralapi.MaxPracticesLookup, search,
		func(p domain.Practice) domain.Ydernummer { return p.Ydernummer })
	if err != nil {
		return nil, fmt.Errorf("gpreferral: look up practices: %w", err)
	}
	out := make(map[domain.Ydernummer]domain.Practice, len(grouped))
	for id, ps := range grouped {
		out[id] = ps[0]
	}
	return out, nil
}

// Feed reads one page of the ordered event feed after cursor after ("" for
// the beginning). limit is 1..gpreferralapi.MaxFeedLimit, or 0 for the
// upstream's default. A page with no events and the same cursor means the
// reader has caught up.
func (c *Client) Feed(ctx context.Context, after string, limit int) (FeedPage, error) {
	const op = "feed_read"
	if limit < 0 || limit > gpreferralapi.MaxFeedLimit {
		return FeedPage{}, fmt.Errorf("gpreferral: read feed: limit %d is outside 1..%d", limit, gpreferralapi.MaxFeedLimit)
	}
	q := url.Values{}
	if after != "" {
		q.Set("after", after)
	}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	var page FeedPage
	_, err := c.up.Do(ctx, upstream.Request{Op: op, Path: "/feed", Query: q, Decode: func(body []byte) error {
		var wire gpreferralapi.FeedPage
		if err := upstream.DecodeJSON(c.up.System(), op, body, &wire); err != nil {
			return err
		}
		var err error
		page, err = mapFeedPage(upstream.NewChecker(c.up.System(), op), wire)
		return err
	}})
	if err != nil {
		return FeedPage{}, fmt.Errorf("gpreferral: read feed: %w", upstream.AsAPIError(err))
	}
	return page, nil
}

// searchCPRs posts one batch of CPRs to a search route and hands the body
// to decode with a Checker for the operation.
func (c *Client) searchCPRs(ctx context.Context, op, path string, batch []domain.CPR, decode func(*upstream.Checker, []byte) error) error {
	req := gpreferralapi.SearchRequest{CPRs: make([]string, len(batch))}
	for i, cpr := range batch {
		req.CPRs[i] = string(cpr)
	}
	err := c.up.PostSearch(ctx, op, path, len(batch), req, func(body []byte) error {
		return decode(upstream.NewChecker(c.up.System(), op), body)
	})
	return upstream.AsAPIError(err)
}
