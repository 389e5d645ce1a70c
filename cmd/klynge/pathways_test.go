package main

import (
	"testing"
	"time"

	"github.com/sundhedsklynge/klynge/config"
	"github.com/sundhedsklynge/klynge/pathway"
)

func TestPathwayRulesFromConfiguration(t *testing.T) {
	if got := pathwayRules(config.Pathways{}); got != pathway.DefaultRules() {
		t.Errorf("an empty pathways section must mean the defaults, got %+v", got)
	}
	got := pathwayRules(config.Pathways{MedicationCoverDays: 5, CareVisitWithin: config.Duration(12 * time.Hour), IncludePsychiatric: true})
	if got.MedicationCoverDays != 5 || got.CareVisitWithin != 12*time.Hour || got.ExcludePsychiatric {
		t.Errorf("configured values not applied: %+v", got)
	}
	if got.FollowUp != pathway.DefaultRules().FollowUp {
		t.Error("a key left out lost its default")
	}
	if err := got.Validate(); err != nil {
		t.Errorf("configured rules invalid: %v", err)
	}
}
