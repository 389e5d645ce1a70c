package ehospital

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/sundhedsklynge/klynge/connectors/ehospital/fhir"
	"github.com/sundhedsklynge/klynge/connectors/upstream"
	"github.com/sundhedsklynge/klynge/domain"
)

// EncounterQuery selects encounters for worklists. Empty fields do not
// restrict; a zero From or To leaves that side of the period open.
type EncounterQuery struct {
	// Municipalities of the patients' residence.
	Municipalities []domain.MunicipalityCode
	Statuses       []domain.EncounterStatus
	Classes        []domain.EncounterClass
	// ServiceProvider is the hospital's SOR code.
	ServiceProvider domain.SORCode
	// From and To select encounters whose period overlaps [From, To).
	From, To time.Time
	// UpdatedAfter, when set, selects encounters changed after it
	// (_lastUpdated=gt): what a poll reads since the last one.
	UpdatedAfter time.Time
}

// SearchEncounters returns every encounter the query selects, in the
// server's order, with their notifications, following all pages up to
// Options.MaxPages (beyond that: ErrTooManyPages). Each encounter's CPR
// comes from its subject: the identifier, or the Patient it references.
//
// An encounter that cannot be read is left out and named: the encounters
// come back with a *upstream.RecordErrors keyed by "Encounter/<id>" (or
// the entry, when it has no id), so that one bad record costs that record,
// never the worklist.
func (c *Client) SearchEncounters(ctx context.Context, q EncounterQuery) ([]domain.Encounter, error) {
	params, err := q.params()
	if err != nil {
		return nil, fmt.Errorf("ehospital: search encounters: %w", err)
	}
	var encs []domain.Encounter
	var failed *upstream.RecordErrors[string]
	err = c.withFallbacks(ctx, func(caps Capabilities) ([]optional, error) {
		var opts []optional
		var err error
		encs, failed, opts, err = c.worklistWith(ctx, caps, q, cloneValues(params))
		return opts, err
	})
	if err != nil {
		return nil, fmt.Errorf("ehospital: search encounters: %w", err)
	}
	return encs, failed.OrNil()
}

func (c *Client) worklistWith(ctx context.Context, caps Capabilities, q EncounterQuery, params url.Values) ([]domain.Encounter, *upstream.RecordErrors[string], []optional, error) {
	const op = "encounter_worklist"
	failed := upstream.NewRecordErrors[string](c.up.System())
	var opts []optional
	filterHere := false
	if len(q.Municipalities) > 0 {
		if caps.Uses(FeatureMunicipality) {
			codes := make([]string, len(q.Municipalities))
			for i, m := range q.Municipalities {
				codes[i] = fmt.Sprintf("%04d", int(m))
			}
			params.Set(fhir.ParamPatientMunicipality, strings.Join(codes, ","))
			opts = append(opts, optional{fhir.ParamPatientMunicipality, FeatureMunicipality})
		} else {
			filterHere = true
		}
	}
	if caps.Uses(FeatureInclude) {
		params.Set(fhir.ParamInclude, caps.Include())
		opts = append(opts, optional{fhir.ParamInclude, FeatureInclude}, optional{caps.Include(), FeatureInclude})
	}
	if len(q.Classes) > 0 {
		if caps.Uses(FeatureClass) {
			params.Set(fhir.ParamClass, tokens("", q.Classes))
			opts = append(opts, optional{fhir.ParamClass, FeatureClass})
		}
	}
	opts = withRequired(params, c.commonParams(caps, params, opts))
	d := newDirectory(c.opts.CPRSystem)
	h, err := c.harvest(ctx, query{op: op, resource: "Encounter", params: params}, d)
	if err != nil {
		return nil, nil, opts, err
	}
	if filterHere {
		// Read the patients first so the filter knows where they live;
		// notifications are read for the kept stays only.
		if err := c.resolvePatients(ctx, d, h, true); err != nil {
			return nil, nil, opts, err
		}
		h = c.keepResidents(op, d, h, q.Municipalities, failed)
	}
	if err := c.complete(ctx, caps, d, h, false); err != nil {
		return nil, nil, opts, err
	}
	r := c.assemble(op, d, h, nil)
	out := r.encounters[:0]
	for _, e := range r.encounters {
		if len(q.Classes) == 0 || slices.Contains(q.Classes, e.Class) {
			out = append(out, e)
		}
	}
	for i, ch := range r.charges {
		failed.Add(cmpOr("Encounter/"+ch.id, ch.id, fmt.Sprintf("record %d", i+1)), ch.err)
	}
	return out, failed, opts, nil
}

func cmpOr(withID, id, otherwise string) string {
	if id == "" {
		return otherwise
	}
	return withID
}

// keepResidents keeps the encounters whose patient lives in one of codes
// (as the server's patient.municipality would have), and charges those
// whose patient could not be read.
func (c *Client) keepResidents(op string, d *directory, h *harvested, codes []domain.MunicipalityCode, failed *upstream.RecordErrors[string]) *harvested {
	kept := &harvested{provenances: h.provenances, bad: h.bad}
	for _, e := range h.encounters {
		chk := upstream.NewChecker(c.up.System(), op)
		chk.Next("entry[%d].resource", e.index)
		s := d.resolved(d.subjectOf(chk, e.resource.Subject))
		m, read := d.municipalityOf(s)
		switch {
		case chk.Failed() || (!read && s.cpr == "" && s.patientID == ""):
			kept.encounters = append(kept.encounters, e) // assemble names the problem
		case !read:
			why := errors.New("the patient could not be read to learn where they live")
			if err := d.failed[s.patientID]; err != nil {
				why = err
			}
			chk.FailErr("subject", why)
			failed.Add(cmpOr("Encounter/"+e.resource.ID, e.resource.ID, fmt.Sprintf("entry %d", e.index)), chk.Err())
		case slices.Contains(codes, m):
			kept.encounters = append(kept.encounters, e)
		}
	}
	return kept
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = slices.Clone(vs)
	}
	return out
}

// params checks the query and writes its search parameters (all but the
// municipality and class, which depend on what the server supports).
func (q EncounterQuery) params() (url.Values, error) {
	p := url.Values{}
	for i, m := range q.Municipalities {
		if m < 101 || m > 999 {
			return nil, fmt.Errorf("Municipalities[%d]: %d is not a municipality code", i, int(m))
		}
	}
	for i, s := range q.Statuses {
		if !slices.Contains(encounterStatuses, string(s)) {
			return nil, fmt.Errorf("Statuses[%d]: unknown encounter status", i)
		}
	}
	if len(q.Statuses) > 0 {
		p.Set(fhir.ParamStatus, tokens("", q.Statuses))
	}
	for i, cl := range q.Classes {
		if !slices.Contains(encounterClasses, string(cl)) {
			return nil, fmt.Errorf("Classes[%d]: unknown encounter class", i)
		}
	}
	if q.ServiceProvider != "" {
		p.Set(fhir.ParamServiceProvider, escapeToken(string(q.ServiceProvider)))
	}
	if !q.From.IsZero() && !q.To.IsZero() && !q.To.After(q.From) {
		return nil, errors.New("To: must be after From")
	}
	if !q.From.IsZero() {
		p.Add(fhir.ParamDate, "ge"+q.From.UTC().Format(time.RFC3339))
	}
	if !q.UpdatedAfter.IsZero() {
		p.Add(fhir.ParamLastUpdated, "gt"+q.UpdatedAfter.UTC().Format(time.RFC3339))
	}
	if !q.To.IsZero() {
		p.Add(fhir.ParamDate, "lt"+q.To.UTC().Format(time.RFC3339))
	}
	return p, nil
}
