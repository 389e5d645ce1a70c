package ehospital

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/sundhedsklynge/klynge/connectors/ehospital/fhir"
	"github.com/sundhedsklynge/klynge/connectors/upstream"
	"github.com/sundhedsklynge/klynge/domain"
)

// known is what one call has learnt of a patient: from a Patient resource
// (searched, included, or looked up by id) or from a subject that carried
// both a reference and the CPR identifier.
type known struct {
	cpr domain.CPR
	// municipality is set when a Patient resource was read (0: none on
	// its address).
	municipality domain.MunicipalityCode
	read         bool
}

// directory maps the Patient logical ids one call meets to what it knows
// of them. Servers write Encounter.subject as a reference, an identifier
// or both; this is how a reference becomes a CPR.
type directory struct {
	cprSystem string
	byID      map[string]known
	byCPR     map[domain.CPR]known
	// failed are ids whose Patient resource could not be read.
	failed map[string]error
}

func newDirectory(cprSystem string) *directory {
	return &directory{cprSystem: cprSystem, byID: map[string]known{}, byCPR: map[domain.CPR]known{}, failed: map[string]error{}}
}

// learnPatient records a Patient resource; err is its mapping error, if
// any (the id then resolves to nothing and the error can be charged).
func (d *directory) learnPatient(p fhir.Patient, c domain.Citizen, err error) {
	if err != nil {
		if p.ID != "" {
			d.failed[p.ID] = err
		}
		return
	}
	k := known{cpr: c.CPR, municipality: c.Address.Municipality, read: true}
	if p.ID != "" {
		d.byID[p.ID] = k
	}
	d.byCPR[c.CPR] = k
}

// subject is what an Encounter.subject says, as far as it can be read.
type subject struct {
	cpr       domain.CPR // from the identifier, or the reference once resolved
	patientID string     // from the reference ("" if none)
}

// subjectOf reads an encounter's subject: the CPR identifier if it carries
// one (checked: a wrong CPR fails the record), and the Patient id of a
// literal reference (relative, absolute or versioned).
func (d *directory) subjectOf(chk *upstream.Checker, ref *fhir.Reference) subject {
	var s subject
	if ref == nil {
		return s
	}
	s.patientID = referenceID(ref.Reference, "Patient")
	if id := ref.Identifier; id != nil && id.System == d.cprSystem {
		s.cpr = chk.CPR("subject.identifier.value", id.Value)
		if s.cpr != "" && s.patientID != "" {
			if _, ok := d.byID[s.patientID]; !ok {
				d.byID[s.patientID] = known{cpr: s.cpr}
			}
		}
		return s
	}
	if k, ok := d.byID[s.patientID]; ok {
		s.cpr = k.cpr
	}
	return s
}

// resolved fills in the CPR of a subject known only by reference, once
// the directory has learnt it.
func (d *directory) resolved(s subject) subject {
	if s.cpr == "" && s.patientID != "" {
		s.cpr = d.byID[s.patientID].cpr
	}
	return s
}

// municipalityOf is the municipality of the patient a subject names, and
// whether a Patient resource for it was read.
func (d *directory) municipalityOf(s subject) (domain.MunicipalityCode, bool) {
	if k, ok := d.byID[s.patientID]; ok && k.read {
		return k.municipality, true
	}
	if k, ok := d.byCPR[s.cpr]; ok && k.read {
		return k.municipality, true
	}
	return 0, false
}

// lookupIDs reads the Patients with the given logical ids
// (Patient?_id=a,b,... POSTed, a page size at a time) into the directory.
func (c *Client) lookupIDs(ctx context.Context, d *directory, op string, ids []string) error {
	for _, chunk := range chunks(ids, c.opts.PageSize) {
		q := query{op: op, resource: "Patient", params: map[string][]string{fhir.ParamID: {strings.Join(chunk, ",")}}, keys: len(chunk)}
		err := c.search(ctx, q, func(p *page) error {
			c.learnPatients(d, q.op, p)
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// lookupCPRs reads the Patients with the given CPRs (Patient?identifier,
// POSTed) into the directory.
func (c *Client) lookupCPRs(ctx context.Context, d *directory, op string, cprs []domain.CPR) error {
	for _, chunk := range chunks(cprs, c.opts.PageSize) {
		q := query{op: op, resource: "Patient", params: map[string][]string{fhir.ParamIdentifier: {tokens(c.opts.CPRSystem, chunk)}}, keys: len(chunk)}
		err := c.search(ctx, q, func(p *page) error {
			c.learnPatients(d, q.op, p)
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// learnPatients records every Patient of a page, match or include.
func (c *Client) learnPatients(d *directory, op string, p *page) {
	for _, e := range p.patients {
		chk := upstream.NewChecker(c.up.System(), op)
		chk.Next("entry[%d].resource", e.index)
		citizen := mapPatient(chk, c.opts.CPRSystem, e.resource)
		d.learnPatient(e.resource, citizen, chk.Err())
	}
}

// loose reads what a resource that failed to decode still says about whom
// it concerns: a Patient's CPR identifier, an Encounter's subject, a
// Provenance's Encounter target. Anything unreadable is left empty.
type loose struct {
	cpr         domain.CPR
	patientID   string
	encounterID string
}

func readLoose(raw json.RawMessage, cprSystem string) loose {
	var r struct {
		Identifier []json.RawMessage `json:"identifier"`
		Subject    json.RawMessage   `json:"subject"`
		Target     []json.RawMessage `json:"target"`
	}
	var out loose
	if json.Unmarshal(raw, &r) != nil {
		return out
	}
	type ident struct{ System, Value string }
	type ref struct {
		Reference  string
		Identifier *ident
	}
	for _, raw := range r.Identifier {
		var id ident
		if json.Unmarshal(raw, &id) == nil && id.System == cprSystem {
			if c, err := domain.ParseCPR(id.Value); err == nil {
				out.cpr = c
			}
		}
	}
	var s ref
	if json.Unmarshal(r.Subject, &s) == nil {
		out.patientID = referenceID(s.Reference, "Patient")
		if s.Identifier != nil && s.Identifier.System == cprSystem {
			if c, err := domain.ParseCPR(s.Identifier.Value); err == nil {
				out.cpr = c
			}
		}
	}
	for _, raw := range r.Target {
		var t ref
		if json.Unmarshal(raw, &t) == nil {
			if id := referenceID(t.Reference, "Encounter"); id != "" {
				out.encounterID = id
			}
		}
	}
	return out
}

// referenceID is the id in a literal reference to a resource of type
// typ: relative ("Encounter/123") or absolute
// ("https://host/fhir/Encounter/123"), with any "/_history/n" dropped.
// It is "" for a reference to another type.
func referenceID(ref, typ string) string {
	ref, _, _ = strings.Cut(ref, "/_history/")
	i := strings.LastIndex(ref, typ+"/")
	if i < 0 || (i > 0 && ref[i-1] != '/') {
		return ""
	}
	id := ref[i+len(typ)+1:]
	if id == "" || strings.ContainsAny(id, "/?#") {
		return ""
	}
	return id
}
