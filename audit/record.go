package audit

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sundhedsklynge/klynge/domain"
)

// Principal is who was given (or refused) the data, as the access layer
// authenticated them.
type Principal struct {
	Subject      string // the token's subject: a stable id of the person or client
	Role         string // clinician, gp, municipal_nurse, out_of_hours_doctor, integrator, citizen, privacy_officer
	Organization string // SOR code, ydernummer, municipality code or cluster, by role
}

// Purpose is why data was disclosed.
type Purpose string

// The purposes the access layer grants access for.
const (
	PurposeTreatment      Purpose = "treatment"
	PurposeBreakTheGlass  Purpose = "break-the-glass"
	PurposeSelf           Purpose = "self"
	PurposeAdministration Purpose = "administration"
)

// Outcome says whether the access was allowed. Denied attempts are logged
// too: the citizen and the privacy officer want to see them.
type Outcome string

// The two outcomes of an access decision.
const (
	OutcomeAllowed Outcome = "allowed"
	OutcomeDenied  Outcome = "denied"
)

// Record is one entry of the access log: one disclosure (or refusal) of one
// citizen's data to one principal.
//
// Seq, PrevHash, KeyID and Hash are assigned by the log; Time too when it
// is zero; GrantID and GrantHash by the log for the record of a grant's
// change (Log.CommitGrants).
// Times are kept in UTC with microsecond precision, the finest both stores
// hold, so that a record reads back exactly as it was hashed.
type Record struct {
	Seq       int64
	Time      time.Time
	RequestID string
	Principal Principal
	// Citizen is whose data it was. It may be empty for a record that
	// concerns no citizen. For pseudonymised data (an integrator's worklist)
	// Citizen is still set, so that the citizen sees the access, and
	// Pseudonymised is true.
	Citizen          domain.CPR
	Pseudonymised    bool
	Fields           []string // GraphQL field paths disclosed, e.g. "Citizen.hospitalEncounters"
	Sources          []string // upstream systems the data came from
	Purpose          Purpose
	Outcome          Outcome
	Reason           string // why access was denied, or the break-the-glass reason
	FlaggedForReview bool
	// GrantID and GrantHash: for the record of a break-the-glass grant's
	// creation or review, the grant and the seal of its new state
	// (ChainKey.GrantHash), so that the chain says what the grant register
	// must hold. Zero for every other record.
	GrantID   int64
	GrantHash string
	PrevHash  string // the previous record's Hash; GenesisHash for the first
	// KeyID names the chain key that sealed the record; "" for records
	// written before the log had keys (sealed with UnkeyedRecordHash).
	KeyID string
	Hash  string // the seal: ChainKey.RecordHash of this record
}

// GenesisHash is the PrevHash of the first record.
const GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000"

// Limits on what one record may hold. They keep a single record from
// failing a whole group-commit batch (PostgreSQL rejects NUL bytes and
// invalid UTF-8) and keep the log's rows small.
const (
	maxTextBytes  = 4096
	maxListLength = 1000
)

// FieldError says which field of which record broke which rule. It never
// quotes the value: the value may be a CPR or a reason naming a person.
type FieldError struct {
	Index int    // position of the record in the Append call
	Field string // e.g. "Principal.Subject"
	Rule  string // e.g. "is required"
}

func (e *FieldError) Error() string {
	return fmt.Sprintf("record %d: %s %s", e.Index, e.Field, e.Rule)
}

// normalise validates rec and returns the copy the log stores: times in UTC
// at microsecond precision (now when zero), lists copied (so the caller may
// reuse its slices) and empty lists as nil.
func normalise(i int, rec Record, now time.Time) (Record, error) {
	fail := func(field, rule string) (Record, error) {
		return Record{}, &FieldError{Index: i, Field: field, Rule: rule}
	}
	if field, rule := factViolation(rec); field != "" {
		return fail(field, rule)
	}
	if field, rule := textViolation(rec); field != "" {
		return fail(field, rule)
	}
	out := rec
	out.Seq, out.PrevHash, out.KeyID, out.Hash = 0, "", "", ""
	if out.Time.IsZero() {
		out.Time = now
	}
	out.Time = normaliseTime(out.Time)
	if y := out.Time.Year(); y < 1970 || y > 9999 {
		return fail("Time", "must be between the years 1970 and 9999")
	}
	out.Fields = cloneList(rec.Fields)
	out.Sources = cloneList(rec.Sources)
	return out, nil
}

// factViolation is the first rule about what the record says that rec
// breaks (who, why, with what outcome, about whom), as the field and the
// rule; "" when it breaks none.
func factViolation(rec Record) (field, rule string) {
	switch {
	case strings.TrimSpace(rec.Principal.Subject) == "":
		return "Principal.Subject", "is required"
	case strings.TrimSpace(rec.Principal.Role) == "":
		return "Principal.Role", "is required"
	}
	switch rec.Purpose {
	case PurposeTreatment, PurposeBreakTheGlass, PurposeSelf, PurposeAdministration:
	default:
		return "Purpose", "must be one of treatment, break-the-glass, self, administration"
	}
	switch rec.Outcome {
	case OutcomeAllowed, OutcomeDenied:
	default:
		return "Outcome", "must be allowed or denied"
	}
	switch {
	case rec.GrantID != 0 || rec.GrantHash != "":
		return "GrantID", "is set by the log, for the records of grant changes only"
	case rec.Outcome == OutcomeDenied && strings.TrimSpace(rec.Reason) == "":
		return "Reason", "is required when Outcome is denied"
	case rec.Purpose == PurposeBreakTheGlass && strings.TrimSpace(rec.Reason) == "":
		return "Reason", "is required when Purpose is break-the-glass"
	}
	if rec.Citizen != "" {
		if c, err := domain.ParseCPR(string(rec.Citizen)); err != nil || c != rec.Citizen {
			return "Citizen", "must be a valid CPR in its canonical form DDMMYYSSSS"
		}
	} else if rec.Pseudonymised {
		return "Citizen", "is required when Pseudonymised is true"
	}
	return "", ""
}

// textViolation is the first rule a text or list of rec breaks (length,
// characters, empty list entries), as the field and the rule; "" when it
// breaks none.
func textViolation(rec Record) (field, rule string) {
	texts := []struct {
		field, value string
	}{
		{"RequestID", rec.RequestID},
		{"Principal.Subject", rec.Principal.Subject},
		{"Principal.Role", rec.Principal.Role},
		{"Principal.Organization", rec.Principal.Organization},
		{"Reason", rec.Reason},
	}
	for _, t := range texts {
		if rule := textRule(t.value); rule != "" {
			return t.field, rule
		}
	}
	lists := []struct {
		field  string
		values []string
	}{{"Fields", rec.Fields}, {"Sources", rec.Sources}}
	for _, l := range lists {
		if len(l.values) > maxListLength {
			return l.field, fmt.Sprintf("must have at most %d entries", maxListLength)
		}
		for j, v := range l.values {
			if v == "" {
				return fmt.Sprintf("%s[%d]", l.field, j), "must not be empty"
			}
			if rule := textRule(v); rule != "" {
				return fmt.Sprintf("%s[%d]", l.field, j), rule
			}
		}
	}
	return "", ""
}

// textRule is the rule a text value breaks, or "".
func textRule(s string) string {
	switch {
	case len(s) > maxTextBytes:
		return fmt.Sprintf("must be at most %d bytes", maxTextBytes)
	case !utf8.ValidString(s):
		return "must be valid UTF-8"
	case strings.IndexByte(s, 0) >= 0:
		return "must not contain NUL bytes"
	}
	return ""
}

// normaliseTime is the form a time is stored and hashed in.
func normaliseTime(t time.Time) time.Time {
	return t.UTC().Truncate(time.Microsecond)
}

func cloneList(l []string) []string {
	if len(l) == 0 {
		return nil
	}
	return append([]string(nil), l...)
}
