package pathway

import (
	"cmp"
	"slices"
)

// RuleBook holds a region's rule sets: the default one, and those clusters
// agreed locally (a funded 72-hour model, their own readmission definition,
// rules they do not use). It is data; Validate each rule set at start-up.
type RuleBook struct {
	Default Rules
	// Clusters maps a cluster id to its rule set.
	Clusters map[string]Rules
}

// ForCluster is the rule set of a cluster: its own, else the default.
func (b RuleBook) ForCluster(id string) Rules {
	if r, ok := b.Clusters[id]; ok {
		return r
	}
	return b.defaults()
}

// ForClusters is the rule set for a citizen whose municipality belongs to
// these clusters: the one rule set they share, else the default (a
// municipality in two clusters with different rules has no single answer,
// and the default is the one everybody signed).
func (b RuleBook) ForClusters(ids []string) Rules {
	if len(ids) == 0 {
		return b.defaults()
	}
	first := b.ForCluster(ids[0])
	for _, id := range ids[1:] {
		if r := b.ForCluster(id); r.ID != first.ID || r.Version != first.Version {
			return b.defaults()
		}
	}
	return first
}

// All lists every rule set, the default first, then by cluster id.
func (b RuleBook) All() []Rules {
	out := []Rules{b.defaults()}
	ids := make([]string, 0, len(b.Clusters))
	for id := range b.Clusters {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(a, c string) int { return cmp.Compare(a, c) })
	for _, id := range ids {
		out = append(out, b.Clusters[id])
	}
	return out
}

func (b RuleBook) defaults() Rules {
	if b.Default.IsZero() {
		return DefaultRules()
	}
	return b.Default
}
