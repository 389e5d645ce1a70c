package observe

import (
	"strings"
	"testing"
)

func TestOperationNameLabelsAreKnownNamesOnly(t *testing.T) {
	n := newOperationNames()
	n.know([]string{"PatientContext", "Worklist2", "Patient6505501234", "A" + strings.Repeat("a", 64), "a b"})
	tests := []struct {
		name, in, want string
	}{
		{"a known name is its own label", "PatientContext", "PatientContext"},
		{"a known name with a short number", "Worklist2", "Worklist2"},
		{"no name is anonymous", "", "anonymous"},
		{"a name nobody configured is other", "WhoIsAnnaJensen", "other"},
		{"a CPR-like digit run is never known, even when configured", "Patient6505501234", "other"},
		{"a name longer than 64 characters is never known", "A" + strings.Repeat("a", 64), "other"},
		{"something that is no GraphQL name is never known", "a b", "other"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := n.label(tt.in); got != tt.want {
				t.Errorf("label(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// However many names callers send, the label takes at most the known
// values plus anonymous and other.
func TestCallerChosenNamesCannotMintLabels(t *testing.T) {
	n := newOperationNames()
	n.know([]string{"PatientContext"})
	values := map[string]bool{}
	for i := range 1000 {
		values[n.label("Op"+strings.Repeat("x", i%50)+string(rune('a'+i%26)))] = true
	}
	values[n.label("PatientContext")] = true
	values[n.label("")] = true
	if len(values) != 3 {
		t.Errorf("label values %v, want PatientContext, anonymous and other", values)
	}
}
