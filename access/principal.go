package access

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/sundhedsklynge/klynge/domain"
)

// Role is what a principal is to the cluster. Each role reads through one
// kind of relationship; docs/ACCESS.md has the table.
type Role string

// The roles. The string values are the values of the klynge_role claim.
const (
	// RoleClinician works at a hospital department or eHospitalet;
	// Organization is the SOR code of the department or the hospital.
	RoleClinician Role = "clinician"
	// RoleGP works at a general practice; Organization is its ydernummer.
	RoleGP Role = "gp"
	// RoleMunicipalNurse works in a municipality's care service;
	// Organization is the 3-digit municipality code.
	RoleMunicipalNurse Role = "municipal_nurse"
	// RoleOutOfHoursDoctor works at a region's out-of-hours service
	// (Lægevagten); Organization is the region's code (1081–1085).
	RoleOutOfHoursDoctor Role = "out_of_hours_doctor"
	// RoleIntegrator reads pseudonymised worklists and statistics of the
	// clusters in Clusters; Organization is optional and free text.
	RoleIntegrator Role = "integrator"
	// RoleAnalyst is the cluster's strategic and political levels and its
	// analysts: protected statistics of the clusters in Clusters, and
	// nothing about any one citizen (docs/STATISTICS.md).
	RoleAnalyst Role = "analyst"
	// RoleCitizen reads their own data; CPR is who they are.
	RoleCitizen Role = "citizen"
	// RolePrivacyOfficer reads access logs and reviews break-the-glass
	// grants, and no clinical data; Organization is optional.
	RolePrivacyOfficer Role = "privacy_officer"
)

// Roles lists every role, in the order docs/ACCESS.md presents them.
var Roles = []Role{
	RoleClinician, RoleGP, RoleMunicipalNurse, RoleOutOfHoursDoctor,
	RoleIntegrator, RoleAnalyst, RoleCitizen, RolePrivacyOfficer,
}

// Clinical reports the roles that read a citizen's data through a care
// relationship and may break the glass.
func (r Role) Clinical() bool {
	switch r {
	case RoleClinician, RoleGP, RoleMunicipalNurse, RoleOutOfHoursDoctor:
		return true
	}
	return false
}

// Principal is an authenticated caller: a person or a client, with the role
// and organisation their token gives them.
type Principal struct {
	// Subject is the token's subject: a stable id of the person or client.
	// It is written to the access log; it must not be a CPR.
	Subject      string
	Role         Role
	Organization string
	// Clusters are the registry ids of the clusters an integrator or an
	// analyst serves.
	Clusters []string
	// CPR is a citizen principal's own CPR; empty for every other role.
	CPR domain.CPR
}

// PrincipalError says which part of a principal breaks which rule. Field is
// the Principal field; server/auth maps it to the claim. It never quotes a
// value: the value may be a CPR.
type PrincipalError struct {
	Field string // Subject, Role, Organization, Clusters or CPR
	Rule  string
}

func (e *PrincipalError) Error() string { return "principal: " + e.Field + " " + e.Rule }

// Validate checks that the principal is complete and well-formed for its
// role: the organisation in the form the role's relationship is checked
// with, clusters for integrators, a CPR for citizens and for no one else.
func (p Principal) Validate() error {
	bad := func(field, format string, args ...any) error {
		return &PrincipalError{Field: field, Rule: fmt.Sprintf(format, args...)}
	}
	switch s := strings.TrimSpace(p.Subject); {
	case s == "":
		return bad("Subject", "is required")
	case s != p.Subject || len(s) > 255:
		return bad("Subject", "must be at most 255 characters without surrounding spaces")
	case hasHidden(s):
		// A newline forges log lines; a bidirectional override makes the
		// subject read as another in the access log.
		return bad("Subject", "must not contain control or invisible formatting characters")
	case looksLikeCPR(s):
		return bad("Subject", "must not be a CPR number")
	}
	if hasHidden(p.Organization) {
		return bad("Organization", "must not contain control or invisible formatting characters")
	}
	if !slices.Contains(Roles, p.Role) {
		return bad("Role", "must be one of %s", roleList())
	}
	org := p.Organization
	switch p.Role {
	case RoleClinician:
		if !digits(org, 6, 18) {
			return bad("Organization", "must be the SOR code (6 to 18 digits) of a hospital or department for role %s", p.Role)
		}
	case RoleGP:
		if !digits(org, 4, 7) {
			return bad("Organization", "must be the practice's ydernummer (4 to 7 digits) for role %s", p.Role)
		}
	case RoleMunicipalNurse:
		if _, ok := MunicipalityOf(p); !ok {
			return bad("Organization", "must be a 3-digit municipality code (101 to 999) for role %s", p.Role)
		}
	case RoleOutOfHoursDoctor:
		if n, err := strconv.Atoi(org); err != nil || !digits(org, 4, 4) || n < 1081 || n > 1085 {
			return bad("Organization", "must be the region code (1081 to 1085) of the out-of-hours service for role %s", p.Role)
		}
	default:
		if len(org) > 255 {
			return bad("Organization", "must be at most 255 characters")
		}
	}
	if p.Role == RoleIntegrator || p.Role == RoleAnalyst {
		if len(p.Clusters) == 0 {
			return bad("Clusters", "must name at least one cluster for role %s", p.Role)
		}
		for _, c := range p.Clusters {
			if !clusterID(c) {
				return bad("Clusters", "must be cluster ids (lower-case letters, digits and hyphens)")
			}
		}
	} else if len(p.Clusters) > 0 {
		return bad("Clusters", "are only for roles %s and %s", RoleIntegrator, RoleAnalyst)
	}
	if p.Role == RoleCitizen {
		if c, err := domain.ParseCPR(string(p.CPR)); err != nil || c != p.CPR {
			return bad("CPR", "must be the citizen's CPR (10 digits) for role %s", p.Role)
		}
	} else if p.CPR != "" {
		return bad("CPR", "is only for role %s", RoleCitizen)
	}
	return nil
}

// MunicipalityOf is a municipal nurse's municipality code.
func MunicipalityOf(p Principal) (domain.MunicipalityCode, bool) {
	if !digits(p.Organization, 3, 3) {
		return 0, false
	}
	n, _ := strconv.Atoi(p.Organization)
	if n < 101 {
		return 0, false
	}
	return domain.MunicipalityCode(n), true
}

// LimitKey is a key for per-caller rate limits and metrics: stable for a
// subject, and a hash, so that a limiter's store or log never holds the
// subject itself.
func (p Principal) LimitKey() string {
	sum := sha256.Sum256([]byte(p.Subject))
	return string(p.Role) + ":" + hex.EncodeToString(sum[:12])
}

func roleList() string {
	s := make([]string, len(Roles))
	for i, r := range Roles {
		s[i] = string(r)
	}
	return strings.Join(s, ", ")
}

func digits(s string, minLen, maxLen int) bool {
	if len(s) < minLen || len(s) > maxLen {
		return false
	}
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func clusterID(s string) bool {
	if s == "" || len(s) > 100 {
		return false
	}
	for _, c := range []byte(s) {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
			return false
		}
	}
	return true
}

func hasHidden(s string) bool {
	_, hidden := firstHidden(s)
	return hidden
}

// looksLikeCPR catches a subject that is a CPR number, which some identity
// providers use and which would put a CPR in every access-log record of
// every citizen that principal reads.
func looksLikeCPR(s string) bool {
	_, err := domain.ParseCPR(s)
	return err == nil
}
