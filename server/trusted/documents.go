package trusted

import (
	"context"
	"errors"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/sundhedsklynge/klynge/access"
	"github.com/sundhedsklynge/klynge/errcode"
	"github.com/sundhedsklynge/klynge/server/gqlhttp"
)

// Options configure Documents.
type Options struct {
	// Manifest lists the trusted documents; nil means none.
	Manifest *Manifest
	// Enforce lets only manifest documents run.
	Enforce bool
	// RequireID refuses, under Enforce, a manifest document sent as text
	// without its id (by default such a request runs: it is the same
	// document).
	RequireID bool
	// APQ stores automatically persisted queries; nil switches APQ off.
	// Under Enforce, APQ never registers anything. Each principal has its
	// own registrations (the key names the principal): a shared cache
	// would tell any caller, by PERSISTED_QUERY_NOT_FOUND or not, whether
	// someone else sent a document, and a document can hold a CPR.
	APQ graphql.Cache[string]
}

// Documents is the gqlgen extension that resolves document ids and, under
// enforcement, refuses untrusted documents. Register it (srv.Use) before the
// limits, so that they check the document that will run.
type Documents struct {
	opts Options
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
	graphql.OperationContextMutator
} = (*Documents)(nil)

// New checks opts and returns the extension.
func New(opts Options) (*Documents, error) {
	if opts.Enforce && opts.Manifest.Len() == 0 {
		return nil, errors.New("trusted documents: enforce needs a manifest with at least one operation")
	}
	return &Documents{opts: opts}, nil
}

// ExtensionName names the extension in gqlgen's stats.
func (d *Documents) ExtensionName() string { return "TrustedDocuments" }

// Validate has nothing to check against the schema.
func (d *Documents) Validate(graphql.ExecutableSchema) error { return nil }

// registerKey marks, in the operation's stats, an APQ document that becomes
// registered once it has parsed, validated and passed the limits.
const registerKey = "trusted.apqRegister"

// MutateOperationParameters turns an id into its document, or refuses.
func (d *Documents) MutateOperationParameters(ctx context.Context, raw *graphql.RawParams) *gqlerror.Error {
	id, fromAPQ, gerr := requestedID(ctx, raw)
	if gerr != nil {
		return gerr
	}
	if id == "" {
		return d.freeform(raw.Query)
	}
	if op, ok := d.opts.Manifest.Lookup(id); ok {
		if raw.Query != "" && Hash(raw.Query) != id {
			return refuse(errcode.PersistedQueryHashMismatch, "the query sent is not the document its id names; send the id alone or the exact document")
		}
		raw.Query = op.Body
		return nil
	}
	switch {
	case d.opts.Enforce && raw.Query != "":
		return notTrusted()
	case d.opts.Enforce, !fromAPQ:
		return notFound()
	case d.opts.APQ == nil:
		return refuse(errcode.PersistedQueryNotSupported, "PersistedQueryNotSupported: this server does not accept automatic persisted queries")
	case raw.Query == "":
		body, ok := d.opts.APQ.Get(ctx, apqKey(ctx, id))
		if !ok {
			return notFound()
		}
		raw.Query = body
		return nil
	case Hash(raw.Query) != id:
		return refuse(errcode.PersistedQueryHashMismatch, "provided sha256Hash does not match the query")
	default:
		if opCtx := graphql.GetOperationContext(ctx); opCtx != nil {
			opCtx.Stats.SetExtension(registerKey, id)
		}
		return nil
	}
}

// MutateOperationContext registers an APQ document once it is known to be
// a valid operation, so that the cache never holds rubbish or oversized
// documents a client made up.
func (d *Documents) MutateOperationContext(ctx context.Context, opCtx *graphql.OperationContext) *gqlerror.Error {
	if id, ok := opCtx.Stats.GetExtension(registerKey).(string); ok && d.opts.APQ != nil {
		d.opts.APQ.Add(ctx, apqKey(ctx, id), opCtx.RawQuery)
	}
	return nil
}

// apqKey is the cache key of an APQ document for the request's principal:
// its role and a hash of its subject (access.Principal.LimitKey), so that
// one principal's registrations are invisible to every other, and the
// cache holds no subject. Requests without a principal (only where no
// authentication is configured) share one namespace.
func apqKey(ctx context.Context, id string) string {
	if p, ok := access.PrincipalFrom(ctx); ok {
		return p.LimitKey() + ":" + id
	}
	return "anonymous:" + id
}

func (d *Documents) freeform(query string) *gqlerror.Error {
	if !d.opts.Enforce {
		return nil
	}
	if !d.opts.RequireID {
		if _, ok := d.opts.Manifest.Lookup(Hash(query)); ok {
			return nil
		}
	}
	return notTrusted()
}

// requestedID finds the id a request names: the `documentId` parameter or
// the APQ extension. fromAPQ says it came from the extension, where an
// unknown id may be registered.
func requestedID(ctx context.Context, raw *graphql.RawParams) (id string, fromAPQ bool, gerr *gqlerror.Error) {
	if docID := gqlhttp.DocumentIDFrom(ctx); docID != "" {
		id, err := NormaliseID(docID)
		if err != nil {
			return "", false, refuse(errcode.BadPersistedQuery, "documentId: "+err.Error())
		}
		return id, false, nil
	}
	ext, ok := raw.Extensions["persistedQuery"]
	if !ok || ext == nil {
		return "", false, nil
	}
	pq, ok := ext.(map[string]any)
	if !ok {
		return "", false, refuse(errcode.BadPersistedQuery, "extensions.persistedQuery must be an object with version 1 and sha256Hash")
	}
	if v := pq["version"]; !isOne(v) {
		return "", false, refuse(errcode.BadPersistedQuery, "extensions.persistedQuery.version must be 1")
	}
	hash, _ := pq["sha256Hash"].(string)
	id, err := NormaliseID(hash)
	if err != nil {
		return "", false, refuse(errcode.BadPersistedQuery, "extensions.persistedQuery.sha256Hash: "+err.Error())
	}
	return id, true, nil
}

func isOne(v any) bool {
	switch n := v.(type) {
	case float64:
		return n == 1
	case int:
		return n == 1
	case int64:
		return n == 1
	case interface{ String() string }: // json.Number
		return n.String() == "1"
	}
	return false
}

func notFound() *gqlerror.Error {
	return refuse(errcode.PersistedQueryNotFound, "PersistedQueryNotFound")
}

func notTrusted() *gqlerror.Error {
	return refuse(errcode.OperationNotTrusted,
		"only the operations in the trusted-documents manifest may run on this server; send the operation's id as extensions.persistedQuery.sha256Hash or documentId (docs/TRUSTED-DOCUMENTS.md)")
}

func refuse(code, msg string) *gqlerror.Error {
	return &gqlerror.Error{Message: msg, Extensions: map[string]any{"code": code}}
}

// OperationNames are the names of the manifest's operations (nil without
// one): the operation names metrics may show.
func (d *Documents) OperationNames() []string {
	if d == nil {
		return nil
	}
	return d.opts.Manifest.OperationNames()
}
