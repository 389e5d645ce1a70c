package ehospital

import (
	"cmp"
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/sundhedsklynge/klynge/connectors/ehospital/fhir"
	"github.com/sundhedsklynge/klynge/connectors/upstream"
	"github.com/sundhedsklynge/klynge/domain"
)

// EncountersByCPR returns each citizen's encounters, by start, each with
// the HospitalNotifications sent about it in the order sent. Citizens
// without encounters are absent from the map. It costs one search (and its
// pages) when the server chains and includes, and a few more requests per
// feature it lacks (Capabilities). A record that cannot be read costs only
// its citizen: the map comes back with a *upstream.RecordErrors.
func (c *Client) EncountersByCPR(ctx context.Context, cprs []domain.CPR) (map[domain.CPR][]domain.Encounter, error) {
	cprs = upstream.Unique(cprs)
	out := make(map[domain.CPR][]domain.Encounter)
	if len(cprs) == 0 {
		return out, nil
	}
	a, err := upstream.Isolate(ctx, c.up.System(), cprs, c.encountersOf)
	if err != nil {
		return nil, fmt.Errorf("ehospital: search encounters: %w", err)
	}
	for _, e := range a.Records {
		out[e.CPR] = append(out[e.CPR], e)
	}
	for _, list := range out {
		slices.SortStableFunc(list, func(a, b domain.Encounter) int {
			return cmp.Or(a.Start.Compare(b.Start), strings.Compare(a.ID, b.ID))
		})
	}
	return out, a.Failed.OrNil()
}

// withFallbacks runs do with the current capabilities and, when the server
// refuses an optional feature that has a fallback, records the refusal and
// runs it again without it.
func (c *Client) withFallbacks(ctx context.Context, do func(caps Capabilities) ([]optional, error)) error {
	c.awaitFirstReading(ctx)
	for range len(Features) + 1 {
		opts, err := do(c.Capabilities())
		f, param, ok := refusedFeature(err, opts)
		if !ok {
			return err
		}
		if f == "" {
			c.opts.Logger.Warn("ehospital: server refused a required search parameter", "system", c.up.System(), "parameter", param)
			return err
		}
		c.refuse(f, param)
		if !c.Capabilities().Uses(f) && fallbackPossible(f, c.Capabilities()) {
			continue
		}
		return err
	}
	return nil
}

// fallbackPossible says whether klynge can do without f given the rest.
func fallbackPossible(f Feature, caps Capabilities) bool {
	switch f {
	case FeatureChain:
		return caps.Uses(FeaturePatientReference)
	case FeatureRevInclude:
		return caps.Uses(FeatureProvenanceTarget)
	case FeatureMunicipality, FeatureClass, FeatureInclude:
		return true
	}
	return false
}

// encounterClasses are the classes klynge models (v3 ActCode).
var encounterClasses = []string{
	string(domain.ClassInpatient), string(domain.ClassEmergency), string(domain.ClassVirtual), string(domain.ClassHomeHealth),
}

// encountersOf is one encounter search for cprs.
func (c *Client) encountersOf(ctx context.Context, cprs []domain.CPR) (upstream.Answer[domain.CPR, domain.Encounter], error) {
	var a upstream.Answer[domain.CPR, domain.Encounter]
	err := c.withFallbacks(ctx, func(caps Capabilities) ([]optional, error) {
		var opts []optional
		var err error
		a, opts, err = c.encountersWith(ctx, caps, cprs)
		return opts, err
	})
	return a, err
}

func (c *Client) encountersWith(ctx context.Context, caps Capabilities, cprs []domain.CPR) (upstream.Answer[domain.CPR, domain.Encounter], []optional, error) {
	const op = "encounter_search"
	asked := upstream.NewKeySet(cprs)
	a := upstream.Answer[domain.CPR, domain.Encounter]{Failed: upstream.NewRecordErrors[domain.CPR](c.up.System())}
	d := newDirectory(c.opts.CPRSystem)
	params := url.Values{}
	var opts []optional
	if caps.Uses(FeatureChain) {
		params.Set(fhir.ParamPatientIdentifier, tokens(c.opts.CPRSystem, cprs))
		opts = append(opts, optional{fhir.ParamPatientIdentifier, FeatureChain})
		if caps.Uses(FeatureInclude) {
			params.Set(fhir.ParamInclude, caps.Include())
			opts = append(opts, optional{fhir.ParamInclude, FeatureInclude}, optional{caps.Include(), FeatureInclude})
		}
	} else {
		// Without chaining: find the patients, then their encounters by
		// reference.
		if err := c.lookupCPRs(ctx, d, "encounter_patient_search", cprs); err != nil {
			return a, nil, err
		}
		var ids []string
		for id, k := range d.byID {
			if asked.Has(k.cpr) {
				ids = append(ids, id)
			}
		}
		if len(ids) == 0 {
			return a, nil, nil
		}
		slices.Sort(ids)
		params.Set(fhir.ParamPatient, references("Patient", ids))
	}
	opts = withRequired(params, c.commonParams(caps, params, opts))
	h, err := c.harvest(ctx, query{op: op, resource: "Encounter", params: params, keys: len(cprs)}, d)
	if err != nil {
		return a, opts, err
	}
	if err := c.complete(ctx, caps, d, h, false); err != nil {
		return a, opts, err
	}
	r := c.assemble(op, d, h, asked)
	a.Records = r.encounters
	for _, ch := range r.charges {
		if asked.Has(ch.cpr) {
			a.Failed.Add(ch.cpr, ch.err)
		} else if a.Unattributed == nil {
			a.Unattributed = ch.err
		}
	}
	return a, opts, nil
}

// commonParams adds the parameters every encounter search may use: the
// classes klynge models, and the notifications by _revinclude.
func (c *Client) commonParams(caps Capabilities, params url.Values, opts []optional) []optional {
	if caps.Uses(FeatureClass) && params.Get(fhir.ParamClass) == "" {
		params.Set(fhir.ParamClass, strings.Join(encounterClasses, ","))
		opts = append(opts, optional{fhir.ParamClass, FeatureClass})
	}
	if caps.Uses(FeatureRevInclude) {
		params.Set(fhir.ParamRevInclude, fhir.RevIncludeProvenance)
		opts = append(opts, optional{fhir.ParamRevInclude, FeatureRevInclude}, optional{fhir.RevIncludeProvenance, FeatureRevInclude})
	}
	return opts
}

// harvested is everything the pages of one encounter search held.
type harvested struct {
	encounters  []entry[fhir.Encounter] // matches only
	provenances []entry[fhir.Provenance]
	bad         []badEntry
}

// harvest runs an encounter search, learning every Patient it includes.
func (c *Client) harvest(ctx context.Context, q query, d *directory) (*harvested, error) {
	h := &harvested{}
	err := c.search(ctx, q, func(p *page) error {
		c.learnPatients(d, q.op, p)
		for _, e := range p.encounters {
			if e.match {
				h.encounters = append(h.encounters, e)
			}
		}
		h.provenances = append(h.provenances, p.provenances...)
		h.bad = append(h.bad, p.bad...)
		return nil
	})
	return h, err
}

// complete reads what the search itself did not bring: the patients of
// subjects given only by reference (or, when needMunicipality, every
// patient whose address is not yet known), and, without _revinclude, the
// notifications by Provenance?target.
func (c *Client) complete(ctx context.Context, caps Capabilities, d *directory, h *harvested, needMunicipality bool) error {
	if err := c.resolvePatients(ctx, d, h, needMunicipality); err != nil {
		return err
	}
	if caps.Uses(FeatureRevInclude) {
		return nil
	}
	return c.provenancesFor(ctx, h)
}

// resolvePatients looks up the patients the harvested encounters name
// only by reference (and, when needMunicipality, those whose address is
// not known yet) with Patient?_id or Patient?identifier.
func (c *Client) resolvePatients(ctx context.Context, d *directory, h *harvested, needMunicipality bool) error {
	var ids []string
	var cprs []domain.CPR
	seenID, seenCPR := map[string]bool{}, map[domain.CPR]bool{}
	quiet := upstream.NewChecker(c.up.System(), "subjects")
	for _, e := range h.encounters {
		s := d.subjectOf(quiet, e.resource.Subject)
		quiet.Next("")
		_, read := d.municipalityOf(s)
		switch {
		case s.patientID != "" && (s.cpr == "" || needMunicipality && !read) && d.failed[s.patientID] == nil && !seenID[s.patientID]:
			seenID[s.patientID] = true
			ids = append(ids, s.patientID)
		case s.patientID == "" && s.cpr != "" && needMunicipality && !read && !seenCPR[s.cpr]:
			seenCPR[s.cpr] = true
			cprs = append(cprs, s.cpr)
		}
	}
	slices.Sort(ids)
	if err := c.lookupIDs(ctx, d, "patient_lookup", ids); err != nil {
		return err
	}
	return c.lookupCPRs(ctx, d, "patient_lookup", cprs)
}

// provenancesFor reads the notifications of the harvested encounters by
// Provenance?target=Encounter/a,Encounter/b,..., a page size at a time.
func (c *Client) provenancesFor(ctx context.Context, h *harvested) error {
	var ids []string
	for _, e := range h.encounters {
		if e.resource.ID != "" {
			ids = append(ids, e.resource.ID)
		}
	}
	for _, chunk := range chunks(ids, c.opts.PageSize) {
		q := query{op: "notification_search", resource: "Provenance", params: url.Values{fhir.ParamTarget: {references("Encounter", chunk)}}, keys: len(chunk)}
		err := c.search(ctx, q, func(p *page) error {
			h.provenances = append(h.provenances, p.provenances...)
			for _, b := range p.bad {
				if b.resourceType == "Provenance" || b.resourceType == "" {
					h.bad = append(h.bad, b)
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// charge is a record that could not be read, with the citizen it belongs
// to ("" when it names none).
type charge struct {
	cpr domain.CPR
	id  string // the encounter's id, when known
	err error
}

type assembled struct {
	encounters []domain.Encounter
	charges    []charge
}

// assemble maps the harvested encounters and notifications. When asked is
// not nil, an encounter of a citizen outside it is refused.
func (c *Client) assemble(op string, d *directory, h *harvested, asked upstream.KeySet[domain.CPR]) assembled {
	var out assembled
	encCPR := map[string]domain.CPR{}
	byID := map[string]int{}
	for _, e := range h.encounters {
		chk := upstream.NewChecker(c.up.System(), op)
		chk.Next("entry[%d].resource", e.index)
		s := d.resolved(d.subjectOf(chk, e.resource.Subject))
		if s.cpr != "" && e.resource.ID != "" {
			encCPR[e.resource.ID] = s.cpr
		}
		if !slices.Contains(encounterClasses, e.resource.Class.Code) && e.resource.Class.Code != "" && knownActCode(e.resource.Class.Code) {
			continue // an outpatient visit or other class klynge does not show
		}
		enc := mapEncounter(chk, e.resource)
		switch {
		case chk.Failed():
		case s.cpr == "" && s.patientID != "" && d.failed[s.patientID] != nil:
			chk.FailErr("subject", fmt.Errorf("names a Patient that could not be read: %w", d.failed[s.patientID]))
		case s.cpr == "":
			chk.Fail("subject", "must carry a CPR identifier of system "+c.opts.CPRSystem+" or reference a Patient that has one")
		case asked != nil && !asked.Has(s.cpr):
			chk.Fail("subject", "is not among the CPR numbers asked for")
		case byID[enc.ID] > 0:
			chk.Fail("id", "repeats an encounter of the same search")
		}
		if chk.Failed() {
			out.charges = append(out.charges, charge{cpr: s.cpr, id: e.resource.ID, err: chk.Err()})
			continue
		}
		enc.CPR = s.cpr
		out.encounters = append(out.encounters, enc)
		byID[enc.ID] = len(out.encounters)
	}
	for _, b := range h.bad {
		l := readLoose(b.raw, c.opts.CPRSystem)
		switch b.resourceType {
		case "Encounter", "":
			cpr := cmp.Or(l.cpr, d.byID[l.patientID].cpr)
			out.charges = append(out.charges, charge{cpr: cpr, err: b.err})
		case "Provenance":
			out.charges = append(out.charges, charge{cpr: encCPR[l.encounterID], id: l.encounterID, err: b.err})
		}
	}
	out.charges = append(out.charges, c.attachNotifications(op, h, out.encounters, byID, encCPR)...)
	return out
}

// knownActCode reports a v3 ActCode encounter class: those klynge does not
// model (AMB, ...) are skipped, anything else is an error.
func knownActCode(code string) bool {
	return slices.Contains([]string{"AMB", "EMER", "FLD", "HH", "IMP", "ACUTE", "NONAC", "OBSENC", "PRENC", "SS", "VR"}, code)
}

var (
	encounterStatuses = []string{
		string(domain.EncounterPlanned), string(domain.EncounterInProgress), string(domain.EncounterOnLeave),
		string(domain.EncounterFinished), string(domain.EncounterCancelled), string(domain.EncounterEnteredInError),
		"arrived", "triaged",
	}
	destinations = []string{
		string(domain.DischargeHome), string(domain.DischargeHomeNursing), string(domain.DischargeTemporaryBed),
		string(domain.DischargeNursingHome), string(domain.DischargeOtherHospital), string(domain.DischargeDeceased),
	}
)

// mapEncounter maps everything but the subject (the caller resolves it).
func mapEncounter(chk *upstream.Checker, e fhir.Encounter) domain.Encounter {
	enc := domain.Encounter{
		ID:     chk.Required("id", e.ID),
		Status: domain.EncounterStatus(chk.OneOf("status", e.Status, encounterStatuses...)),
		Class:  domain.EncounterClass(chk.OneOf("class.code", e.Class.Code, encounterClasses...)),
	}
	if enc.Status == "arrived" || enc.Status == "triaged" {
		// The patient is at the hospital: for klynge, the stay has begun.
		enc.Status = domain.EncounterInProgress
	}
	var period fhir.Period
	if e.Period != nil {
		period = *e.Period
	}
	start, prec := fhirDateTime(chk, "period.start", period.Start)
	switch {
	case prec == precisionNone && enc.Status != domain.EncounterPlanned && enc.Status != domain.EncounterCancelled:
		chk.Fail("period.start", "must be set unless the encounter is planned or cancelled")
	case prec != precisionNone && prec < precisionDay:
		chk.Fail("period.start", "must be given at least to the day")
	}
	enc.Start = start
	end, prec := fhirDateTime(chk, "period.end", period.End)
	if prec != precisionNone && prec < precisionDay {
		chk.Fail("period.end", "must be given at least to the day")
	}
	enc.End = end
	if !enc.End.IsZero() && enc.End.Before(enc.Start) {
		chk.Fail("period.end", "must not be before period.start")
	}
	if sp := e.ServiceProvider; sp != nil {
		enc.Hospital = organization(sp)
	}
	if len(e.Location) > 0 {
		enc.Department = organization(&e.Location[0].Location)
	}
	enc.Psychiatric = e.ServiceType.Code(fhir.SystemSpecialty) == fhir.SpecialtyPsychiatry
	if h := e.Hospitalization; h != nil && h.DischargeDisposition != nil {
		if code := h.DischargeDisposition.Code(fhir.SystemDischargeDisposition); code != "" {
			enc.Destination = domain.DischargeDestination(chk.OneOf("hospitalization.dischargeDisposition", code, destinations...))
		}
	}
	return enc
}

// organization reads a logical reference by SOR identifier.
func organization(r *fhir.Reference) domain.Organization {
	o := domain.Organization{Name: r.Display}
	if r.Identifier != nil && (r.Identifier.System == fhir.SystemSOR || r.Identifier.System == "") {
		o.SOR = domain.SORCode(r.Identifier.Value)
	}
	return o
}
