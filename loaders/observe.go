package loaders

import "context"

// BatchObserver is told of every batch call a loader makes to one upstream
// instance, for metrics and tracing (package observe provides one). It
// returns the context the call runs with — carrying, say, the batch's trace
// span, so that the upstream calls nest under it — and a function the
// loader calls with the batch's outcome when the call ends. It must not
// look at the keys: they are CPR numbers.
type BatchObserver func(ctx context.Context, b Batch) (context.Context, func(err error))

// Batch describes one batch call of a loader.
type Batch struct {
	// Loader names the loader: patient, encounters, outofhours, referrals,
	// gpcontacts, practice, careservices, carevisits or notifications.
	Loader string
	// System is the upstream instance asked ("ehospital", "municipal/330").
	System string
	// Keys is how many keys the batch asks for.
	Keys int
}
