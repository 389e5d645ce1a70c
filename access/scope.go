package access

import (
	"fmt"
	"slices"

	"github.com/sundhedsklynge/klynge/domain"
)

// ClusterData decides who may read a cluster's worklist or statistics:
// integrators, for the clusters their token names, and then only under
// pseudonyms. Health professionals read the citizens they treat one at a
// time (Decide); citizens and privacy officers read no cluster data.
func ClusterData(p Principal, clusterID string) Decision {
	switch {
	case p.Role == RoleIntegrator && slices.Contains(p.Clusters, clusterID):
		d := allow(PurposeAdministration, "integrator for the cluster; citizens are shown under pseudonyms")
		d.Pseudonymised = true
		return d
	case p.Role == RoleIntegrator:
		return deny(PurposeAdministration, fmt.Sprintf("your token does not name cluster %q", clusterID))
	case p.Role == RoleAnalyst:
		return deny(PurposeAdministration, "analysts read the cluster's statistics (pathwayStats), never its worklist of pathways")
	case p.Role.Clinical():
		return deny(PurposeTreatment, "cluster worklists and statistics are for integrators; read the citizens you treat with citizen(cpr)")
	case p.Role == RoleCitizen:
		return deny(PurposeSelf, "a citizen may read only their own data")
	case p.Role == RolePrivacyOfficer:
		return deny(PurposeAdministration, "privacy officers read access logs and the break-the-glass review queue, not clinical data")
	}
	return deny(PurposeAdministration, fmt.Sprintf("role %q may not read cluster data", p.Role))
}

// ClusterStatistics decides who may read a cluster's protected statistics:
// analysts and integrators, for the clusters their token names. The
// statistics protect nothing from an integrator, who reads the rows
// anyway; they are what an analyst reads instead of rows.
func ClusterStatistics(p Principal, clusterID string) Decision {
	switch {
	case (p.Role == RoleAnalyst || p.Role == RoleIntegrator) && slices.Contains(p.Clusters, clusterID):
		return allow(PurposeAdministration, string(p.Role)+" for the cluster; counts of 1 to 4 are hidden")
	case p.Role == RoleAnalyst || p.Role == RoleIntegrator:
		return deny(PurposeAdministration, fmt.Sprintf("your token does not name cluster %q", clusterID))
	}
	return ClusterData(p, clusterID)
}

// AccessLog decides who may read the access log about a citizen ("who
// looked at me"): the citizen themselves and privacy officers.
func AccessLog(p Principal, cpr domain.CPR) Decision {
	switch {
	case p.Role == RoleCitizen && p.CPR != "" && p.CPR == cpr:
		return allow(PurposeSelf, "your own access log")
	case p.Role == RoleCitizen:
		return deny(PurposeSelf, "a citizen may read only their own access log")
	case p.Role == RolePrivacyOfficer:
		return allow(PurposeAdministration, "privacy officer")
	}
	return deny(PurposeAdministration, "the access log is for the citizen it is about and for privacy officers")
}

// ReviewQueue decides who may read and review break-the-glass grants:
// privacy officers only.
func ReviewQueue(p Principal) Decision {
	if p.Role == RolePrivacyOfficer {
		return allow(PurposeAdministration, "privacy officer")
	}
	return deny(PurposeAdministration, "the break-the-glass review queue is for privacy officers")
}
