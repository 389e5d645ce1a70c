package observe

import (
	"fmt"
	"strings"
	"testing"
)

func TestOperationNameLabelsAreBoundedAndSafe(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"a plain name is its own label", "PatientContext", "PatientContext"},
		{"no name is anonymous", "", "anonymous"},
		{"a CPR-like digit run is refused", "Patient6505501234", "invalid"},
		{"a date-like digit run is refused", "Born650550", "invalid"},
		{"a short number is fine", "Worklist2", "Worklist2"},
		{"a name longer than 64 characters is refused", "A" + strings.Repeat("a", 64), "invalid"},
		{"something that is no GraphQL name is refused", "a b", "invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := newOperationNames(10).label(tt.in); got != tt.want {
				t.Errorf("label(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestOperationNamesBeyondTheBoundShareOneLabel(t *testing.T) {
	n := newOperationNames(3)
	for i := range 3 {
		if got := n.label(fmt.Sprintf("Op%d", i)); got != fmt.Sprintf("Op%d", i) {
			t.Fatalf("name %d labelled %q", i, got)
		}
	}
	if got := n.label("Op3"); got != "other" {
		t.Errorf("the fourth name is %q, want other", got)
	}
	if got := n.label("Op1"); got != "Op1" {
		t.Errorf("a name seen before the bound is %q, want itself", got)
	}
}
