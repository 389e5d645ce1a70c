package observe

import "sync"

// maxOperationNames bounds the operation label's values. Operation names
// come from clients; without trusted documents a client could otherwise
// mint a new time series with every request.
const maxOperationNames = 200

// Label values that stand in for names.
const (
	opAnonymous = "anonymous" // an operation without a name
	opOther     = "other"     // a name beyond the first maxOperationNames
	opInvalid   = "invalid"   // a name that is not a plain GraphQL name
)

// operationNames hands out label values for operation names: the name
// itself for the first max distinct names seen, "other" after that.
type operationNames struct {
	mu   sync.Mutex
	seen map[string]bool
	max  int
}

func newOperationNames(max int) *operationNames {
	return &operationNames{seen: map[string]bool{}, max: max}
}

func (n *operationNames) label(name string) string {
	switch {
	case name == "":
		return opAnonymous
	case !plainName(name):
		return opInvalid
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.seen[name] {
		return name
	}
	if len(n.seen) >= n.max {
		return opOther
	}
	n.seen[name] = true
	return name
}

// plainName is a GraphQL name ([_A-Za-z][_0-9A-Za-z]*) of at most 64
// characters without a run of six digits or more. The parser enforces the
// grammar already; the digit rule keeps a client from smuggling a CPR
// number (or a birth date) into metrics and traces as an operation name.
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
