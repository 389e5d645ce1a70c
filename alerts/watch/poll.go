package watch

import (
	"context"
	"fmt"
	"time"

	"github.com/sundhedsklynge/klynge/connectors/ehospital"
	"github.com/sundhedsklynge/klynge/domain"
)

const (
	ehospitalCursor = "ehospital"
	gpCursor        = "gpreferral"
	feedPage        = 1000
)

func municipalCursor(code domain.MunicipalityCode) string {
	return fmt.Sprintf("municipal/%03d", int(code))
}

// initCursors gives every source without a read position one: eHospitalet
// the baseline, the feeds their end (what is in them now was there before
// the watcher, and the start's assessment covers it).
func (c *clusterWatch) initCursors(ctx context.Context) error {
	st := c.opts.Store
	if v, err := st.Cursor(ctx, c.id, ehospitalCursor); err != nil {
		return err
	} else if v == "" {
		if err := st.SetCursor(ctx, c.id, ehospitalCursor, c.since.UTC().Format(time.RFC3339Nano)); err != nil {
			return err
		}
	}
	for _, code := range c.codes {
		if v, err := st.Cursor(ctx, c.id, municipalCursor(code)); err != nil {
			return err
		} else if v == "" {
			end, _, err := c.readMunicipal(ctx, code, "")
			if err != nil {
				return err
			}
			if err := st.SetCursor(ctx, c.id, municipalCursor(code), end); err != nil {
				return err
			}
		}
	}
	if v, err := st.Cursor(ctx, c.id, gpCursor); err != nil {
		return err
	} else if v == "" {
		end, _, err := c.readGP(ctx, "")
		if err != nil {
			return err
		}
		return st.SetCursor(ctx, c.id, gpCursor, end)
	}
	return nil
}

// openPathways finds the citizens living in the cluster whose stays may
// still change an alert: ongoing, or ended within the follow-up window.
func (c *clusterWatch) openPathways(ctx context.Context, now time.Time) ([]domain.CPR, error) {
	if len(c.codes) == 0 {
		return nil, nil
	}
	c.opts.Metrics.poll(c.id, "ehospital")
	encs, err := c.opts.Upstreams.EHospital.SearchEncounters(ctx, ehospital.EncounterQuery{
		Municipalities: c.codes,
		Classes:        []domain.EncounterClass{domain.ClassInpatient, domain.ClassEmergency, domain.ClassHomeHealth},
		From:           now.Add(-c.opts.Rules(c.id).FollowUp),
		To:             now.Add(time.Second),
	})
	if err != nil {
		return nil, fmt.Errorf("watch: open pathways: %w", err)
	}
	return cprsOf(encs), nil
}

// pollEHospital reads the encounters changed since the last read.
func (c *clusterWatch) pollEHospital(ctx context.Context) ([]domain.CPR, error) {
	if len(c.codes) == 0 {
		return nil, nil
	}
	v, err := c.opts.Store.Cursor(ctx, c.id, ehospitalCursor)
	if err != nil {
		return nil, err
	}
	last, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return nil, fmt.Errorf("watch: ehospital cursor %q: %w", v, err)
	}
	now := c.opts.Now()
	c.opts.Metrics.poll(c.id, "ehospital")
	encs, err := c.opts.Upstreams.EHospital.SearchEncounters(ctx, ehospital.EncounterQuery{
		Municipalities: c.codes,
		Classes:        []domain.EncounterClass{domain.ClassInpatient, domain.ClassEmergency, domain.ClassHomeHealth},
		UpdatedAfter:   last.Add(-c.opts.Overlap),
	})
	if err != nil {
		return nil, err
	}
	if err := c.opts.Store.SetCursor(ctx, c.id, ehospitalCursor, now.UTC().Format(time.RFC3339Nano)); err != nil {
		return nil, err
	}
	return cprsOf(encs), nil
}

// pollMunicipal reads each member municipality's changes since the last
// read.
func (c *clusterWatch) pollMunicipal(ctx context.Context) ([]domain.CPR, error) {
	var out []domain.CPR
	for _, code := range c.codes {
		after, err := c.opts.Store.Cursor(ctx, c.id, municipalCursor(code))
		if err != nil {
			return out, err
		}
		next, cprs, err := c.readMunicipal(ctx, code, after)
		if err != nil {
			return out, err
		}
		out = append(out, cprs...)
		if next != after {
			if err := c.opts.Store.SetCursor(ctx, c.id, municipalCursor(code), next); err != nil {
				return out, err
			}
		}
	}
	return out, nil
}

func (c *clusterWatch) readMunicipal(ctx context.Context, code domain.MunicipalityCode, after string) (string, []domain.CPR, error) {
	inst, err := c.opts.Upstreams.Municipal.Instance(code)
	if err != nil {
		return after, nil, err
	}
	var cprs []domain.CPR
	for {
		c.opts.Metrics.poll(c.id, "municipal")
		page, err := inst.Changes(ctx, after, feedPage)
		if err != nil {
			return after, cprs, err
		}
		for _, ch := range page.Changes {
			cprs = append(cprs, ch.CPR)
		}
		if len(page.Changes) == 0 || page.NextCursor == after {
			return after, cprs, nil
		}
		after = page.NextCursor
	}
}

// pollGP reads the referral feed since the last read; citizens who do not
// live in the cluster are dropped when reassessed.
func (c *clusterWatch) pollGP(ctx context.Context) ([]domain.CPR, error) {
	after, err := c.opts.Store.Cursor(ctx, c.id, gpCursor)
	if err != nil {
		return nil, err
	}
	next, cprs, err := c.readGP(ctx, after)
	if err != nil {
		return nil, err
	}
	if next != after {
		err = c.opts.Store.SetCursor(ctx, c.id, gpCursor, next)
	}
	return cprs, err
}

func (c *clusterWatch) readGP(ctx context.Context, after string) (string, []domain.CPR, error) {
	var cprs []domain.CPR
	for {
		c.opts.Metrics.poll(c.id, "gpreferral")
		page, err := c.opts.Upstreams.GPReferral.Feed(ctx, after, feedPage)
		if err != nil {
			return after, cprs, err
		}
		for _, ev := range page.Events {
			cprs = append(cprs, ev.CPR)
		}
		if len(page.Events) == 0 || page.NextCursor == after {
			return after, cprs, nil
		}
		after = page.NextCursor
	}
}

func cprsOf(encs []domain.Encounter) []domain.CPR {
	seen := map[domain.CPR]bool{}
	var out []domain.CPR
	for _, e := range encs {
		if !seen[e.CPR] {
			seen[e.CPR] = true
			out = append(out, e.CPR)
		}
	}
	return out
}
