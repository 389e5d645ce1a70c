package pathway

import (
	"slices"
	"time"
)

// StatusUnknown: a system a rule needs did not answer, so the rules were not
// evaluated (Assessment.Missing names the systems).
const StatusUnknown Status = "UNKNOWN"

// Assessment is one citizen's pathways as far as the systems that answered
// allow.
type Assessment struct {
	Pathways []Pathway
	// Missing are the systems that did not answer, in the order they were
	// found missing; with any, every pathway is StatusUnknown.
	Missing []System
}

// Assess assembles in's pathways at now. Assemble cannot tell "no data" from
// "the system failed" — an empty list of received notifications would look
// like a missing SLHJ — so when a system is missing the rules are not
// evaluated: every pathway is StatusUnknown, with no gaps and no open
// deadlines, and the assessment names the missing systems.
func Assess(in Input, missing []System, r Rules, now time.Time) Assessment {
	ps := Assemble(in, r, now)
	if len(missing) > 0 {
		for i := range ps {
			ps[i].Gaps, ps[i].OpenDeadlines, ps[i].Status = nil, nil, StatusUnknown
		}
	}
	return Assessment{Pathways: ps, Missing: slices.Clone(missing)}
}
