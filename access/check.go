package access

import (
	"context"
	"fmt"
	"time"

	"github.com/sundhedsklynge/klynge/domain"
)

// Fact names one thing the rules read about a citizen.
type Fact string

// The facts, and where each comes from.
const (
	// FactPatient is the patient index record (eHospitalet Patient): the
	// practice the citizen is listed at and the home address.
	FactPatient Fact = "patient"
	// FactEncounters are the citizen's encounters (eHospitalet Encounter).
	FactEncounters Fact = "encounters"
	// FactCareServices are the citizen's services in the care system of
	// the principal's own municipality, and no other.
	FactCareServices Fact = "care-services"
	// FactOutOfHours are the citizen's out-of-hours contacts (Lægevagten).
	FactOutOfHours Fact = "out-of-hours"
	// FactGrant is the principal's active break-the-glass grant (the access
	// log's grant register, no upstream).
	FactGrant Fact = "break-the-glass-grant"
	// FactGPContacts are the citizen's contacts with general practice (the
	// GP feed). Read only when the patient index does not answer a GP's
	// check: then a recent contact with the GP's own practice stands in for
	// the listing.
	FactGPContacts Fact = "gp-contacts"
)

// system names where a fact comes from, for a denial that could not be
// verified.
func (f Fact) system() string {
	switch f {
	case FactPatient:
		return "eHospitalet's patient index"
	case FactEncounters:
		return "eHospitalet"
	case FactCareServices:
		return "your municipality's care system"
	case FactOutOfHours:
		return "Lægevagten"
	case FactGrant:
		return "the break-the-glass register"
	case FactGPContacts:
		return "the GP feed"
	}
	return string(f)
}

// source is the instance a fact is read from for p, as extensions.system
// and Citizen.sources name it.
func (f Fact) source(p Principal) string {
	switch f {
	case FactPatient, FactEncounters:
		return "ehospital"
	case FactCareServices:
		if code, ok := MunicipalityOf(p); ok {
			return fmt.Sprintf("municipal/%d", code)
		}
		return "municipal"
	case FactOutOfHours:
		return "outofhours"
	case FactGPContacts:
		return "gpreferral"
	case FactGrant:
		return "accesslog"
	}
	return string(f)
}

// Fallback is the fact that may stand in for f when f cannot be read, for
// p's rule: a GP's listing (the patient index) can be evidenced by the GP
// feed's contacts with the practice. Other facts have none: a clinician's
// relationship is an encounter, which only eHospitalet holds.
func (r Rules) Fallback(p Principal, f Fact) (Fact, bool) {
	if p.Role == RoleGP && f == FactPatient {
		return FactGPContacts, true
	}
	return "", false
}

// Plan is the facts Check reads for p, in order, before it looks for a
// break-the-glass grant; it stops at the first that shows a relationship.
// Citizens, integrators and privacy officers read nothing.
func (r Rules) Plan(p Principal) []Fact {
	switch p.Role {
	case RoleClinician:
		return []Fact{FactEncounters}
	case RoleGP:
		return []Fact{FactPatient}
	case RoleMunicipalNurse:
		return []Fact{FactPatient, FactCareServices}
	case RoleOutOfHoursDoctor:
		return []Fact{FactOutOfHours}
	}
	return nil
}

// FactSource reads facts about one citizen. Implementations use the
// operation's dataloaders, so that what the check reads is shared with the
// fields the caller then asks for. An unknown citizen is not an error: the
// patient is nil and the lists empty.
type FactSource interface {
	Patient(ctx context.Context, cpr domain.CPR) (*domain.Citizen, error)
	Encounters(ctx context.Context, cpr domain.CPR) ([]domain.Encounter, error)
	CareServices(ctx context.Context, municipality domain.MunicipalityCode, cpr domain.CPR) ([]domain.CareService, error)
	OutOfHours(ctx context.Context, cpr domain.CPR) ([]domain.OutOfHoursContact, error)
	GPContacts(ctx context.Context, cpr domain.CPR) ([]domain.GPContact, error)
	// ActiveGrant returns the principal's grant for the citizen that is
	// active at now, or nil.
	// A grant follows the principal's subject, role and organisation
	// together: the same person with another role's token does not carry
	// it.
	ActiveGrant(ctx context.Context, p Principal, cpr domain.CPR, now time.Time) (*Grant, error)
}

// Check decides whether p may read cpr's data at now, reading the facts of
// Plan(p) one at a time and stopping at the first relationship; only when
// there is none does it ask for a break-the-glass grant. A fact that cannot
// be read is replaced by its Fallback, if it has one, and otherwise
// skipped; if no relationship or grant is found, the denial says which
// system did not answer, names it in System and is marked Unverified (fail
// closed).
func (r Rules) Check(ctx context.Context, p Principal, cpr domain.CPR, now time.Time, src FactSource) Decision {
	r = r.WithDefaults()
	var (
		facts   Facts
		failed  Fact
		failure error
	)
	for _, need := range r.Plan(p) {
		if err := r.read(ctx, need, p, cpr, now, src, &facts); err != nil {
			if failure == nil {
				failed, failure = need, err
			}
			fb, ok := r.Fallback(p, need)
			if !ok || r.read(ctx, fb, p, cpr, now, src, &facts) != nil {
				continue
			}
		}
		if d := r.Decide(p, cpr, facts, now); d.Allowed {
			return d
		}
	}
	if p.Role.Clinical() {
		if err := r.read(ctx, FactGrant, p, cpr, now, src, &facts); err != nil && failure == nil {
			failed, failure = FactGrant, err
		}
	}
	d := r.Decide(p, cpr, facts, now)
	if d.Allowed || failure == nil {
		return d
	}
	d.Reason = fmt.Sprintf("no care relationship could be confirmed because %s did not answer; try again, or break the glass if this is an emergency", failed.system())
	d.Unverified = true
	d.System = failed.source(p)
	d.Cause = fmt.Errorf("access: read %s: %w", failed, failure)
	return d
}

func (r Rules) read(ctx context.Context, need Fact, p Principal, cpr domain.CPR, now time.Time, src FactSource, f *Facts) error {
	var err error
	switch need {
	case FactPatient:
		f.Patient, err = src.Patient(ctx, cpr)
	case FactEncounters:
		f.Encounters, err = src.Encounters(ctx, cpr)
	case FactCareServices:
		code, ok := MunicipalityOf(p)
		if !ok {
			return fmt.Errorf("principal has no municipality")
		}
		f.Services, err = src.CareServices(ctx, code, cpr)
	case FactOutOfHours:
		f.OutOfHours, err = src.OutOfHours(ctx, cpr)
	case FactGPContacts:
		f.GPContacts, err = src.GPContacts(ctx, cpr)
		if err == nil && f.GPContacts == nil {
			f.GPContacts = []domain.GPContact{} // read, and empty
		}
	case FactGrant:
		f.Grant, err = src.ActiveGrant(ctx, p, cpr, now)
	}
	return err
}
