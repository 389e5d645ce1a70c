package gqlhttp

import "context"

type documentIDKey struct{}

// WithDocumentID returns ctx carrying the request's `documentId` parameter.
func WithDocumentID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, documentIDKey{}, id)
}

// DocumentIDFrom returns the `documentId` parameter of the request that ctx
// belongs to, or "". The trusted-documents extension reads it, because
// gqlgen's RawParams have no field for it.
func DocumentIDFrom(ctx context.Context) string {
	id, _ := ctx.Value(documentIDKey{}).(string)
	return id
}
