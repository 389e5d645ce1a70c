package ehospital

import (
	"cmp"
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
}

// EncountersByCPR returns each citizen's encounters, by start, each with
// the HospitalNotifications sent about it in the order sent. It makes one
// search with the whole CPR list and follows its pages. Citizens without
// encounters are absent from the map.
func (c *Client) EncountersByCPR(ctx context.Context, cprs []domain.CPR) (map[domain.CPR][]domain.Encounter, error) {
	cprs = upstream.Unique(cprs)
	out := make(map[domain.CPR][]domain.Encounter)
	if len(cprs) == 0 {
		return out, nil
	}
	asked := upstream.NewKeySet(cprs)
	params := url.Values{
		fhir.ParamPatientIdentifier: {tokens(c.opts.CPRSystem, cprs)},
		fhir.ParamRevInclude:        {fhir.RevIncludeProvenance},
	}
	var all []domain.Encounter
	var strays []domain.HospitalNotification
	err := c.searchPages(ctx, "encounter_search", "Encounter", params, len(cprs), func(p *page, chk *upstream.Checker) error {
		encounters, orphans, err := c.mapPage(p, chk, asked)
		all = append(all, encounters...)
		strays = append(strays, orphans...)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("ehospital: search encounters: %w", err)
	}
	attach(all, strays)
	for _, e := range all {
		out[e.CPR] = append(out[e.CPR], e)
	}
	for _, list := range out {
		slices.SortStableFunc(list, func(a, b domain.Encounter) int {
			return cmp.Or(a.Start.Compare(b.Start), strings.Compare(a.ID, b.ID))
		})
	}
	return out, nil
}

// SearchEncounters returns every encounter the query selects, in the
// server's order, with their notifications, following all pages up to
// Options.MaxPages (beyond that: ErrTooManyPages). Each encounter's CPR is
// taken from its subject identifier.
func (c *Client) SearchEncounters(ctx context.Context, q EncounterQuery) ([]domain.Encounter, error) {
	var all []domain.Encounter
	err := c.SearchEncounterPages(ctx, q, func(page []domain.Encounter) error {
		all = append(all, page...)
		return nil
	})
	return all, err
}

// SearchEncounterPages is SearchEncounters handing over one page at a
// time, for worklists that render as they read. An error from fn stops
// the search and is returned. Notifications are attached per page: FHIR
// puts _revinclude resources on the page of the resource they point to.
func (c *Client) SearchEncounterPages(ctx context.Context, q EncounterQuery, fn func(page []domain.Encounter) error) error {
	params, err := q.params()
	if err != nil {
		return fmt.Errorf("ehospital: search encounters: %w", err)
	}
	var fnErr error
	err = c.searchPages(ctx, "encounter_worklist", "Encounter", params, 0, func(p *page, chk *upstream.Checker) error {
		encounters, _, err := c.mapPage(p, chk, nil)
		if err != nil {
			return err
		}
		if err := fn(encounters); err != nil {
			fnErr = err
			return err
		}
		return nil
	})
	if fnErr != nil {
		return fnErr
	}
	if err != nil {
		return fmt.Errorf("ehospital: search encounters: %w", err)
	}
	return nil
}

var (
	encounterStatuses = []string{
		string(domain.EncounterPlanned), string(domain.EncounterInProgress), string(domain.EncounterOnLeave),
		string(domain.EncounterFinished), string(domain.EncounterCancelled), string(domain.EncounterEnteredInError),
	}
	encounterClasses = []string{
		string(domain.ClassInpatient), string(domain.ClassEmergency), string(domain.ClassVirtual), string(domain.ClassHomeHealth),
	}
	destinations = []string{
		string(domain.DischargeHome), string(domain.DischargeHomeNursing), string(domain.DischargeTemporaryBed),
		string(domain.DischargeNursingHome), string(domain.DischargeOtherHospital), string(domain.DischargeDeceased),
	}
)

func (q EncounterQuery) params() (url.Values, error) {
	p := url.Values{fhir.ParamRevInclude: {fhir.RevIncludeProvenance}}
	if len(q.Municipalities) > 0 {
		codes := make([]string, len(q.Municipalities))
		for i, m := range q.Municipalities {
			if m < 101 || m > 999 {
				return nil, fmt.Errorf("Municipalities[%d]: %d is not a municipality code", i, int(m))
			}
			codes[i] = fmt.Sprintf("%04d", int(m))
		}
		p.Set(fhir.ParamPatientMunicipality, strings.Join(codes, ","))
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
	if len(q.Classes) > 0 {
		p.Set(fhir.ParamClass, tokens("", q.Classes))
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
	if !q.To.IsZero() {
		p.Add(fhir.ParamDate, "lt"+q.To.UTC().Format(time.RFC3339))
	}
	return p, nil
}

// mapPage maps a page's encounters and attaches the page's notifications
// to them. Notifications about encounters not on the page come back as
// orphans (EncounterID set, CPR not) for the caller to attach across
// pages. When asked is not nil, an encounter of a citizen outside it is
// refused.
func (c *Client) mapPage(p *page, chk *upstream.Checker, asked upstream.KeySet[domain.CPR]) (encounters []domain.Encounter, orphans []domain.HospitalNotification, err error) {
	encounters = make([]domain.Encounter, 0, len(p.encounters))
	seen := make(map[string]bool, len(p.encounters))
	for _, e := range p.encounters {
		chk.At("entry[%d].resource", e.entry)
		enc := mapEncounter(chk, c.opts.CPRSystem, e.resource)
		if asked != nil && !asked.Has(enc.CPR) && !chk.Failed() {
			chk.Fail("subject.identifier", "is not among the CPR numbers asked for")
		}
		if seen[enc.ID] && !chk.Failed() {
			chk.Fail("id", "repeats an encounter on the same page")
		}
		if chk.Failed() {
			return nil, nil, chk.Err()
		}
		seen[enc.ID] = true
		encounters = append(encounters, enc)
	}
	notifications := make([]domain.HospitalNotification, 0, len(p.provenances))
	for _, pr := range p.provenances {
		chk.At("entry[%d].resource", pr.entry)
		n := mapNotification(chk, pr.resource)
		if chk.Failed() {
			return nil, nil, chk.Err()
		}
		notifications = append(notifications, n)
	}
	return encounters, attach(encounters, notifications), nil
}

// attach gives each notification to its encounter, sets its CPR from it,
// keeps each encounter's notifications in the order sent, and returns the
// notifications whose encounter is not in encounters.
func attach(encounters []domain.Encounter, notifications []domain.HospitalNotification) (orphans []domain.HospitalNotification) {
	if len(notifications) == 0 {
		return nil
	}
	byID := make(map[string]int, len(encounters))
	for i, e := range encounters {
		byID[e.ID] = i
	}
	touched := map[int]bool{}
	for _, n := range notifications {
		i, ok := byID[n.EncounterID]
		if !ok {
			orphans = append(orphans, n)
			continue
		}
		n.CPR = encounters[i].CPR
		encounters[i].Notifications = append(encounters[i].Notifications, n)
		touched[i] = true
	}
	for i := range touched {
		slices.SortStableFunc(encounters[i].Notifications, compareSent)
	}
	return orphans
}

func mapEncounter(chk *upstream.Checker, cprSystem string, e fhir.Encounter) domain.Encounter {
	enc := domain.Encounter{
		ID:     chk.Required("id", e.ID),
		Status: domain.EncounterStatus(chk.OneOf("status", e.Status, encounterStatuses...)),
		Class:  domain.EncounterClass(chk.OneOf("class.code", e.Class.Code, encounterClasses...)),
	}
	if s := e.Subject; s == nil || s.Identifier == nil || s.Identifier.System != cprSystem {
		chk.Fail("subject.identifier", "must be a CPR identifier of system "+cprSystem)
	} else {
		enc.CPR = chk.CPR("subject.identifier.value", s.Identifier.Value)
	}
	var period fhir.Period
	if e.Period != nil {
		period = *e.Period
	}
	if enc.Status == domain.EncounterPlanned || enc.Status == domain.EncounterCancelled {
		enc.Start = chk.OptionalTime("period.start", period.Start)
	} else {
		enc.Start = chk.Time("period.start", period.Start)
	}
	enc.End = chk.OptionalTime("period.end", period.End)
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
