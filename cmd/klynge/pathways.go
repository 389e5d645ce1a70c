package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/sundhedsklynge/klynge/config"
	"github.com/sundhedsklynge/klynge/domain"
	"github.com/sundhedsklynge/klynge/pathway"
	"github.com/sundhedsklynge/klynge/registry"
)

// pathwayRuleBook turns the pathways section into the rule book: the
// default rule set (pathway.DefaultRules with the section's keys), and each
// cluster's rule set (the default with the cluster's keys). Every rule set is
// validated; an error names the key and the rule.
func pathwayRuleBook(c config.Pathways, reg *registry.Registry) (pathway.RuleBook, error) {
	book := pathway.RuleBook{Default: overlayRules(pathway.DefaultRules(), c.PathwayRules)}
	errs := []error{book.Default.Validate()}
	ids := make([]string, 0, len(c.Clusters))
	for id := range c.Clusters {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		local, key := c.Clusters[id], "pathways.clusters."+id
		if _, ok := reg.Cluster(id); !ok {
			errs = append(errs, &pathway.RulesError{Field: key, Rule: "must be a cluster id of the registry, e.g. sjaelland-naestved-slagelse"})
			continue
		}
		if local.RuleSet == "" || local.Version == "" {
			errs = append(errs, &pathway.RulesError{Field: key, Rule: "a cluster's rule set must set its own ruleSet and version"})
			continue
		}
		r := overlayRules(book.Default, local)
		errs = append(errs, r.ValidateAt(key))
		if book.Clusters == nil {
			book.Clusters = map[string]pathway.Rules{}
		}
		book.Clusters[id] = r
	}
	return book, errors.Join(errs...)
}

// overlayRules sets on base every key the configuration sets.
func overlayRules(base pathway.Rules, c config.PathwayRules) pathway.Rules {
	r := base
	set := func(dst *time.Duration, v config.Duration) {
		if v != 0 {
			*dst = v.D()
		}
	}
	setBool := func(dst *bool, v *bool) {
		if v != nil {
			*dst = *v
		}
	}
	if c.RuleSet != "" {
		r.ID = c.RuleSet
	}
	if c.Version != "" {
		r.Version = c.Version
	}
	set(&r.TransferWindow, c.TransferWindow)
	set(&r.FollowUp, c.FollowUp)
	set(&r.ExtendedResponsibility, c.ExtendedResponsibility)
	set(&r.ExtendedResponsibilityMinStay, c.ExtendedResponsibilityMinStay)
	set(&r.NotificationGrace, c.NotificationGrace)
	set(&r.CareVisitWithin, c.CareVisitWithin)
	set(&r.OutOfHoursWithin, c.OutOfHoursWithin)
	set(&r.ReadmissionWithin, c.ReadmissionWithin)
	set(&r.ReferralAnswerWithin, c.ReferralAnswerWithin)
	if c.MedicationCoverDays != 0 {
		r.MedicationCoverDays = c.MedicationCoverDays
	}
	if c.ExtendedResponsibilityMinAge != nil {
		r.ExtendedResponsibilityMinAge = *c.ExtendedResponsibilityMinAge
	}
	if c.IncludePsychiatric != nil {
		r.ExcludePsychiatric = !*c.IncludePsychiatric
	}
	if c.NursingServices != nil {
		r.NursingServices = slices.Clone(c.NursingServices)
	}
	if c.CareNeeds != nil {
		r.CareNeeds = nil
		for _, n := range c.CareNeeds {
			need := pathway.CareNeed{Name: n.Name, Services: slices.Clone(n.Services), MetBy: slices.Clone(n.MetBy)}
			for _, d := range n.Destinations {
				need.Destinations = append(need.Destinations, domain.DischargeDestination(d))
			}
			r.CareNeeds = append(r.CareNeeds, need)
		}
	}
	setBool(&r.Readmission.AcuteOnly, c.Readmission.AcuteOnly)
	setBool(&r.Readmission.IncludeAcuteOutpatient, c.Readmission.IncludeAcuteOutpatient)
	setBool(&r.Readmission.IncludeHomeAdmissions, c.Readmission.IncludeHomeAdmissions)
	setBool(&r.Readmission.IncludePsychiatric, c.Readmission.IncludePsychiatric)
	if c.DisabledRules != nil {
		r.Disabled = nil
		for _, k := range c.DisabledRules {
			r.Disabled = append(r.Disabled, pathway.GapKind(k))
		}
	}
	return r
}

// logRuleSets records at start-up which rule sets are in force, each with a
// fingerprint of its content: two runs that report the same version but
// different fingerprints were configured differently.
func logRuleSets(log *slog.Logger, book pathway.RuleBook) {
	for _, r := range book.All() {
		var clusters []string
		for id, c := range book.Clusters {
			if c.ID == r.ID {
				clusters = append(clusters, id)
			}
		}
		slices.Sort(clusters)
		log.Info("pathway rule set", "ruleSet", r.ID, "version", r.Version, "fingerprint", ruleFingerprint(r), "clusters", clusters)
	}
}

func ruleFingerprint(r pathway.Rules) string {
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Sprintf("unavailable: %v", err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:6])
}
