package ehospital

import (
	"slices"
	"sync/atomic"
)

// Dialect is how a FHIR server writes, pages and refuses: what real
// servers do every day that a client written against one server trips on.
// The sandbox serves one dialect at a time (Switch), chosen by the
// -fhir-dialect flag or PUT /_sandbox/dialect.
type Dialect struct {
	Name        string
	Description string
	// Links is how next links are written: linksOpaque (HAPI's
	// [base]?_getpages=...), linksAbsolute (the whole search repeated,
	// absolute, as Medplum) or linksRootRelative (the whole search
	// repeated, relative to the host root).
	Links string
	// DefaultCount is the page size without _count; MaxCount caps _count.
	DefaultCount, MaxCount int
	// Total is written on every page; otherwise only when _total asks.
	Total bool
	// ReferenceOnlySubjects write Encounter.subject as a bare reference.
	ReferenceOnlySubjects bool
	// PartialBirthDates write some birth dates to the year or month.
	PartialBirthDates bool
	// DeceasedBoolean writes deceasedBoolean instead of the date of death.
	DeceasedBoolean bool
	// UnaskedIncludes add include entries nobody asked for: each stay's
	// preceding stay (as _include=Encounter:part-of would).
	UnaskedIncludes bool
	// MaxRequestLine refuses longer request lines with 414, as a proxy
	// with the common 8 KiB limit does (0: no limit).
	MaxRequestLine int
	// Unsupported are the search parameters and include values answered
	// with a 400 OperationOutcome naming them.
	Unsupported []string
	// Wording is whose words the OperationOutcome uses: "hapi",
	// "medplum" or "plain".
	Wording string
	// ListIncludes makes the CapabilityStatement list searchInclude and
	// searchRevInclude (servers that do not leave clients to try).
	ListIncludes bool
}

// Link styles.
const (
	linksOpaque       = "opaque"
	linksAbsolute     = "absolute"
	linksRootRelative = "root-relative"
)

// DefaultDialect is eHospitalet's own.
const DefaultDialect = "ehospital"

// Dialects are the dialects the sandbox speaks.
var Dialects = []Dialect{
	{
		Name: "ehospital", Description: "eHospitalet's contract: opaque _getpages links, subjects by reference and CPR, total, the custom patient.municipality parameter",
		Links: linksOpaque, DefaultCount: 50, MaxCount: 100, Total: true, Wording: "plain", ListIncludes: true,
		Unsupported: []string{"_include"},
	},
	{
		Name: "hapi", Description: "HAPI FHIR: opaque _getpages links on the base, reference-only subjects with _include, total; no custom parameters",
		Links: linksOpaque, DefaultCount: 20, MaxCount: 200, Total: true, ReferenceOnlySubjects: true, Wording: "hapi", ListIncludes: true,
		Unsupported: []string{"patient.municipality"},
	},
	{
		Name: "medplum", Description: "Medplum: next links repeat the whole search (absolute), _count capped at 20, total only with _total, reference-only subjects, an 8 KiB request line",
		Links: linksAbsolute, DefaultCount: 20, MaxCount: 20, ReferenceOnlySubjects: true, MaxRequestLine: 8192, Wording: "medplum",
		Unsupported: []string{"patient.municipality"},
	},
	{
		Name: "strict", Description: "a minimal facade: root-relative links repeating the search, _count capped at 20, no total, reference-only subjects, partial birth dates, deceasedBoolean, unasked include entries, no chaining, _include or _revinclude, an 8 KiB request line",
		Links: linksRootRelative, DefaultCount: 10, MaxCount: 20, ReferenceOnlySubjects: true, PartialBirthDates: true,
		DeceasedBoolean: true, UnaskedIncludes: true, MaxRequestLine: 8192, Wording: "plain", ListIncludes: true,
		Unsupported: []string{"patient.identifier", "patient.municipality", "_include", "_revinclude", "Provenance:target"},
	},
}

// LookupDialect finds a dialect by name.
func LookupDialect(name string) (Dialect, bool) {
	i := slices.IndexFunc(Dialects, func(d Dialect) bool { return d.Name == name })
	if i < 0 {
		return Dialect{}, false
	}
	return Dialects[i], true
}

// DialectNames lists the dialects' names.
func DialectNames() []string {
	out := make([]string, len(Dialects))
	for i, d := range Dialects {
		out[i] = d.Name
	}
	return out
}

// supports reports whether the dialect answers a parameter or include
// value rather than refusing it.
func (d Dialect) supports(name string) bool { return !slices.Contains(d.Unsupported, name) }

// Switch holds the dialect being served; safe for concurrent use.
type Switch struct{ cur atomic.Pointer[Dialect] }

// NewSwitch starts with the named dialect (DefaultDialect for "").
func NewSwitch(name string) (*Switch, bool) {
	if name == "" {
		name = DefaultDialect
	}
	d, ok := LookupDialect(name)
	if !ok {
		return nil, false
	}
	s := &Switch{}
	s.cur.Store(&d)
	return s, true
}

// Current is the dialect served now.
func (s *Switch) Current() Dialect { return *s.cur.Load() }

// Set serves the named dialect from now on; ok is false for an unknown one.
func (s *Switch) Set(name string) bool {
	d, ok := LookupDialect(name)
	if ok {
		s.cur.Store(&d)
	}
	return ok
}
