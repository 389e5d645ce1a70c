package resolvers

import (
	"github.com/sundhedsklynge/klynge/domain"
	"github.com/sundhedsklynge/klynge/graph/model"
	"github.com/sundhedsklynge/klynge/pathway"
)

var pathwaySources = map[pathway.System]model.SourceSystem{
	pathway.SystemEHospital:  model.SourceSystemEhospital,
	pathway.SystemMunicipal:  model.SourceSystemMunicipal,
	pathway.SystemOutOfHours: model.SourceSystemOutOfHours,
	pathway.SystemGP:         model.SourceSystemGpReferral,
}

// mapSources maps systems to the schema's SourceSystem, never nil.
func mapSources(ss []pathway.System) []model.SourceSystem {
	out := make([]model.SourceSystem, len(ss))
	for i, s := range ss {
		out[i] = pathwaySources[s]
	}
	return out
}

// mapPathway maps an assessed pathway (pathway.Assess: UNKNOWN with missing
// sources). The pathway package's constants are spelled as the GraphQL
// enums, so most values convert directly.
func mapPathway(p pathway.Pathway, missing []pathway.System) model.Pathway {
	out := model.Pathway{
		ID:                     p.ID,
		CPR:                    p.CPR,
		Kind:                   model.PathwayKind(p.Kind),
		Status:                 model.PathwayStatus(p.Status),
		AdmittedAt:             p.AdmittedAt,
		DischargedAt:           optTime(p.DischargedAt),
		FollowUpUntil:          optTime(p.FollowUpUntil),
		DischargeEncounterID:   optString(p.DischargeEncounterID),
		EncounterIds:           p.EncounterIDs,
		Hospital:               &p.Hospital,
		Department:             &p.Department,
		Psychiatric:            p.Psychiatric,
		ExtendedResponsibility: p.ExtendedResponsibility,
		MunicipalityCode:       optMunicipality(p.Municipality),
		Events:                 mapAll(p.Events, mapPathwayEvent),
		Gaps:                   mapAll(p.Gaps, mapGap),
		OpenDeadlines:          mapAll(p.OpenDeadlines, mapDeadline),
		MissingSources:         mapSources(missing),
		RuleSet:                optString(p.RuleSet),
		RuleSetVersion:         optString(p.RuleVersion),
		Responsibility: &model.Responsibility{
			Timeline: mapAll(p.Responsibility.Timeline, mapSpan),
		},
	}
	if out.EncounterIds == nil {
		out.EncounterIds = []string{}
	}
	if len(missing) > 0 {
		out.RuleSet, out.RuleSetVersion = nil, nil // no rule was evaluated (pathway.Assess)
	}
	if d, ok := destinations[p.Destination]; ok {
		out.Destination = &d
	}
	if cur := p.Responsibility.Current; cur != nil {
		s := mapSpan(*cur)
		out.Responsibility.Current = &s
	}
	return out
}

func mapPathwayEvent(e pathway.Event) model.PathwayEvent {
	return model.PathwayEvent{
		At:      e.At,
		Source:  pathwaySources[e.Source],
		Kind:    model.PathwayEventKind(e.Kind),
		Code:    optString(e.Code),
		Ref:     e.Ref,
		Summary: e.Summary,
	}
}

func mapGap(g pathway.Gap) model.HandoverGap {
	return model.HandoverGap{
		Kind:           model.GapKind(g.Kind),
		Severity:       model.Severity(g.Severity),
		DetectedAt:     g.DetectedAt,
		Message:        g.Message,
		Evidence:       mapAll(g.Evidence, mapPathwayEvent),
		RuleSet:        g.RuleSet,
		RuleSetVersion: g.RuleVersion,
	}
}

func mapDeadline(d pathway.Deadline) model.Deadline {
	return model.Deadline{Rule: model.GapKind(d.Rule), Due: d.Due, Ref: d.Ref}
}

func mapSpan(s pathway.ResponsibilitySpan) model.ResponsibilitySpan {
	out := model.ResponsibilitySpan{
		Party:              model.ResponsibleParty(s.Party),
		Basis:              model.ResponsibilityBasis(s.Basis),
		PracticeYdernummer: optString(string(s.Practice)),
		MunicipalityCode:   optMunicipality(s.Municipality),
		Since:              s.Since,
		Until:              optTime(s.Until),
	}
	if s.Hospital != (domain.Organization{}) {
		out.Hospital = &s.Hospital
	}
	if s.Department != (domain.Organization{}) {
		out.Department = &s.Department
	}
	if s.Service != (domain.Coding{}) {
		out.Service = &s.Service
	}
	return out
}
