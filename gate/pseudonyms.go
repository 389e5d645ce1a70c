package gate

import (
	"errors"

	"github.com/sundhedsklynge/klynge/graph/model"
)

// PseudonymisePathway makes a pathway fit for a pseudonymised reader (an
// integrator): the citizen is named only by the reader's pseudonym, and
// every upstream record id — the pathway's own id (made of its first
// encounter's), its encounters', and the refs of its events, evidence and
// deadlines — is replaced by the reader's pseudonym of that id
// (access.Pseudonymiser.Ref). Within the reader's view the references
// still agree (a deadline's ref is its encounter's pseudonym); nothing in
// it is an id eHospitalet, a municipality or Lægevagten would answer to, and
// two integrators see unrelated ids for one record. docs/ACCESS.md states
// the threat model. For a reader who may see CPRs it does nothing.
func (c *ClusterReader) PseudonymisePathway(p *model.Pathway) error {
	if !c.d.Pseudonymised {
		return nil
	}
	ps := c.st.gate.Pseudonyms
	if ps == nil {
		return errors.New("cluster data: no pseudonym secret configured (access.pseudonymSecret)")
	}
	citizen, err := c.Pseudonym(p.CPR)
	if err != nil {
		return err
	}
	audience := c.p.Subject
	var failed error
	ref := func(id string) string {
		r, err := ps.Ref(audience, id)
		if err != nil && failed == nil {
			failed = err
		}
		return r
	}
	p.PseudonymOf, p.Pseudonym, p.Citizen = citizen, &citizen, nil
	p.ID = "pw-" + ref(p.ID)[len("r-"):]
	if p.DischargeEncounterID != nil {
		id := ref(*p.DischargeEncounterID)
		p.DischargeEncounterID = &id
	}
	ids := make([]string, len(p.EncounterIds)) // the slice may be the assessment's own
	for i, id := range p.EncounterIds {
		ids[i] = ref(id)
	}
	p.EncounterIds = ids
	events := func(es []model.PathwayEvent) {
		for i := range es {
			if es[i].Ref != "" {
				es[i].Ref = ref(es[i].Ref)
			}
		}
	}
	events(p.Events)
	for i := range p.Gaps {
		events(p.Gaps[i].Evidence)
	}
	for i := range p.OpenDeadlines {
		p.OpenDeadlines[i].Ref = ref(p.OpenDeadlines[i].Ref)
	}
	return failed
}
