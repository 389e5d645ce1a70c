package upstream

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestAsAPIError(t *testing.T) {
	status := &StatusError{System: "outofhours", Op: "contacts_search", Status: 400,
		Body: []byte(`{"error":"too_many_cprs","message":"at most 200 cprs per request, got 201"}`)}
	err := AsAPIError(fmt.Errorf("search: %w", status))
	var ae *APIError
	if !errors.As(err, &ae) || ae.Code != "too_many_cprs" || ae.Status != status {
		t.Fatalf("AsAPIError = %#v", err)
	}
	if sys, _, ok := Classify(err); !ok || sys != "outofhours" {
		t.Errorf("Classify through APIError = %q, %v", sys, ok)
	}
	if strings.Contains(ae.Error(), "201") {
		t.Errorf("Error() quotes the upstream's message: %q", ae.Error())
	}
	for _, body := range []string{``, `not json`, `{"message":"no code"}`, `[1,2]`} {
		plain := &StatusError{System: "x", Status: 500, Body: []byte(body)}
		if got := AsAPIError(plain); got != error(plain) {
			t.Errorf("body %q: got %#v, want the StatusError unchanged", body, got)
		}
	}
	other := errors.New("dial tcp: refused")
	if AsAPIError(other) != other {
		t.Error("a non-status error was changed")
	}
}
