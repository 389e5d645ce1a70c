package ehospital

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sundhedsklynge/klynge/connectors/ehospital/fhir"
	"github.com/sundhedsklynge/klynge/domain"
	"github.com/sundhedsklynge/klynge/sandbox/internal/httpapi"
)

// paramSpec is one search parameter the server supports; the
// CapabilityStatement and the OpenAPI document list the same table.
type paramSpec struct {
	name  string
	typ   string // FHIR search parameter type
	doc   string
	multi bool // may repeat (AND)
}

var (
	commonParams = []paramSpec{
		{fhir.ParamCount, "number", fmt.Sprintf("page size, 0..%d (larger values are clamped to %d); default %d", fhir.MaxCount, fhir.MaxCount, defaultCount), false},
		{"_format", "special", "json or application/fhir+json only", false},
	}
	patientParams = append([]paramSpec{
		{fhir.ParamIdentifier, "token", "OR list of system|value; synthetic CPRs live under " + fhir.SystemSyntheticCPR + " (a bare value means that system)", true},
	}, commonParams...)
	encounterParams = append([]paramSpec{
		{fhir.ParamPatientIdentifier, "token", "the patient's identifier, OR list of system|value (as Patient identifier)", true},
		{fhir.ParamPatientMunicipality, "token", "the patient's municipality of residence, 4-digit codes, OR list", true},
		{fhir.ParamDate, "date", "the encounter's period overlaps the value; prefixes ge, gt, le, lt, eq; repeat to bound both ends; dates without time are Europe/Copenhagen days", true},
		{fhir.ParamStatus, "token", "OR list of Encounter.status codes", true},
		{fhir.ParamClass, "token", "OR list of v3 ActCode classes (IMP, EMER, VR, HH)", true},
		{fhir.ParamServiceProvider, "token", "OR list of the hospital's SOR code (system " + fhir.SystemSOR + ")", true},
		{fhir.ParamRevInclude, "special", "only " + fhir.RevIncludeProvenance + ": adds the MedCom HospitalNotifications as Provenance", false},
	}, commonParams...)
)

const defaultCount = 50

// query is a parsed, validated search.
type query struct {
	resource string
	// Each inner list is one occurrence of a parameter (OR); occurrences AND.
	identifiers    [][]domain.CPR
	municipalities [][]domain.MunicipalityCode
	dates          []dateFilter
	statuses       [][]string
	classes        [][]string
	providers      [][]domain.SORCode
	revInclude     bool
	count          int
	keys           int
	canonical      string
}

// id is the stored search's deterministic id: a hash of the normalized query.
func (q *query) id() string {
	sum := sha256.Sum256([]byte(q.canonical))
	return hex.EncodeToString(sum[:10])
}

var encounterStatuses = []string{"planned", "arrived", "triaged", "in-progress", "onleave", "finished", "cancelled", "entered-in-error", "unknown"}
var actCodes = []string{"AMB", "EMER", "FLD", "HH", "IMP", "ACUTE", "NONAC", "OBSENC", "PRENC", "SS", "VR"}

// parseQuery validates every parameter against the resource's table.
func parseQuery(resource string, values url.Values, loc *time.Location) (*query, error) {
	specs := patientParams
	if resource == "Encounter" {
		specs = encounterParams
	}
	q := &query{resource: resource, count: defaultCount}
	var canon []string
	for _, name := range slices.Sorted(maps.Keys(values)) {
		occurrences := values[name]
		i := slices.IndexFunc(specs, func(s paramSpec) bool { return s.name == name })
		if i < 0 {
			return nil, httpapi.BadRequest("%s: unknown search parameter for %s (supported: %s)", name, resource, specNames(specs))
		}
		if !specs[i].multi && len(occurrences) > 1 {
			return nil, httpapi.BadRequest("%s: may be given once", name)
		}
		for _, raw := range occurrences {
			norm, err := q.add(name, raw, loc)
			if err != nil {
				return nil, err
			}
			if norm != "" {
				canon = append(canon, name+"="+norm)
			}
		}
	}
	slices.Sort(canon)
	q.canonical = resource + "?" + strings.Join(canon, "&")
	return q, nil
}

func specNames(specs []paramSpec) string {
	names := make([]string, len(specs))
	for i, s := range specs {
		names[i] = s.name
	}
	return strings.Join(names, ", ")
}

// add parses one occurrence and returns its normalized form for the
// search's id ("" for parameters that do not change the result set).
func (q *query) add(name, raw string, loc *time.Location) (string, error) {
	switch name {
	case fhir.ParamCount:
		n, err := strconv.Atoi(raw)
		if err != nil || n < 0 {
			return "", httpapi.BadRequest("%s: must be a non-negative integer, got %q", name, raw)
		}
		q.count = min(n, fhir.MaxCount)
		return "", nil
	case "_format":
		switch raw {
		case "json", "application/json", fhir.ContentType:
			return "", nil
		}
		return "", httpapi.BadRequest("_format: only json is served, got %q", raw)
	case fhir.ParamRevInclude:
		if raw != fhir.RevIncludeProvenance {
			return "", httpapi.BadRequest("%s: only %s is supported, got %q", name, fhir.RevIncludeProvenance, raw)
		}
		q.revInclude = true
		return raw, nil
	case fhir.ParamDate:
		f, err := parseDate(raw, loc)
		if err != nil {
			return "", err
		}
		q.dates = append(q.dates, f)
		return f.prefix + f.lo.UTC().Format(time.RFC3339Nano) + "/" + f.hi.UTC().Format(time.RFC3339Nano), nil
	}
	tokens, err := splitTokens(name, raw)
	if err != nil {
		return "", err
	}
	var norm []string
	switch name {
	case fhir.ParamIdentifier, fhir.ParamPatientIdentifier:
		var cprs []domain.CPR
		for i, t := range tokens {
			q.keys++
			if t.hasSystem && t.system != fhir.SystemSyntheticCPR && t.system != fhir.SystemCPR {
				norm = append(norm, "none")
				continue // an identifier system this server holds nothing of
			}
			c, err := domain.ParseCPR(t.code)
			if err != nil {
				return "", httpapi.BadRequest("%s: value %d: %v", name, i+1, err)
			}
			if t.system == fhir.SystemCPR {
				// The sandbox holds synthetic numbers only; none claims the
				// real CPR system.
				norm = append(norm, "none")
				continue
			}
			cprs = append(cprs, c)
			norm = append(norm, string(c))
		}
		q.identifiers = append(q.identifiers, cprs)
	case fhir.ParamPatientMunicipality:
		var codes []domain.MunicipalityCode
		for i, t := range tokens {
			if t.hasSystem && t.system != fhir.SystemMunicipality {
				return "", httpapi.BadRequest("%s: value %d: system must be %s, got %q", name, i+1, fhir.SystemMunicipality, t.system)
			}
			n, err := strconv.Atoi(t.code)
			if err != nil || len(t.code) != 4 || n < 0 {
				return "", httpapi.BadRequest("%s: value %d: must be a 4-digit municipality code such as 0330, got %q", name, i+1, t.code)
			}
			codes = append(codes, domain.MunicipalityCode(n))
			norm = append(norm, t.code)
		}
		q.municipalities = append(q.municipalities, codes)
	case fhir.ParamStatus:
		var list []string
		for i, t := range tokens {
			if !slices.Contains(encounterStatuses, t.code) || (t.hasSystem && t.system != "http://hl7.org/fhir/encounter-status") {
				return "", httpapi.BadRequest("%s: value %d: %q is not an Encounter.status (%s)", name, i+1, t.code, strings.Join(encounterStatuses, ", "))
			}
			list = append(list, t.code)
			norm = append(norm, t.code)
		}
		q.statuses = append(q.statuses, list)
	case fhir.ParamClass:
		var list []string
		for i, t := range tokens {
			if !slices.Contains(actCodes, t.code) || (t.hasSystem && t.system != fhir.SystemActCode) {
				return "", httpapi.BadRequest("%s: value %d: %q is not a v3 ActCode encounter class (%s)", name, i+1, t.code, strings.Join(actCodes, ", "))
			}
			list = append(list, t.code)
			norm = append(norm, t.code)
		}
		q.classes = append(q.classes, list)
	case fhir.ParamServiceProvider:
		var list []domain.SORCode
		for i, t := range tokens {
			if (t.hasSystem && t.system != fhir.SystemSOR) || !allDigits(t.code) {
				return "", httpapi.BadRequest("%s: value %d: must be a SOR code (digits, system %s), got %q", name, i+1, fhir.SystemSOR, t.code)
			}
			list = append(list, domain.SORCode(t.code))
			norm = append(norm, t.code)
		}
		q.providers = append(q.providers, list)
	}
	slices.Sort(norm)
	return strings.Join(slices.Compact(norm), ","), nil
}

type token struct {
	system, code string
	hasSystem    bool
}

// splitTokens reads a comma-separated OR list of [system|]code.
func splitTokens(name, raw string) ([]token, error) {
	if raw == "" {
		return nil, httpapi.BadRequest("%s: must not be empty", name)
	}
	var out []token
	for i, part := range strings.Split(raw, ",") {
		t := token{code: part}
		if sys, code, ok := strings.Cut(part, "|"); ok {
			t = token{system: sys, code: code, hasSystem: true}
		}
		if t.code == "" {
			return nil, httpapi.BadRequest("%s: value %d: code must not be empty", name, i+1)
		}
		out = append(out, t)
	}
	return out, nil
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// dateFilter is one date parameter: a prefix and the value's range [lo, hi).
type dateFilter struct {
	prefix string
	lo, hi time.Time
}

var datePrefixes = []string{"eq", "ge", "gt", "le", "lt"}

// parseDate reads [prefix]YYYY[-MM[-DD[Thh:mm[:ss[.fff]]TZ]]]; values with a
// time need a zone, as FHIR requires.
func parseDate(raw string, loc *time.Location) (dateFilter, error) {
	f := dateFilter{prefix: "eq"}
	v := raw
	if len(v) >= 2 && v[0] >= 'a' && v[0] <= 'z' {
		f.prefix, v = v[:2], v[2:]
		if !slices.Contains(datePrefixes, f.prefix) {
			return f, httpapi.BadRequest("date: prefix %q is not supported (use %s)", f.prefix, strings.Join(datePrefixes, ", "))
		}
	}
	layouts := []struct {
		layout string
		step   func(time.Time) time.Time
	}{
		{"2006", func(t time.Time) time.Time { return t.AddDate(1, 0, 0) }},
		{"2006-01", func(t time.Time) time.Time { return t.AddDate(0, 1, 0) }},
		{"2006-01-02", func(t time.Time) time.Time { return t.AddDate(0, 0, 1) }},
	}
	for _, l := range layouts {
		if len(v) == len(l.layout) {
			t, err := time.ParseInLocation(l.layout, v, loc)
			if err == nil {
				f.lo, f.hi = t, l.step(t)
				return f, nil
			}
		}
	}
	if t, err := time.Parse("2006-01-02T15:04Z07:00", v); err == nil {
		f.lo, f.hi = t, t.Add(time.Minute)
		return f, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		f.lo, f.hi = t, t.Add(time.Second)
		if t.Nanosecond() != 0 {
			f.hi = t.Add(time.Millisecond)
		}
		return f, nil
	}
	return f, httpapi.BadRequest("date: %q must be YYYY, YYYY-MM, YYYY-MM-DD or a dateTime with a zone such as 2025-11-20T14:00:00+01:00", raw)
}

// matches reports whether a period [start, end] (end zero: ongoing) meets
// the filter; FHIR periods overlap when they share any instant.
func (f dateFilter) matches(start, end time.Time) bool {
	open := end.IsZero()
	switch f.prefix {
	case "ge":
		return open || !end.Before(f.lo)
	case "gt":
		return open || !end.Before(f.hi)
	case "le":
		return start.Before(f.hi)
	case "lt":
		return start.Before(f.lo)
	}
	return start.Before(f.hi) && (open || !end.Before(f.lo))
}
