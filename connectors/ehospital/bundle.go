package ehospital

import (
	"encoding/json"
	"errors"
	"strconv"

	"github.com/sundhedsklynge/klynge/connectors/ehospital/fhir"
	"github.com/sundhedsklynge/klynge/connectors/upstream"
)

// page is one searchset page with its resources decoded by type. Each
// resource keeps the index of its entry, so errors can name it, and its
// search mode: a "match" of the search, or an "include" brought along
// (_include, _revinclude) that must never be counted as a match.
type page struct {
	patients    []entry[fhir.Patient]
	encounters  []entry[fhir.Encounter]
	provenances []entry[fhir.Provenance]
	// bad are entries whose resource could not be decoded.
	bad  []badEntry
	next string
}

type entry[T any] struct {
	index    int
	match    bool
	resource T
}

// badEntry is an entry that could not be decoded: it costs the keys it can
// still be traced to (badEntry.raw is read leniently for that), never the
// page.
type badEntry struct {
	index        int
	resourceType string
	raw          json.RawMessage
	err          error
}

func entryPath(i int) string { return "entry[" + strconv.Itoa(i) + "].resource" }

// isMatch says whether an entry is a match of a search for searched: its
// search.mode when the server gives one, else whether its type is the one
// searched (R4 makes search.mode optional).
func isMatch(mode, resourceType, searched string) bool {
	switch mode {
	case "match":
		return true
	case "include", "outcome":
		return false
	}
	return resourceType == searched
}

// decodeBundle reads one searchset of a search for resource type searched.
// Resources of types klynge does not read (and OperationOutcome warnings)
// are skipped, as FHIR clients must; unknown fields are ignored. A Bundle
// that cannot be read at all is an error; an entry that cannot be read is
// a badEntry of the page.
func decodeBundle(system, op, searched string, body []byte) (*page, error) {
	if p, ok := decodeFast(searched, body); ok {
		return p, nil
	}
	return decodeBundleByEntry(system, op, searched, body)
}

// decodeBundleByEntry decodes entry by entry: slower, but it skips
// resources of unknown types whatever their shape, and names the field
// that fails.
func decodeBundleByEntry(system, op, searched string, body []byte) (*page, error) {
	var b fhir.Bundle
	if err := upstream.DecodeJSON(system, op, body, &b); err != nil {
		return nil, err
	}
	bad := func(field, rule string) error {
		return &upstream.DecodeError{System: system, Op: op, Field: field, Err: errors.New(rule)}
	}
	if b.ResourceType != "Bundle" {
		return nil, bad("resourceType", "must be Bundle")
	}
	if b.Type != "searchset" {
		return nil, bad("type", "must be searchset")
	}
	p := &page{next: b.NextURL()}
	for i, e := range b.Entry {
		mode := ""
		if e.Search != nil {
			mode = e.Search.Mode
		}
		if len(e.Resource) == 0 {
			p.bad = append(p.bad, badEntry{index: i, err: bad(entryPath(i), "is missing")})
			continue
		}
		var head fhir.ResourceHeader
		if err := upstream.DecodeJSONAt(system, op, entryPath(i), e.Resource, &head); err != nil {
			p.bad = append(p.bad, badEntry{index: i, raw: e.Resource, err: err})
			continue
		}
		match := isMatch(mode, head.ResourceType, searched)
		var err error
		switch head.ResourceType {
		case "Patient":
			p.patients, err = appendDecoded(p.patients, system, op, i, match, e.Resource)
		case "Encounter":
			p.encounters, err = appendDecoded(p.encounters, system, op, i, match, e.Resource)
		case "Provenance":
			p.provenances, err = appendDecoded(p.provenances, system, op, i, match, e.Resource)
		case "":
			err = bad(entryPath(i)+".resourceType", "must not be empty")
		}
		if err != nil {
			p.bad = append(p.bad, badEntry{index: i, resourceType: head.ResourceType, raw: e.Resource, err: err})
		}
	}
	return p, nil
}

func appendDecoded[T any](list []entry[T], system, op string, i int, match bool, raw []byte) ([]entry[T], error) {
	var r T
	if err := upstream.DecodeJSONAt(system, op, entryPath(i), raw, &r); err != nil {
		return list, err
	}
	return append(list, entry[T]{index: i, match: match, resource: r}), nil
}
