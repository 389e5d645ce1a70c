package resolvers

import (
	"fmt"

	"github.com/sundhedsklynge/klynge/domain"
	"github.com/sundhedsklynge/klynge/registry"
)

// regionCodeArg checks a region argument so that a typo is an error, not an
// empty list that looks like "no clusters".
func (r *Resolver) regionCodeArg(field string, code *int) (int, bool, error) {
	if code == nil {
		return 0, false, nil
	}
	if _, ok := r.Registry.Region(*code); !ok {
		return 0, false, domain.InvalidInput(field, "%d is not a region code (1081 Nordjylland … 1085 Sjælland)", *code)
	}
	return *code, true, nil
}

// unknownCluster is the error for a cluster id the registry does not know:
// null would read as "no such data" to a worklist client, so a typo is an
// input error naming the argument.
func unknownCluster(field, id string) error {
	if len(id) > 60 {
		id = id[:60] + "…"
	}
	return domain.InvalidInput(field, "%q is not a cluster id; clusters { id } lists them (e.g. sjaelland-naestved-slagelse)", id)
}

func fhirMunicipalityCode(code domain.MunicipalityCode) string {
	return fmt.Sprintf("%04d", int(code))
}

func allConfirmed(c *registry.Cluster) bool {
	for _, m := range c.Members {
		if !m.Confirmed {
			return false
		}
	}
	return len(c.Members) > 0
}

// regionOf finds the region a registry value points at; the registry is
// validated at load, so a miss is a programming error surfaced as an error.
func (r *Resolver) regionOf(code int) (*registry.Region, error) {
	reg, ok := r.Registry.Region(code)
	if !ok {
		return nil, fmt.Errorf("registry: region %d missing", code)
	}
	return &reg, nil
}
