package access

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/sundhedsklynge/klynge/domain"
)

func cprOf(s string) domain.CPR { return domain.CPR(s) }

func TestPseudonyms(t *testing.T) {
	secret := bytes.Repeat([]byte("k"), MinPseudonymSecret)
	ps, err := NewPseudonymiser(secret)
	if err != nil {
		t.Fatal(err)
	}
	must := func(subject string, cpr string) string {
		t.Helper()
		p, err := ps.Pseudonym(subject, cprOf(cpr))
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	a1 := must("int-1", string(cprAnna))
	t.Run("stable for one citizen and one integrator", func(t *testing.T) {
		again, _ := NewPseudonymiser(secret)
		p, _ := again.Pseudonym("int-1", cprAnna)
		if p != a1 || must("int-1", string(cprAnna)) != a1 {
			t.Fatal("pseudonym changed between calls or instances")
		}
	})
	t.Run("differs between citizens", func(t *testing.T) {
		if must("int-1", string(cprBent)) == a1 {
			t.Fatal("two citizens share a pseudonym")
		}
	})
	t.Run("differs between integrators", func(t *testing.T) {
		if must("int-2", string(cprAnna)) == a1 {
			t.Fatal("two integrators see the same pseudonym")
		}
	})
	t.Run("subject and CPR cannot be shifted into each other", func(t *testing.T) {
		if must("int-16", "703851234") == must("int-1", "6703851234") {
			t.Fatal("length prefix missing")
		}
	})
	t.Run("differs under another secret", func(t *testing.T) {
		other, _ := NewPseudonymiser(bytes.Repeat([]byte("j"), MinPseudonymSecret))
		p, _ := other.Pseudonym("int-1", cprAnna)
		if p == a1 {
			t.Fatal("secret does not key the pseudonym")
		}
	})
	t.Run("shows nothing of the CPR", func(t *testing.T) {
		if !regexp.MustCompile(`^p-[a-z2-7]{26}$`).MatchString(a1) {
			t.Fatalf("pseudonym %q not in the documented form", a1)
		}
		if strings.Contains(a1, string(cprAnna)[:6]) {
			t.Fatalf("pseudonym %q contains the birth date", a1)
		}
	})
	t.Run("short secrets are refused", func(t *testing.T) {
		if _, err := NewPseudonymiser([]byte("short")); err == nil {
			t.Fatal("accepted a 5-byte secret")
		}
	})
	t.Run("subject is required", func(t *testing.T) {
		if _, err := ps.Pseudonym("", cprAnna); err == nil {
			t.Fatal("accepted an empty subject")
		}
	})
}

func TestRecordPseudonyms(t *testing.T) {
	ps, _ := NewPseudonymiser(bytes.Repeat([]byte("k"), MinPseudonymSecret))
	ref := func(audience, id string) string {
		t.Helper()
		r, err := ps.Ref(audience, id)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	a := ref("int-1", "enc-000952")
	if !regexp.MustCompile(`^r-[a-z2-7]{20}$`).MatchString(a) {
		t.Errorf("Ref = %q, want r- and 20 base32 characters", a)
	}
	if ref("int-1", "enc-000952") != a {
		t.Error("not stable for one audience")
	}
	if ref("int-2", "enc-000952") == a {
		t.Error("two audiences share a record pseudonym")
	}
	if ref("int-1", "enc-000953") == a {
		t.Error("two records share a pseudonym")
	}
	if strings.Contains(a, "952") {
		t.Error("the pseudonym carries the id")
	}
	other, _ := NewPseudonymiser(bytes.Repeat([]byte("j"), MinPseudonymSecret))
	if r, _ := other.Ref("int-1", "enc-000952"); r == a {
		t.Error("another secret gives the same pseudonym")
	}
	if _, err := ps.Ref("", "enc-1"); err == nil {
		t.Error("no audience was accepted")
	}
}
