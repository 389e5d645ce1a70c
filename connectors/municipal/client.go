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
// by start. Citizens without services are absent from the map.
func (c *Client) Services(ctx context.Context, cprs []domain.CPR) (map[domain.CPR][]domain.CareService, error) {
	out, err := search(ctx, c, servicesKind, cprs, time.Time{}, time.Time{})
	if err != nil {
		return nil, fmt.Errorf("municipal %03d: search services: %w", int(c.code), err)
	}
	return out, nil
}

// Visits returns each citizen's visits planned in [from, to) (a zero bound
// is open), by planned time. Citizens without visits are absent.
func (c *Client) Visits(ctx context.Context, cprs []domain.CPR, from, to time.Time) (map[domain.CPR][]domain.CareVisit, error) {
	out, err := search(ctx, c, visitsKind, cprs, from, to)
	if err != nil {
		return nil, fmt.Errorf("municipal %03d: search visits: %w", int(c.code), err)
	}
	return out, nil
}

// Notifications returns the HospitalNotifications this municipality's
// system received in [from, to) for each citizen, in order of receipt.
// Citizens without any are absent.
func (c *Client) Notifications(ctx context.Context, cprs []domain.CPR, from, to time.Time) (map[domain.CPR][]domain.ReceivedNotification, error) {
	out, err := search(ctx, c, notificationsKind, cprs, from, to)
	if err != nil {
		return nil, fmt.Errorf("municipal %03d: search notifications: %w", int(c.code), err)
	}
	return out, nil
}

// searchKind describes one of the three searches: its route and how its
// answer maps to domain records.
type searchKind[D any] struct {
	op, path string
	decode   func(m *mapper, body []byte) ([]D, error)
	cpr      func(D) domain.CPR
	compare  func(a, b D) int
}

// mapper carries what mapping one answer needs to know.
type mapper struct {
	chk   *upstream.Checker
	code  domain.MunicipalityCode
	asked upstream.KeySet[domain.CPR]
}

// citizen parses a record's CPR and refuses one that was not asked about.
func (m *mapper) citizen(s string) domain.CPR {
	cpr := m.chk.CPR("cpr", s)
	if !m.asked.Has(cpr) && !m.chk.Failed() {
		m.chk.Fail("cpr", "is not among the CPR numbers asked for")
	}
	return cpr
}

func search[D any](ctx context.Context, c *Client, kind searchKind[D], cprs []domain.CPR, from, to time.Time) (map[domain.CPR][]D, error) {
	searchBatch := func(ctx context.Context, batch []domain.CPR) ([]D, error) {
		req := municipalapi.SearchRequest{CPRs: make([]string, len(batch)), From: formatTime(from), To: formatTime(to)}
		for j, cpr := range batch {
			req.CPRs[j] = string(cpr)
		}
		var records []D
		err := c.up.PostSearch(ctx, kind.op, kind.path, len(batch), req, func(body []byte) error {
			m := &mapper{chk: upstream.NewChecker(c.up.System(), kind.op), code: c.code, asked: upstream.NewKeySet(batch)}
			var err error
			records, err = kind.decode(m, body)
			return err
		})
		return records, upstream.AsAPIError(err)
	}
	out, err := upstream.CollectInBatches(ctx, cprs, municipalapi.MaxCPRsPerSearch, searchBatch, kind.cpr)
	if err != nil {
		return nil, err
	}
	for _, list := range out {
		slices.SortStableFunc(list, kind.compare)
	}
	return out, nil
}

func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
