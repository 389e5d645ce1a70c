package httpapi

import "context"

type keysKey struct{}

// WithKeyCounter gives a request a place to record how many keys it asked
// for; the statistics read it after the handler.
func WithKeyCounter(ctx context.Context) (context.Context, *int) {
	n := new(int)
	return context.WithValue(ctx, keysKey{}, n), n
}

// SetKeys records how many keys (CPRs, identifiers, ydernumre; 1 for a read
// by id) the request asked for. Without a counter it does nothing.
func SetKeys(ctx context.Context, n int) {
	if p, ok := ctx.Value(keysKey{}).(*int); ok {
		*p = n
	}
}
