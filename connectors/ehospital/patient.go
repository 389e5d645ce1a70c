package ehospital

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/sundhedsklynge/klynge/connectors/ehospital/fhir"
	"github.com/sundhedsklynge/klynge/connectors/upstream"
	"github.com/sundhedsklynge/klynge/domain"
)

// PatientsByCPR finds the patients with the given CPR numbers in one
// search (all its pages). CPR numbers eHospitalet does not know are absent
// from the map. A Patient that cannot be read costs only its citizen: the
// map comes back with a *upstream.RecordErrors naming them.
func (c *Client) PatientsByCPR(ctx context.Context, cprs []domain.CPR) (map[domain.CPR]domain.Citizen, error) {
	cprs = upstream.Unique(cprs)
	out := make(map[domain.CPR]domain.Citizen, len(cprs))
	if len(cprs) == 0 {
		return out, nil
	}
	c.awaitFirstReading(ctx)
	a, err := upstream.Isolate(ctx, c.up.System(), cprs, c.patientsOf)
	if _, param, ok := refusedFeature(err, []optional{{name: fhir.ParamIdentifier}}); ok {
		c.opts.Logger.Warn("ehospital: server refused a required search parameter", "system", c.up.System(), "parameter", param)
	}
	if err != nil {
		return nil, fmt.Errorf("ehospital: search patients: %w", err)
	}
	for _, p := range a.Records {
		out[p.CPR] = p
	}
	return out, a.Failed.OrNil()
}

// patientsOf is one patient search for cprs.
func (c *Client) patientsOf(ctx context.Context, cprs []domain.CPR) (upstream.Answer[domain.CPR, domain.Citizen], error) {
	asked := upstream.NewKeySet(cprs)
	a := upstream.Answer[domain.CPR, domain.Citizen]{Failed: upstream.NewRecordErrors[domain.CPR](c.up.System())}
	q := query{op: "patient_search", resource: "Patient", params: map[string][]string{fhir.ParamIdentifier: {tokens(c.opts.CPRSystem, cprs)}}, keys: len(cprs)}
	charge := func(cpr domain.CPR, err error) {
		if asked.Has(cpr) {
			a.Failed.Add(cpr, err)
		} else if a.Unattributed == nil {
			a.Unattributed = err
		}
	}
	err := c.search(ctx, q, func(p *page) error {
		for _, b := range p.bad {
			if b.resourceType == "Patient" || b.resourceType == "" {
				charge(readLoose(b.raw, c.opts.CPRSystem).cpr, b.err)
			}
		}
		for _, e := range p.patients {
			if !e.match {
				continue
			}
			chk := upstream.NewChecker(c.up.System(), q.op)
			chk.Next("entry[%d].resource", e.index)
			citizen := mapPatient(chk, c.opts.CPRSystem, e.resource)
			if !chk.Failed() && !asked.Has(citizen.CPR) {
				chk.Fail("identifier", "is not among the CPR numbers asked for")
			}
			if chk.Failed() {
				charge(citizen.CPR, chk.Err())
				continue
			}
			a.Records = append(a.Records, citizen)
		}
		return nil
	})
	return a, err
}

var genders = []string{"male", "female", "other", "unknown"}

// mapPatient maps a Patient; on failure the CPR is still set when it could
// be read, so the failure can be charged to it.
func mapPatient(chk *upstream.Checker, cprSystem string, p fhir.Patient) domain.Citizen {
	var c domain.Citizen
	for i, id := range p.Identifier {
		if id.System == cprSystem {
			c.CPR = chk.CPR("identifier["+strconv.Itoa(i)+"].value", id.Value)
			break
		}
	}
	if c.CPR == "" {
		chk.Fail("identifier", "has no CPR identifier of system "+cprSystem)
		return c
	}
	if len(p.Name) > 0 {
		name := p.Name[0]
		for _, n := range p.Name {
			if n.Use == "official" {
				name = n
				break
			}
		}
		c.GivenName = strings.Join(name.Given, " ")
		c.FamilyName = name.Family
	}
	// The CPR holds the birth date to the day; a partial birthDate
	// ("1958", "1958-03") is valid FHIR and adds nothing to it.
	c.BirthDate = c.CPR.BirthDate()
	if d, prec := fhirDate(chk, "birthDate", p.BirthDate); prec == precisionDay {
		c.BirthDate = d
	}
	c.Sex = c.CPR.Sex()
	if p.Gender != "" {
		switch chk.OneOf("gender", p.Gender, genders...) {
		case "male":
			c.Sex = domain.SexMale
		case "female":
			c.Sex = domain.SexFemale
		}
	}
	if len(p.Address) > 0 {
		c.Address = mapAddress(chk, p.Address)
	}
	for _, gp := range p.GeneralPractitioner {
		if gp.Identifier != nil && gp.Identifier.System == fhir.SystemYdernummer {
			c.GP = domain.Ydernummer(gp.Identifier.Value)
			break
		}
	}
	mapDeceased(chk, &c, p)
	return c
}

// mapDeceased reads deceased[x]: a boolean, or a dateTime of any precision.
// A date known to the day gives DeceasedAt; a partial one ("2024-05") or
// deceasedBoolean true says only that the citizen has died.
func mapDeceased(chk *upstream.Checker, c *domain.Citizen, p fhir.Patient) {
	switch {
	case p.DeceasedDateTime != nil:
		at, prec := fhirDateTime(chk, "deceasedDateTime", *p.DeceasedDateTime)
		if prec == precisionNone {
			return
		}
		c.Deceased = true
		if prec >= precisionDay {
			c.DeceasedAt = &at
		}
	case p.DeceasedBoolean != nil:
		c.Deceased = *p.DeceasedBoolean
	}
}

// mapAddress takes the home address, else the first.
func mapAddress(chk *upstream.Checker, addrs []fhir.Address) domain.Address {
	idx := 0
	for i, a := range addrs {
		if a.Use == "home" {
			idx = i
			break
		}
	}
	a := addrs[idx]
	out := domain.Address{Line: strings.Join(a.Line, ", "), PostalCode: a.PostalCode, City: a.City}
	for j, ext := range a.Extension {
		if ext.URL != fhir.ExtMunicipality {
			continue
		}
		field := fmt.Sprintf("address[%d].extension[%d].valueCodeableConcept", idx, j)
		if ext.ValueCodeableConcept == nil && ext.ValueCoding != nil {
			field = fmt.Sprintf("address[%d].extension[%d].valueCoding", idx, j)
		}
		code := ext.Code(fhir.SystemMunicipality)
		if code == "" {
			chk.Fail(field, "must carry a code of system "+fhir.SystemMunicipality)
			continue
		}
		out.Municipality = municipalityCode(chk, field+".code", code)
	}
	return out
}

// municipalityCode parses FHIR's zero-padded form ("0330").
func municipalityCode(chk *upstream.Checker, field, s string) domain.MunicipalityCode {
	n, err := strconv.Atoi(s)
	if err != nil || n < 101 || n > 999 || len(s) > 4 {
		chk.Fail(field, "must be a municipality code (0101..0999)")
		return 0
	}
	return domain.MunicipalityCode(n)
}

// precision is how much of a FHIR date or dateTime was given.
type precision int

const (
	precisionNone precision = iota // empty or invalid
	precisionYear
	precisionMonth
	precisionDay
	precisionTime
)

// fhirDate parses a FHIR date: YYYY, YYYY-MM or YYYY-MM-DD (UTC midnight
// of the first day it covers). "" is precisionNone; anything else fails.
func fhirDate(chk *upstream.Checker, field, s string) (time.Time, precision) {
	if s == "" || chk.Failed() {
		return time.Time{}, precisionNone
	}
	for _, l := range []struct {
		layout string
		prec   precision
	}{{"2006", precisionYear}, {"2006-01", precisionMonth}, {time.DateOnly, precisionDay}} {
		if len(s) == len(l.layout) {
			if t, err := time.Parse(l.layout, s); err == nil {
				return t, l.prec
			}
		}
	}
	chk.Fail(field, "must be a FHIR date YYYY, YYYY-MM or YYYY-MM-DD")
	return time.Time{}, precisionNone
}

// fhirDateTime parses a FHIR dateTime: a date of any precision, or a time
// with a zone (RFC 3339).
func fhirDateTime(chk *upstream.Checker, field, s string) (time.Time, precision) {
	if len(s) <= len(time.DateOnly) {
		return fhirDate(chk, field, s)
	}
	if chk.Failed() {
		return time.Time{}, precisionNone
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		chk.Fail(field, "must be a FHIR dateTime: a date, or a time with a zone")
		return time.Time{}, precisionNone
	}
	return t, precisionTime
}
