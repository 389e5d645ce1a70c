package main

import (
	"strings"
	"testing"
	"time"

	"github.com/sundhedsklynge/klynge/config"
	"github.com/sundhedsklynge/klynge/pathway"
	"github.com/sundhedsklynge/klynge/registry"
)

func TestPathwayRulesFromConfiguration(t *testing.T) {
	reg, err := registry.Load()
	if err != nil {
		t.Fatal(err)
	}
	book, err := pathwayRuleBook(config.Pathways{}, reg)
	if err != nil {
		t.Fatal(err)
	}
	if ruleFingerprint(book.Default) != ruleFingerprint(pathway.DefaultRules()) || len(book.Clusters) != 0 {
		t.Errorf("an empty pathways section must mean the defaults, got %+v", book)
	}
	yes, no := true, false
	c := config.Pathways{
		PathwayRules: config.PathwayRules{MedicationCoverDays: 5, CareVisitWithin: config.Duration(12 * time.Hour), IncludePsychiatric: &yes},
		Clusters: map[string]config.PathwayRules{
			"sjaelland-naestved-slagelse": {RuleSet: "naestved-slagelse", Version: "2023.1", ExtendedResponsibility: config.Duration(96 * time.Hour),
				IncludePsychiatric: &no, DisabledRules: []string{"REFERRAL_NOT_ANSWERED"},
				Readmission: config.Readmission{IncludeAcuteOutpatient: &yes}},
		},
	}
	book, err = pathwayRuleBook(c, reg)
	if err != nil {
		t.Fatal(err)
	}
	got := book.Default
	if got.MedicationCoverDays != 5 || got.CareVisitWithin != 12*time.Hour || got.ExcludePsychiatric {
		t.Errorf("configured values not applied: %+v", got)
	}
	if got.FollowUp != pathway.DefaultRules().FollowUp {
		t.Error("a key left out lost its default")
	}
	local := book.ForCluster("sjaelland-naestved-slagelse")
	if local.ID != "naestved-slagelse" || local.ExtendedResponsibility != 96*time.Hour || !local.ExcludePsychiatric ||
		local.Enabled(pathway.GapReferralNotAnswered) || !local.Readmission.IncludeAcuteOutpatient {
		t.Errorf("cluster rule set not applied: %+v", local)
	}
	if local.MedicationCoverDays != 5 || local.CareVisitWithin != 12*time.Hour {
		t.Errorf("a cluster's absent keys must inherit the default rule set's: %+v", local)
	}
	if book.ForCluster("sjaelland-holbaek").ID != "default" {
		t.Error("a cluster without its own rules must get the default")
	}
}

func TestPathwayRuleBookErrorsNameTheKey(t *testing.T) {
	reg, err := registry.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		c    config.Pathways
		want string
	}{
		{"unknown cluster", config.Pathways{Clusters: map[string]config.PathwayRules{"sjaelland-atlantis": {RuleSet: "a", Version: "1"}}},
			"pathways.clusters.sjaelland-atlantis: must be a cluster id of the registry"},
		{"unnamed local rule set", config.Pathways{Clusters: map[string]config.PathwayRules{"sjaelland-holbaek": {MedicationCoverDays: 4}}},
			"pathways.clusters.sjaelland-holbaek: a cluster's rule set must set its own ruleSet and version"},
		{"bad value in a cluster", config.Pathways{Clusters: map[string]config.PathwayRules{"sjaelland-holbaek": {RuleSet: "holbaek", Version: "1", DisabledRules: []string{"NO_VISIT"}}}},
			"pathways.clusters.sjaelland-holbaek.disabledRules[0]: must be a gap kind"},
		{"bad default", config.Pathways{PathwayRules: config.PathwayRules{RuleSet: "Region Sjælland"}},
			"pathways.ruleSet: must be 1-63 lower-case letters"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := pathwayRuleBook(tc.c, reg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want %q", err, tc.want)
			}
		})
	}
}
