package main

import (
	"time"

	"github.com/sundhedsklynge/klynge/config"
	"github.com/sundhedsklynge/klynge/pathway"
)

// pathwayRules turns the pathways section of the configuration into the
// rules; keys left out keep pathway.DefaultRules' values.
func pathwayRules(c config.Pathways) pathway.Rules {
	r := pathway.DefaultRules()
	set := func(dst *time.Duration, v config.Duration) {
		if v != 0 {
			*dst = v.D()
		}
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
	if c.IncludePsychiatric {
		r.ExcludePsychiatric = false
	}
	return r
}
