package municipal

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/sundhedsklynge/klynge/connectors/municipal/municipalapi"
	"github.com/sundhedsklynge/klynge/connectors/upstream"
	"github.com/sundhedsklynge/klynge/domain"
)

// Client reads one municipality's care system. It is safe for concurrent
// use.
type Client struct {
	code domain.MunicipalityCode
	up   *upstream.Client
}

// New returns the client of municipality code over up, which carries that
// instance's base URL, credentials, timeouts and breaker.
func New(code domain.MunicipalityCode, up *upstream.Client) *Client {
	return &Client{code: code, up: up}
}

// Code is the municipality this client serves.
func (c *Client) Code() domain.MunicipalityCode { return c.code }

// System is the upstream instance's name, e.g. "municipal/330".
func (c *Client) System() string { return c.up.System() }

// Services returns each citizen's granted services (whole, not windowed),
// by start. Citizens without services are absent from the map. A record
// that cannot be read costs only its citizen: the map comes back with a
// *upstream.RecordErrors (so do Visits and Notifications).
func (c *Client) Services(ctx context.Context, cprs []domain.CPR) (map[domain.CPR][]domain.CareService, error) {
	out, err := search(ctx, c, servicesKind, cprs, time.Time{}, time.Time{})
	if out == nil {
		return nil, fmt.Errorf("municipal %03d: search services: %w", int(c.code), err)
	}
	return out, err
}

// Visits returns each citizen's visits planned in [from, to) (a zero bound
// is open), by planned time. Citizens without visits are absent.
func (c *Client) Visits(ctx context.Context, cprs []domain.CPR, from, to time.Time) (map[domain.CPR][]domain.CareVisit, error) {
	out, err := search(ctx, c, visitsKind, cprs, from, to)
	if out == nil {
		return nil, fmt.Errorf("municipal %03d: search visits: %w", int(c.code), err)
	}
	return out, err
}

// Notifications returns the HospitalNotifications this municipality's
// system received in [from, to) for each citizen, in order of receipt.
// Citizens without any are absent.
func (c *Client) Notifications(ctx context.Context, cprs []domain.CPR, from, to time.Time) (map[domain.CPR][]domain.ReceivedNotification, error) {
	out, err := search(ctx, c, notificationsKind, cprs, from, to)
	if out == nil {
		return nil, fmt.Errorf("municipal %03d: search notifications: %w", int(c.code), err)
	}
	return out, err
}

// searchKind describes one of the three searches: its route and how its
// answer's records map to domain records.
type searchKind[W, D any] struct {
	op, path, member string
	mapRecord        func(code domain.MunicipalityCode, chk *upstream.Checker, w W) D
	cpr              func(D) domain.CPR
	compare          func(a, b D) int
}

func search[W, D any](ctx context.Context, c *Client, kind searchKind[W, D], cprs []domain.CPR, from, to time.Time) (map[domain.CPR][]D, error) {
	searchBatch := func(ctx context.Context, batch []domain.CPR) (upstream.Answer[domain.CPR, D], error) {
		req := municipalapi.SearchRequest{CPRs: make([]string, len(batch)), From: formatTime(from), To: formatTime(to)}
		for j, cpr := range batch {
			req.CPRs[j] = string(cpr)
		}
		reader := upstream.RecordReader[domain.CPR, W, D]{
			System: c.up.System(), Op: kind.op, Member: kind.member, KeyField: "cpr",
			ParseKey: parseCPR, Asked: upstream.NewKeySet(batch),
			Map: func(chk *upstream.Checker, w W) (D, domain.CPR) {
				d := kind.mapRecord(c.code, chk, w)
				return d, kind.cpr(d)
			},
		}
		var a upstream.Answer[domain.CPR, D]
		err := c.up.PostSearch(ctx, kind.op, kind.path, len(batch), req, func(body []byte) error {
			var err error
			a, err = reader.Read(body)
			return err
		})
		return a, upstream.AsAPIError(err)
	}
	out, err := upstream.CollectInBatches(ctx, c.up.System(), cprs, municipalapi.MaxCPRsPerSearch, searchBatch, kind.cpr)
	if out == nil {
		return nil, err
	}
	for _, list := range out {
		slices.SortStableFunc(list, kind.compare)
	}
	return out, err
}

func parseCPR(s string) (domain.CPR, bool) {
	c, err := domain.ParseCPR(s)
	return c, err == nil
}

func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
