package upstream

import "context"

// CallOf describes the call a request belongs to, for the Options.Wrap
// seam: the low-cardinality operation name given in Request.Op and how many
// attempts the call has made so far (read it after the wrapped round trip
// returns for the total). ok is false for a context that carries no call.
// It exists so that tracing can name a span after the operation without
// reading the URL, whose query may hold CPR numbers.
func CallOf(ctx context.Context) (op string, attempts int, ok bool) {
	c := callFrom(ctx)
	if c == nil {
		return "", 0, false
	}
	return c.op, int(c.attempt.Load()), true
}
