package ehospital

import (
	"crypto/sha256"
	"encoding/hex"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

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

// Search parameter names.
const (
	paramIdentifier        = "identifier"
	paramID                = "_id"
	paramPatientIdentifier = "patient.identifier"
	paramMunicipality      = "patient.municipality"
	paramPatient           = "patient"
	paramSubject           = "subject"
	paramDate              = "date"
	paramStatus            = "status"
	paramClass             = "class"
	paramServiceProvider   = "service-provider"
	paramRevInclude        = "_revinclude"
	paramLastUpdated       = "_lastUpdated"
	paramInclude           = "_include"
	paramTarget            = "target"
	paramCount             = "_count"
	paramOffset            = "_offset"
	paramTotal             = "_total"

	revIncludeProvenance = "Provenance:target"
	includePatient       = "Encounter:patient"
	includeSubject       = "Encounter:subject"
)

var (
	commonParams = []paramSpec{
		{paramCount, "number", "page size; capped by the dialect (eHospitalet: 100)", false},
		{paramOffset, "number", "index of the first match on the page (the dialects whose next links repeat the search)", false},
		{paramTotal, "token", "accurate or estimate: write Bundle.total in dialects that do not always", false},
		{"_format", "special", "json or application/fhir+json only", false},
	}
	patientParams = append([]paramSpec{
		{paramIdentifier, "token", "OR list of system|value; synthetic CPRs live under " + systemSyntheticCPR + " (a bare value means that system)", true},
		{paramID, "token", "OR list of logical ids (pat-000123)", true},
	}, commonParams...)
	encounterParams = append([]paramSpec{
		{paramPatientIdentifier, "token", "the patient's identifier, OR list of system|value (as Patient identifier)", true},
		{paramMunicipality, "token", "the patient's municipality of residence, 4-digit codes, OR list", true},
		{paramPatient, "reference", "OR list of Patient references (Patient/pat-000123)", true},
		{paramSubject, "reference", "as patient", true},
		{paramDate, "date", "the encounter's period overlaps the value; prefixes ge, gt, le, lt, eq; repeat to bound both ends; dates without time are Europe/Copenhagen days", true},
		{paramStatus, "token", "OR list of Encounter.status codes", true},
		{paramClass, "token", "OR list of v3 ActCode classes (IMP, EMER, VR, HH)", true},
		{paramServiceProvider, "token", "OR list of the hospital's SOR code (system " + systemSOR + ")", true},
		{paramRevInclude, "special", "only " + revIncludeProvenance + ": adds the MedCom HospitalNotifications as Provenance", false},
		{paramInclude, "special", includePatient + " or " + includeSubject + ": adds each encounter's Patient", false},
		{paramLastUpdated, "date", "when the encounter (or a notification about it) last changed; prefixes as date; for incremental reads (gt the last poll)", true},
	}, commonParams...)
	provenanceParams = append([]paramSpec{
		{paramTarget, "reference", "OR list of Encounter references (Encounter/enc-000123)", true},
	}, commonParams...)
)

// specsOf is the parameter table of a resource type.
func specsOf(resource string) []paramSpec {
	switch resource {
	case "Encounter":
		return encounterParams
	case "Provenance":
		return provenanceParams
	}
	return patientParams
}

// query is a parsed, validated search.
type query struct {
	resource string
	// Each inner list is one occurrence of a parameter (OR); occurrences AND.
	identifiers    [][]domain.CPR
	patients       [][]int // citizen indexes named by _id, patient or subject
	targets        [][]int // encounter indexes named by target
	municipalities [][]domain.MunicipalityCode
	dates          []dateFilter
	lastUpdated    []dateFilter
	statuses       [][]string
	classes        [][]string
	providers      [][]domain.SORCode
	revInclude     bool
	include        bool
	total          bool
	count, offset  int
	keys           int
	canonical      string
	// params are the parameters as given, for links that repeat the search.
	params url.Values
}

// id is the stored search's deterministic id: a hash of the normalized query.
func (q *query) id() string {
	sum := sha256.Sum256([]byte(q.canonical))
	return hex.EncodeToString(sum[:10])
}

var encounterStatuses = []string{"planned", "arrived", "triaged", "in-progress", "onleave", "finished", "cancelled", "entered-in-error", "unknown"}
var actCodes = []string{"AMB", "EMER", "FLD", "HH", "IMP", "ACUTE", "NONAC", "OBSENC", "PRENC", "SS", "VR"}

// refusal is a parameter (or include value) the dialect does not
// support: answered 400 with an OperationOutcome naming it in the
// dialect's words.
type refusal struct {
	name, resource string
}

func (r *refusal) Error() string { return r.name + ": not supported" }

// parseQuery validates every parameter against the resource's table and
// the dialect; refs resolves Patient and Encounter references to indexes.
func parseQuery(d Dialect, resource string, values url.Values, loc *time.Location, refs resolver) (*query, error) {
	specs := specsOf(resource)
	q := &query{resource: resource, count: d.DefaultCount, params: values}
	var canon []string
	for _, name := range slices.Sorted(maps.Keys(values)) {
		occurrences := values[name]
		i := slices.IndexFunc(specs, func(s paramSpec) bool { return s.name == name })
		if i < 0 {
			return nil, httpapi.BadRequest("%s: unknown search parameter for %s (supported: %s)", name, resource, specNames(specs))
		}
		if !d.supports(name) {
			return nil, &refusal{name: name, resource: resource}
		}
		if !specs[i].multi && len(occurrences) > 1 {
			return nil, httpapi.BadRequest("%s: may be given once", name)
		}
		for _, raw := range occurrences {
			if !d.supports(raw) {
				return nil, &refusal{name: raw, resource: resource}
			}
			norm, err := q.add(d, name, raw, loc, refs)
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

// resolver finds what references name: a Patient's citizen index, an
// Encounter's index.
type resolver struct {
	patient   func(id string) (int, bool)
	encounter func(id string) (int, bool)
}

// add parses one occurrence and returns its normalized form for the
// search's id ("" for parameters that do not change the result set).
func (q *query) add(d Dialect, name, raw string, loc *time.Location, refs resolver) (string, error) {
	switch name {
	case paramCount, paramOffset:
		n, err := strconv.Atoi(raw)
		if err != nil || n < 0 {
			return "", httpapi.BadRequest("%s: must be a non-negative integer, got %q", name, raw)
		}
		if name == paramCount {
			q.count = min(n, d.MaxCount)
		} else {
			q.offset = n
		}
		return "", nil
	case paramTotal:
		q.total = raw == "accurate" || raw == "estimate"
		return "", nil
	case "_format":
		switch raw {
		case "json", "application/json", contentType:
			return "", nil
		}
		return "", httpapi.BadRequest("_format: only json is served, got %q", raw)
	case paramRevInclude:
		if raw != revIncludeProvenance {
			return "", httpapi.BadRequest("%s: only %s is supported, got %q", name, revIncludeProvenance, raw)
		}
		q.revInclude = true
		return raw, nil
	case paramInclude:
		if raw != includePatient && raw != includeSubject {
			return "", httpapi.BadRequest("%s: only %s and %s are supported, got %q", name, includePatient, includeSubject, raw)
		}
		q.include = true
		return "", nil
	case paramLastUpdated:
		f, err := parseDate(raw, loc)
		if err != nil {
			return "", err
		}
		q.lastUpdated = append(q.lastUpdated, f)
		return "lu" + f.prefix + f.lo.UTC().Format(time.RFC3339Nano) + "/" + f.hi.UTC().Format(time.RFC3339Nano), nil
	case paramDate:
		f, err := parseDate(raw, loc)
		if err != nil {
			return "", err
		}
		q.dates = append(q.dates, f)
		return f.prefix + f.lo.UTC().Format(time.RFC3339Nano) + "/" + f.hi.UTC().Format(time.RFC3339Nano), nil
	case paramID, paramPatient, paramSubject, paramTarget:
		return q.addReferences(name, raw, refs)
	}
	return q.addTokens(name, raw)
}

// addReferences reads an OR list of logical ids (_id) or references
// (Patient/pat-000123, Encounter/enc-000123). Ids the server does not know
// match nothing.
func (q *query) addReferences(name, raw string, refs resolver) (string, error) {
	if raw == "" {
		return "", httpapi.BadRequest("%s: must not be empty", name)
	}
	typ, find := "Patient", refs.patient
	if name == paramTarget {
		typ, find = "Encounter", refs.encounter
	}
	var found []int
	for i, v := range strings.Split(raw, ",") {
		q.keys++
		id := v
		if name != paramID {
			rest, ok := strings.CutPrefix(v, typ+"/")
			if !ok || rest == "" {
				return "", httpapi.BadRequest("%s: value %d: must be a reference %s/[id], got %q", name, i+1, typ, v)
			}
			id = rest
		}
		if k, ok := find(id); ok {
			found = append(found, k)
		}
	}
	slices.Sort(found)
	found = slices.Compact(found)
	norm := make([]string, len(found))
	for i, k := range found {
		norm[i] = strconv.Itoa(k)
	}
	if name == paramTarget {
		q.targets = append(q.targets, found)
	} else {
		q.patients = append(q.patients, found)
	}
	return typ + ":" + strings.Join(norm, ","), nil
}

// addTokens reads the token parameters.
func (q *query) addTokens(name, raw string) (string, error) {
	tokens, err := splitTokens(name, raw)
	if err != nil {
		return "", err
	}
	var norm []string
	switch name {
	case paramIdentifier, paramPatientIdentifier:
		var cprs []domain.CPR
		for i, t := range tokens {
			q.keys++
			if t.hasSystem && t.system != systemSyntheticCPR && t.system != systemCPR {
				norm = append(norm, "none")
				continue // an identifier system this server holds nothing of
			}
			c, err := domain.ParseCPR(t.code)
			if err != nil {
				return "", httpapi.BadRequest("%s: value %d: %v", name, i+1, err)
			}
			if t.system == systemCPR {
				// The sandbox holds synthetic numbers only; none claims the
				// real CPR system.
				norm = append(norm, "none")
				continue
			}
			cprs = append(cprs, c)
			norm = append(norm, string(c))
		}
		q.identifiers = append(q.identifiers, cprs)
	case paramMunicipality:
		var codes []domain.MunicipalityCode
		for i, t := range tokens {
			if t.hasSystem && t.system != systemMunicipality {
				return "", httpapi.BadRequest("%s: value %d: system must be %s, got %q", name, i+1, systemMunicipality, t.system)
			}
			n, err := strconv.Atoi(t.code)
			if err != nil || len(t.code) != 4 || n < 0 {
				return "", httpapi.BadRequest("%s: value %d: must be a 4-digit municipality code such as 0330, got %q", name, i+1, t.code)
			}
			codes = append(codes, domain.MunicipalityCode(n))
			norm = append(norm, t.code)
		}
		q.municipalities = append(q.municipalities, codes)
	case paramStatus:
		var list []string
		for i, t := range tokens {
			if !slices.Contains(encounterStatuses, t.code) || (t.hasSystem && t.system != systemEncStatus) {
				return "", httpapi.BadRequest("%s: value %d: %q is not an Encounter.status (%s)", name, i+1, t.code, strings.Join(encounterStatuses, ", "))
			}
			list = append(list, t.code)
			norm = append(norm, t.code)
		}
		q.statuses = append(q.statuses, list)
	case paramClass:
		var list []string
		for i, t := range tokens {
			if !slices.Contains(actCodes, t.code) || (t.hasSystem && t.system != systemActCode) {
				return "", httpapi.BadRequest("%s: value %d: %q is not a v3 ActCode encounter class (%s)", name, i+1, t.code, strings.Join(actCodes, ", "))
			}
			list = append(list, t.code)
			norm = append(norm, t.code)
		}
		q.classes = append(q.classes, list)
	case paramServiceProvider:
		var list []domain.SORCode
		for i, t := range tokens {
			if (t.hasSystem && t.system != systemSOR) || !allDigits(t.code) {
				return "", httpapi.BadRequest("%s: value %d: must be a SOR code (digits, system %s), got %q", name, i+1, systemSOR, t.code)
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
