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
// A referral that cannot be read costs only its citizen: the map comes back
// with a *upstream.RecordErrors (so do the other reads by key).
func (c *Client) ReferralsByCPR(ctx context.Context, cprs []domain.CPR) (map[domain.CPR][]domain.Referral, error) {
	reader := func(asked upstream.KeySet[domain.CPR]) upstream.RecordReader[domain.CPR, gpreferralapi.Referral, domain.Referral] {
		return upstream.RecordReader[domain.CPR, gpreferralapi.Referral, domain.Referral]{
			System: c.up.System(), Op: "referral_search", Member: "referrals", KeyField: "cpr",
			ParseKey: parseCPR, Asked: asked, Map: mapReferral,
		}
	}
	out, err := searchByCPR(ctx, c, "/referrals/search", cprs, reader, func(r domain.Referral) domain.CPR { return r.CPR })
	if out == nil {
		return nil, fmt.Errorf("gpreferral: search referrals: %w", err)
	}
	for _, list := range out {
		slices.SortStableFunc(list, func(a, b domain.Referral) int { return a.SentAt.Compare(b.SentAt) })
	}
	return out, err
}

// ContactsByCPR returns each citizen's contacts with general practice
// (consultations, phone, video, home visits, prescription renewals), oldest
// first. Citizens without contacts are absent.
func (c *Client) ContactsByCPR(ctx context.Context, cprs []domain.CPR) (map[domain.CPR][]domain.GPContact, error) {
	reader := func(asked upstream.KeySet[domain.CPR]) upstream.RecordReader[domain.CPR, gpreferralapi.Contact, domain.GPContact] {
		return upstream.RecordReader[domain.CPR, gpreferralapi.Contact, domain.GPContact]{
			System: c.up.System(), Op: "gp_contact_search", Member: "contacts", KeyField: "cpr",
			ParseKey: parseCPR, Asked: asked, Map: mapContact,
		}
	}
	out, err := searchByCPR(ctx, c, "/contacts/search", cprs, reader, func(ct domain.GPContact) domain.CPR { return ct.CPR })
	if out == nil {
		return nil, fmt.Errorf("gpreferral: search contacts: %w", err)
	}
	for _, list := range out {
		slices.SortStableFunc(list, func(a, b domain.GPContact) int { return a.At.Compare(b.At) })
	}
	return out, err
}

// PracticesByYdernummer looks practices up in batches of
// gpreferralapi.MaxPracticesLookup. Ydernumre the directory does not know
// are absent from the map.
func (c *Client) PracticesByYdernummer(ctx context.Context, ids []domain.Ydernummer) (map[domain.Ydernummer]domain.Practice, error) {
	const op = "practice_lookup"
	search := func(ctx context.Context, batch []domain.Ydernummer) (upstream.Answer[domain.Ydernummer, domain.Practice], error) {
		req := gpreferralapi.LookupRequest{Ydernumre: make([]string, len(batch))}
		for i, id := range batch {
			req.Ydernumre[i] = string(id)
		}
		reader := upstream.RecordReader[domain.Ydernummer, gpreferralapi.Practice, domain.Practice]{
			System: c.up.System(), Op: op, Member: "practices", KeyField: "ydernummer",
			ParseKey: func(s string) (domain.Ydernummer, bool) { return domain.Ydernummer(s), s != "" },
			Asked:    upstream.NewKeySet(batch), Map: mapPractice,
		}
		var a upstream.Answer[domain.Ydernummer, domain.Practice]
		err := c.up.PostSearch(ctx, op, "/practices/lookup", len(batch), req, func(body []byte) error {
			var err error
			a, err = reader.Read(body)
			return err
		})
		return a, upstream.AsAPIError(err)
	}
	grouped, err := upstream.CollectInBatches(ctx, c.up.System(), ids, gpreferralapi.MaxPracticesLookup, search,
		func(p domain.Practice) domain.Ydernummer { return p.Ydernummer })
	if grouped == nil {
		return nil, fmt.Errorf("gpreferral: look up practices: %w", err)
	}
	out := make(map[domain.Ydernummer]domain.Practice, len(grouped))
	for id, ps := range grouped {
		out[id] = ps[0]
	}
	return out, err
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
		var err error
		page, err = mapFeedPage(c.up.System(), op, body)
		return err
	}})
	if err != nil {
		return FeedPage{}, fmt.Errorf("gpreferral: read feed: %w", upstream.AsAPIError(err))
	}
	return page, nil
}

// searchByCPR posts the CPR list in batches of
// gpreferralapi.MaxCPRsPerSearch to a search route and reads each answer
// record by record.
func searchByCPR[W, R any](ctx context.Context, c *Client, path string, cprs []domain.CPR, reader func(upstream.KeySet[domain.CPR]) upstream.RecordReader[domain.CPR, W, R], keyOf func(R) domain.CPR) (map[domain.CPR][]R, error) {
	search := func(ctx context.Context, batch []domain.CPR) (upstream.Answer[domain.CPR, R], error) {
		req := gpreferralapi.SearchRequest{CPRs: make([]string, len(batch))}
		for i, cpr := range batch {
			req.CPRs[i] = string(cpr)
		}
		rr := reader(upstream.NewKeySet(batch))
		var a upstream.Answer[domain.CPR, R]
		err := c.up.PostSearch(ctx, rr.Op, path, len(batch), req, func(body []byte) error {
			var err error
			a, err = rr.Read(body)
			return err
		})
		return a, upstream.AsAPIError(err)
	}
	return upstream.CollectInBatches(ctx, c.up.System(), cprs, gpreferralapi.MaxCPRsPerSearch, search, keyOf)
}

func parseCPR(s string) (domain.CPR, bool) {
	c, err := domain.ParseCPR(s)
	return c, err == nil
}
