package observe

import "sync"

// Label values that stand in for names.
const (
	opAnonymous = "anonymous" // an operation without a name
	opOther     = "other"     // a name that is not a known one
)

// operationNames hands out label values for operation names: the name
// itself only when it is known (an operation of the trusted-documents
// manifest, or one configured), "other" for every other name. Operation
// names come from callers: a name a caller makes up would otherwise become
// a label value (a new time series per request, and the caller's text, a
// CPR or a name, in the metrics and traces).
type operationNames struct {
	mu    sync.RWMutex
	known map[string]bool
}

func newOperationNames() *operationNames {
	return &operationNames{known: map[string]bool{}}
}

// know adds names to the known ones; a name that is not a plain GraphQL
// name (plainName) is never known.
func (n *operationNames) know(names []string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, name := range names {
		if plainName(name) {
			n.known[name] = true
		}
	}
}

func (n *operationNames) label(name string) string {
	if name == "" {
		return opAnonymous
	}
	n.mu.RLock()
	defer n.mu.RUnlock()
	if n.known[name] {
		return name
	}
	return opOther
}

// plainName is a GraphQL name ([_A-Za-z][_0-9A-Za-z]*) of at most 64
// characters without a run of six digits or more, so that even a
// configured name cannot carry a CPR number (or a birth date).
func plainName(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	digits := 0
	for i, c := range []byte(s) {
		switch {
		case c == '_', c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
			digits = 0
		case c >= '0' && c <= '9' && i > 0:
			digits++
			if digits >= 6 {
				return false
			}
		default:
			return false
		}
	}
	return true
}
