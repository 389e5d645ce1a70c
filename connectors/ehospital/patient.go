package ehospital

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/sundhedsklynge/klynge/connectors/ehospital/fhir"
	"github.com/sundhedsklynge/klynge/connectors/upstream"
	"github.com/sundhedsklynge/klynge/domain"
)

// PatientsByCPR finds the patients with the given CPR numbers in one
// search (all its pages). CPR numbers eHospitalet does not know are absent
// from the map.
func (c *Client) PatientsByCPR(ctx context.Context, cprs []domain.CPR) (map[domain.CPR]domain.Citizen, error) {
	cprs = upstream.Unique(cprs)
	out := make(map[domain.CPR]domain.Citizen, len(cprs))
	if len(cprs) == 0 {
		return out, nil
	}
	asked := upstream.NewKeySet(cprs)
	params := url.Values{fhir.ParamIdentifier: {tokens(c.opts.CPRSystem, cprs)}}
	err := c.searchPages(ctx, "patient_search", "Patient", params, len(cprs), func(p *page, chk *upstream.Checker) error {
		for _, e := range p.patients {
			chk.At("entry[%d].resource", e.entry)
			citizen := mapPatient(chk, c.opts.CPRSystem, e.resource)
			if !asked.Has(citizen.CPR) && !chk.Failed() {
				chk.Fail("identifier", "is not among the CPR numbers asked for")
			}
			if chk.Failed() {
				return chk.Err()
			}
			out[citizen.CPR] = citizen
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("ehospital: search patients: %w", err)
	}
	return out, nil
}

var genders = []string{"male", "female", "other", "unknown"}

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
	c.BirthDate = chk.Date("birthDate", p.BirthDate)
	if c.BirthDate.IsZero() {
		c.BirthDate = c.CPR.BirthDate()
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
	if p.DeceasedDateTime != nil {
		at := dateTime(chk, "deceasedDateTime", *p.DeceasedDateTime)
		if !at.IsZero() {
			c.DeceasedAt = &at
		}
	}
	return c
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
		if ext.URL == fhir.ExtMunicipality && ext.ValueCoding != nil {
			field := fmt.Sprintf("address[%d].extension[%d].valueCoding.code", idx, j)
			out.Municipality = municipalityCode(chk, field, ext.ValueCoding.Code)
		}
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

// dateTime parses a FHIR dateTime given to at least the day: RFC 3339, or
// a date (UTC midnight).
func dateTime(chk *upstream.Checker, field, s string) time.Time {
	if len(s) == len(time.DateOnly) {
		return chk.Date(field, s)
	}
	return chk.Time(field, s)
}
