package resolvers

import (
	"encoding/base64"
	"strconv"
	"strings"

	"github.com/sundhedsklynge/klynge/access"
	"github.com/sundhedsklynge/klynge/audit"
	"github.com/sundhedsklynge/klynge/domain"
	"github.com/sundhedsklynge/klynge/graph/model"
)

func mapRole(r access.Role) model.Role { return model.Role(strings.ToUpper(string(r))) }

func mapAccessPrincipal(p audit.Principal) *model.AccessPrincipal {
	return &model.AccessPrincipal{Subject: p.Subject, Role: p.Role, Organization: optString(p.Organization)}
}

func mapAccessLogEntry(r audit.Record) model.AccessLogEntry {
	purpose := map[audit.Purpose]model.AccessPurpose{
		audit.PurposeTreatment:      model.AccessPurposeTreatment,
		audit.PurposeBreakTheGlass:  model.AccessPurposeBreakTheGlass,
		audit.PurposeSelf:           model.AccessPurposeSelf,
		audit.PurposeAdministration: model.AccessPurposeAdministration,
	}[r.Purpose]
	outcome := model.AccessOutcomeAllowed
	if r.Outcome == audit.OutcomeDenied {
		outcome = model.AccessOutcomeDenied
	}
	fields, sources := r.Fields, r.Sources
	if fields == nil {
		fields = []string{}
	}
	if sources == nil {
		sources = []string{}
	}
	return model.AccessLogEntry{
		Seq:              strconv.FormatInt(r.Seq, 10),
		At:               r.Time,
		RequestID:        optString(r.RequestID),
		Principal:        mapAccessPrincipal(r.Principal),
		Purpose:          purpose,
		Outcome:          outcome,
		Fields:           fields,
		Sources:          sources,
		Reason:           optString(r.Reason),
		FlaggedForReview: r.FlaggedForReview,
		Pseudonymised:    r.Pseudonymised,
	}
}

func mapGrant(g audit.Grant) *model.BreakGlassGrant {
	out := &model.BreakGlassGrant{
		ID:         strconv.FormatInt(g.ID, 10),
		Citizen:    g.Citizen,
		Principal:  mapAccessPrincipal(g.Principal),
		Reason:     g.Reason,
		GrantedAt:  g.GrantedAt,
		ExpiresAt:  g.ExpiresAt,
		ReviewedBy: optString(g.ReviewedBy),
		ReviewNote: optString(g.ReviewNote),
	}
	if g.Reviewed() {
		at := g.ReviewedAt
		out.ReviewedAt = &at
	}
	return out
}

// pageSize reads a connection's first argument (default 20, at most 100).
func pageSize(first *int) (int, error) {
	n := defaultPageSize
	if first != nil {
		n = *first
	}
	if n < 1 || n > maxPageSize {
		return 0, domain.InvalidInput("first", "must be between 1 and %d, got %d", maxPageSize, n)
	}
	return n, nil
}

// Cursors of the access log and the review queue are positions in the log
// (a record's Seq, a grant's ID), so pages stay stable while the log grows.
const seqCursorPrefix = "seq:"

func encodeSeqCursor(n int64) *string {
	c := base64.RawURLEncoding.EncodeToString([]byte(seqCursorPrefix + strconv.FormatInt(n, 10)))
	return &c
}

func decodeSeqCursor(after *string) (int64, error) {
	if after == nil {
		return 0, nil
	}
	bad := domain.InvalidInput("after", "not a cursor from this connection's pageInfo.endCursor")
	raw, err := base64.RawURLEncoding.DecodeString(*after)
	if err != nil {
		return 0, bad
	}
	s, ok := strings.CutPrefix(string(raw), seqCursorPrefix)
	if !ok {
		return 0, bad
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 1 {
		return 0, bad
	}
	return n, nil
}
