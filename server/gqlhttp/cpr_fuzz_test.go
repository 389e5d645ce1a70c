package gqlhttp_test

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/sundhedsklynge/klynge/domain"
	"github.com/sundhedsklynge/klynge/resolvers/scalars"
)

// FuzzUnmarshalCPR feeds arbitrary variable values to the CPR scalar, the
// first code a CPR from a request reaches: it must never panic; what it
// accepts must print as DDMMYY-SSSS and read back to itself; what it
// refuses must be a BAD_USER_INPUT (*domain.InputError) that never quotes
// the digits sent, which may be a real person's number.
func FuzzUnmarshalCPR(f *testing.F) {
	for _, seed := range []string{"0101011234", "670101-1234", "6101011234", "3102011234", "010101123", "01010112345", "ab0101-1234", "", "0101011234\x00", "٠١٠١٠١١٢٣٤"} {
		f.Add(seed)
	}
	canonical := regexp.MustCompile(`^\d{6}-\d{4}$`)
	f.Fuzz(func(t *testing.T, s string) {
		c, err := scalars.UnmarshalCPR(s)
		if err != nil {
			var in *domain.InputError
			if !errors.As(err, &in) {
				t.Fatalf("refusal %T is not a *domain.InputError", err)
			}
			digits := strings.Map(func(r rune) rune {
				if r >= '0' && r <= '9' {
					return r
				}
				return -1
			}, s)
			if len(digits) >= 6 && strings.Contains(err.Error(), digits) {
				t.Fatalf("the error %q quotes the input", err)
			}
			return
		}
		out := c.String()
		if !canonical.MatchString(out) {
			t.Fatalf("accepted %q prints as %q, not DDMMYY-SSSS", s, out)
		}
		again, err := scalars.UnmarshalCPR(out)
		if err != nil || again != c {
			t.Fatalf("%q does not read back: %v, %v", out, again, err)
		}
	})
}
