package gate

import (
	"context"
	"fmt"

	"github.com/99designs/gqlgen/graphql"

	"github.com/sundhedsklynge/klynge/graph/model"
	"github.com/sundhedsklynge/klynge/loaders"
)

// Source system names in access-log records: the instance names
// Citizen.sources uses.
const (
	sourceEHospital  = "ehospital"
	sourceOutOfHours = "outofhours"
	sourceGPReferral = "gpreferral"
)

// fieldSources names the systems a Citizen field's data came from, for the
// access log. A field it does not know is recorded as coming from every
// system: the log may say too much, never too little.
func fieldSources(ctx context.Context, fc *graphql.FieldContext, c *model.Citizen) []string {
	switch fc.Field.Name {
	case "cpr", "birthDate", "age", "sex", "sources", "__typename":
		// From the CPR the caller gave, or about the systems, not the citizen.
		return nil
	case "name", "givenName", "familyName", "deceased", "deceasedAt", "address", "municipality", "clusters":
		return []string{sourceEHospital}
	case "gp", "gpInOtherCluster":
		return []string{sourceEHospital, sourceGPReferral}
	case "hospitalEncounters":
		return []string{sourceEHospital}
	case "outOfHoursContacts":
		return []string{sourceOutOfHours}
	case "referrals":
		return []string{sourceGPReferral}
	case "careServices", "careVisits", "notificationsReceived":
		return []string{municipalSource(ctx, c)}
	case "timeline":
		return timelineSources(ctx, fc, c)
	}
	return []string{sourceEHospital, sourceOutOfHours, sourceGPReferral, municipalSource(ctx, c)}
}

// municipalSource is the care-system instance of the citizen's
// municipality, as the patient record in the operation's loader cache says
// (no upstream call).
func municipalSource(ctx context.Context, c *model.Citizen) string {
	f, err := loaders.For(ctx).Patient.Load(ctx, c.Cpr)()
	if err != nil || f.Value.Address.Municipality == 0 {
		return "municipal"
	}
	return fmt.Sprintf("municipal/%d", f.Value.Address.Municipality)
}

func timelineSources(ctx context.Context, fc *graphql.FieldContext, c *model.Citizen) []string {
	asked, _ := fc.Args["sources"].([]model.SourceSystem)
	want := func(s model.SourceSystem) bool {
		if len(asked) == 0 {
			return true
		}
		for _, a := range asked {
			if a == s {
				return true
			}
		}
		return false
	}
	var out []string
	if want(model.SourceSystemEhospital) {
		out = append(out, sourceEHospital)
	}
	if want(model.SourceSystemOutOfHours) {
		out = append(out, sourceOutOfHours)
	}
	if want(model.SourceSystemGpReferral) {
		out = append(out, sourceGPReferral)
	}
	if want(model.SourceSystemMunicipal) {
		out = append(out, municipalSource(ctx, c))
	}
	return out
}
