package access

import (
	"fmt"
	"time"

	"github.com/sundhedsklynge/klynge/domain"
)

// Facts are what the care-relationship rules read about one citizen. A nil
// or empty fact is one that was not read, or that says nothing. Records
// about another CPR than the one decided on are ignored, so that an
// upstream's mistake cannot create a relationship.
type Facts struct {
	// Patient is the patient index's record: the practice the citizen is
	// listed at and the home address. Nil when not read or unknown.
	Patient *domain.Citizen
	// Encounters are the citizen's hospital and eHospitalet encounters.
	Encounters []domain.Encounter
	// Services are the citizen's services in the care system of the
	// principal's own municipality.
	Services []domain.CareService
	// OutOfHours are the citizen's out-of-hours contacts.
	OutOfHours []domain.OutOfHoursContact
	// Grant is the principal's active break-the-glass grant for the
	// citizen, if any.
	Grant *Grant
	// GPContacts are the citizen's contacts with general practice from the
	// GP feed, read (non-nil) only when the patient index did not answer:
	// with Patient nil, a contact with the GP's own practice within
	// GPContactWindow stands in for the listing.
	GPContacts []domain.GPContact
}

// Grant is the part of a break-the-glass grant the rules read.
type Grant struct {
	ID        int64
	Reason    string
	ExpiresAt time.Time
}

// Decide is the rule for reading one citizen's data: a citizen reads their
// own; a health professional reads with a care relationship (docs/ACCESS.md)
// or an active break-the-glass grant; integrators and privacy officers never
// read a citizen's clinical data by CPR. It is a pure function of its
// arguments; more facts can only turn a denial into an allowance.
func (r Rules) Decide(p Principal, cpr domain.CPR, f Facts, now time.Time) Decision {
	r = r.WithDefaults()
	switch p.Role {
	case RoleCitizen:
		if p.CPR != "" && p.CPR == cpr {
			return allow(PurposeSelf, "your own data")
		}
		return deny(PurposeSelf, "a citizen may read only their own data")
	case RoleIntegrator:
		return deny(PurposeAdministration, "integrators read pseudonymised cluster worklists and statistics, never one citizen's data by CPR")
	case RoleAnalyst:
		return deny(PurposeAdministration, "analysts read the clusters' protected statistics, never one citizen's data")
	case RolePrivacyOfficer:
		return deny(PurposeAdministration, "privacy officers read access logs and the break-the-glass review queue, not clinical data")
	}
	if !p.Role.Clinical() {
		return deny(PurposeTreatment, fmt.Sprintf("role %q may not read citizens' data", p.Role))
	}
	reason, ok := r.careRelationship(p, cpr, f, now)
	if ok {
		return allow(PurposeTreatment, "care relationship: "+reason)
	}
	if g := f.Grant; g != nil && now.Before(g.ExpiresAt) {
		d := allow(PurposeBreakTheGlass, fmt.Sprintf("break-the-glass grant until %s, flagged for review",
			g.ExpiresAt.UTC().Format(time.RFC3339)))
		d.Review = true
		d.GrantID, d.GrantReason = g.ID, g.Reason
		return d
	}
	return deny(PurposeTreatment, "no care relationship: "+reason+"; break the glass if this is an emergency")
}

// careRelationship says which relationship the principal has with the
// citizen, or, when there is none, what the rule looked for.
func (r Rules) careRelationship(p Principal, cpr domain.CPR, f Facts, now time.Time) (string, bool) {
	switch p.Role {
	case RoleClinician:
		return r.hospitalRelationship(domain.SORCode(p.Organization), cpr, f.Encounters, now)
	case RoleGP:
		return r.gpRelationship(domain.Ydernummer(p.Organization), cpr, f, now)
	case RoleMunicipalNurse:
		code, _ := MunicipalityOf(p)
		return r.municipalRelationship(code, cpr, f, now)
	case RoleOutOfHoursDoctor:
		for _, c := range f.OutOfHours {
			if c.CPR == cpr && r.recentOutOfHours(c, now) {
				return fmt.Sprintf("a contact with the out-of-hours service within the last %s", days(r.OutOfHoursWindow)), true
			}
		}
		return fmt.Sprintf("no contact with the out-of-hours service within the last %s", days(r.OutOfHoursWindow)), false
	}
	return "no relationship is defined for the role", false
}

// gpRelationship: the citizen is listed at the practice; or, when the
// patient index did not answer (Patient nil, GPContacts read), the GP feed
// shows a contact with the practice within GPContactWindow — in Denmark a
// citizen sees the practice they are listed at.
func (r Rules) gpRelationship(practice domain.Ydernummer, cpr domain.CPR, f Facts, now time.Time) (string, bool) {
	if f.Patient != nil && f.Patient.CPR == cpr && f.Patient.GP == practice {
		return "the citizen is listed at your practice", true
	}
	if f.Patient == nil && f.GPContacts != nil {
		since := now.Add(-r.GPContactWindow)
		for _, c := range f.GPContacts {
			if c.CPR == cpr && c.Practice == practice && !c.At.Before(since) && !c.At.After(now) {
				return fmt.Sprintf("a contact with your practice within the last %s (the GP feed; the patient index did not answer)", days(r.GPContactWindow)), true
			}
		}
	}
	return fmt.Sprintf("the citizen is not listed at your practice (ydernummer %s)", practice), false
}

// hospitalRelationship: an encounter at the department or hospital that is
// ongoing, ended within the window, or planned to start within the window
// either side of now. Cancelled
// encounters and those entered in error never count.
func (r Rules) hospitalRelationship(org domain.SORCode, cpr domain.CPR, encs []domain.Encounter, now time.Time) (string, bool) {
	for _, e := range encs {
		if e.CPR != cpr || (e.Department.SOR != org && e.Hospital.SOR != org) {
			continue
		}
		switch e.Status {
		case domain.EncounterInProgress, domain.EncounterOnLeave:
			return "an ongoing encounter at your organisation", true
		case domain.EncounterPlanned:
			// A planned encounter whose start is long past is stale
			// bookkeeping, not care.
			if !e.Start.After(now.Add(r.HospitalWindow)) && !e.Start.Before(now.Add(-r.HospitalWindow)) {
				return "a planned encounter at your organisation", true
			}
		case domain.EncounterFinished:
			end := e.End
			if end.IsZero() {
				end = e.Start
			}
			if !end.Before(now.Add(-r.HospitalWindow)) {
				return fmt.Sprintf("an encounter at your organisation that ended within the last %s", days(r.HospitalWindow)), true
			}
		}
	}
	return fmt.Sprintf("no ongoing or planned encounter at your organisation (SOR %s), and none that ended within the last %s",
		org, days(r.HospitalWindow)), false
}

// municipalRelationship: the citizen lives in the municipality, or receives
// (or has been granted) one of its care services.
func (r Rules) municipalRelationship(code domain.MunicipalityCode, cpr domain.CPR, f Facts, now time.Time) (string, bool) {
	if f.Patient != nil && f.Patient.CPR == cpr && f.Patient.Address.Municipality == code {
		return "the citizen lives in your municipality", true
	}
	for _, s := range f.Services {
		if s.CPR != cpr || s.Municipality != code {
			continue
		}
		if r.currentService(s, now) {
			return "the citizen receives care services from your municipality", true
		}
	}
	return fmt.Sprintf("the citizen neither lives in your municipality (%03d) nor receives its care services", int(code)), false
}

func (r Rules) currentService(s domain.CareService, now time.Time) bool {
	switch {
	case s.Status == domain.CareServicePlanned, s.ActiveAt(now):
		return true
	case r.ServiceEndedWindow > 0 && !s.End.IsZero():
		return !s.End.Before(now.Add(-r.ServiceEndedWindow)) && !s.Start.After(now)
	}
	return false
}

// recentOutOfHours: the contact was received, or ended, within the window.
// An open contact without an end counts from when it was received, so that
// a record never closed upstream does not keep a relationship alive.
func (r Rules) recentOutOfHours(c domain.OutOfHoursContact, now time.Time) bool {
	since := now.Add(-r.OutOfHoursWindow)
	in := func(t time.Time) bool { return !t.IsZero() && !t.Before(since) }
	return in(c.ReceivedAt) || in(c.EndedAt)
}
