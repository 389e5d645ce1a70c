package auth

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/sundhedsklynge/klynge/access"
	"github.com/sundhedsklynge/klynge/domain"
)

// The claims klynge reads besides the registered ones (iss, sub, aud, exp,
// nbf). docs/ACCESS.md describes them; the identity provider must be
// configured to issue them.
const (
	// ClaimRole is the principal's role: clinician, gp, municipal_nurse,
	// out_of_hours_doctor, integrator, citizen or privacy_officer.
	ClaimRole = "klynge_role"
	// ClaimOrganization is the SOR code, ydernummer, municipality code or
	// region code the role works for (a string; a JSON number is accepted).
	ClaimOrganization = "klynge_org"
	// ClaimClusters are an integrator's cluster ids: a JSON array, or one
	// string of ids separated by spaces or commas.
	ClaimClusters = "klynge_clusters"
	// ClaimCPR is a citizen's own CPR number.
	ClaimCPR = "klynge_cpr"
)

// claimFor names the claim a Principal field comes from.
var claimFor = map[string]string{
	"Subject":      "sub",
	"Role":         ClaimRole,
	"Organization": ClaimOrganization,
	"Clusters":     ClaimClusters,
	"CPR":          ClaimCPR,
}

type klyngeClaims struct {
	Role         claimString `json:"klynge_role"`
	Organization claimString `json:"klynge_org"`
	Clusters     claimList   `json:"klynge_clusters"`
	CPR          claimString `json:"klynge_cpr"`
}

// principal builds and validates the principal the claims describe. The
// error names the claim and the rule, never a value.
func (c klyngeClaims) principal(subject string) (access.Principal, error) {
	p := access.Principal{
		Subject:      subject,
		Role:         access.Role(c.Role),
		Organization: string(c.Organization),
		Clusters:     []string(c.Clusters),
	}
	if c.CPR != "" {
		// Accept the hyphenated form too; Validate then insists on a CPR
		// only for citizens.
		cpr, err := domain.ParseCPR(string(c.CPR))
		if err != nil {
			return access.Principal{}, fmt.Errorf("claim %s must be a CPR number (10 digits)", ClaimCPR)
		}
		p.CPR = cpr
	}
	if err := p.Validate(); err != nil {
		var pe *access.PrincipalError
		if errors.As(err, &pe) {
			return access.Principal{}, fmt.Errorf("claim %s %s", claimFor[pe.Field], pe.Rule)
		}
		return access.Principal{}, err
	}
	return p, nil
}

// claimString is a string claim that may also arrive as a JSON number
// (klynge_org: 330).
type claimString string

func (s *claimString) UnmarshalJSON(b []byte) error {
	var v any
	d := json.NewDecoder(strings.NewReader(string(b)))
	d.UseNumber()
	if err := d.Decode(&v); err != nil {
		return err
	}
	switch x := v.(type) {
	case nil:
		*s = ""
	case string:
		*s = claimString(x)
	case json.Number:
		*s = claimString(x.String())
	default:
		return errors.New("must be a string")
	}
	return nil
}

// claimList is a list claim that may also arrive as one string of values
// separated by spaces or commas, as some identity providers write groups.
type claimList []string

func (l *claimList) UnmarshalJSON(b []byte) error {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	switch x := v.(type) {
	case nil:
		*l = nil
	case string:
		*l = strings.FieldsFunc(x, func(r rune) bool { return r == ' ' || r == ',' })
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			s, ok := e.(string)
			if !ok {
				return errors.New("must be a list of strings")
			}
			out = append(out, s)
		}
		*l = out
	default:
		return errors.New("must be a list of strings")
	}
	return nil
}
