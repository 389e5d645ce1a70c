package audit_test

import (
	"fmt"
	"time"

	"github.com/sundhedsklynge/klynge/audit"
	"github.com/sundhedsklynge/klynge/domain"
)

// Synthetic CPR numbers only: day of birth + 60, never a real person's.
var (
	citizenA = domain.MustParseCPR("6101801234") // born 1 Jan 1980
	citizenB = domain.MustParseCPR("7203654321") // born 12 Mar 1965
	citizenC = domain.MustParseCPR("6512302468") // born 5 Dec 1930
)

var (
	nurse = audit.Principal{Subject: "nurse-7", Role: "municipal_nurse", Organization: "370"}
	gp    = audit.Principal{Subject: "gp-4412", Role: "gp", Organization: "012345"}
)

// disclosure is an allowed treatment access of citizen by p; i makes its
// request id unique.
func disclosure(p audit.Principal, citizen domain.CPR, i int) audit.Record {
	return audit.Record{
		Time:      time.Date(2026, 3, 4, 10, 0, i, 123456000, time.UTC),
		RequestID: fmt.Sprintf("req-%s-%d", p.Subject, i),
		Principal: p,
		Citizen:   citizen,
		Fields:    []string{"Citizen.hospitalEncounters", "Citizen.careServices"},
		Sources:   []string{"ehospital", "municipal:370"},
		Purpose:   audit.PurposeTreatment,
		Outcome:   audit.OutcomeAllowed,
	}
}

// breakGlass is a flagged break-the-glass access.
func breakGlass(p audit.Principal, citizen domain.CPR, i int) audit.Record {
	r := disclosure(p, citizen, i)
	r.Purpose = audit.PurposeBreakTheGlass
	r.Reason = "unconscious patient brought in by ambulance, no GP reachable"
	r.FlaggedForReview = true
	return r
}

// denial is a refused access.
func denial(p audit.Principal, citizen domain.CPR, i int) audit.Record {
	r := disclosure(p, citizen, i)
	r.Fields, r.Sources = nil, nil
	r.Outcome = audit.OutcomeDenied
	r.Reason = "no care relationship: citizen is not listed at the practice"
	return r
}

// stripAssigned clears what the log assigns, to compare with what was given.
func stripAssigned(r audit.Record) audit.Record {
	r.Seq, r.PrevHash, r.KeyID, r.Hash = 0, "", "", ""
	return r
}
