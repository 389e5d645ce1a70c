package ehospital

import (
	"errors"
	"strconv"

	"github.com/sundhedsklynge/klynge/connectors/ehospital/fhir"
	"github.com/sundhedsklynge/klynge/connectors/upstream"
)

// page is one searchset page with its resources decoded by type. Each
// resource keeps the index of its entry, so errors can name it.
type page struct {
	patients    []indexed[fhir.Patient]
	encounters  []indexed[fhir.Encounter]
	provenances []indexed[fhir.Provenance]
	next        string
}

type indexed[T any] struct {
	entry    int
	resource T
}

func entryPath(i int) string { return "entry[" + strconv.Itoa(i) + "].resource" }

// decodeBundle reads one searchset. Resources of types klynge does not read
// (and OperationOutcome warnings with search mode "outcome") are skipped,
// as FHIR clients must; unknown fields are ignored.
func decodeBundle(system, op string, body []byte) (*page, error) {
	if p, ok := decodeFast(body); ok {
		return p, nil
	}
	return decodeBundleByEntry(system, op, body)
}

// decodeBundleByEntry decodes entry by entry: slower, but it skips
// resources of unknown types whatever their shape, and names the field
// that fails.
func decodeBundleByEntry(system, op string, body []byte) (*page, error) {
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
		if len(e.Resource) == 0 {
			return nil, bad(entryPath(i), "is missing")
		}
		var head fhir.ResourceHeader
		if err := upstream.DecodeJSONAt(system, op, entryPath(i), e.Resource, &head); err != nil {
			return nil, err
		}
		var err error
		switch head.ResourceType {
		case "Patient":
			p.patients, err = appendDecoded(p.patients, system, op, i, e.Resource)
		case "Encounter":
			p.encounters, err = appendDecoded(p.encounters, system, op, i, e.Resource)
		case "Provenance":
			p.provenances, err = appendDecoded(p.provenances, system, op, i, e.Resource)
		case "":
			err = bad(entryPath(i)+".resourceType", "must not be empty")
		}
		if err != nil {
			return nil, err
		}
	}
	return p, nil
}

func appendDecoded[T any](list []indexed[T], system, op string, i int, raw []byte) ([]indexed[T], error) {
	var r T
	if err := upstream.DecodeJSONAt(system, op, entryPath(i), raw, &r); err != nil {
		return list, err
	}
	return append(list, indexed[T]{entry: i, resource: r}), nil
}
