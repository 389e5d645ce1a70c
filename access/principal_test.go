package access

import (
	"errors"
	"strings"
	"testing"
)

func TestPrincipalValidate(t *testing.T) {
	tests := []struct {
		name      string
		p         Principal
		wantField string // "" means valid
	}{
		{"clinician at a department", clinician, ""},
		{"clinician at a hospital", hospitalDoc, ""},
		{"gp with a ydernummer", gp, ""},
		{"municipal nurse with a municipality code", nurse, ""},
		{"out-of-hours doctor of a region", oohDoctor, ""},
		{"integrator with a cluster", integrator, ""},
		{"citizen with their CPR", anna, ""},
		{"privacy officer", privacy, ""},
		{"privacy officer without an organisation", Principal{Subject: "po", Role: RolePrivacyOfficer}, ""},
		{"no subject", Principal{Role: RoleGP, Organization: ydernummerA}, "Subject"},
		{"subject with spaces around it", Principal{Subject: " gp ", Role: RoleGP, Organization: ydernummerA}, "Subject"},
		{"subject that is a CPR", Principal{Subject: string(cprAnna), Role: RoleCitizen, CPR: cprAnna}, "Subject"},
		// The red team's subject: a newline, stored in the access log and
		// able to forge a line of any line-based export of it.
		{"subject with a newline", Principal{Subject: "gp-1\nrole=privacy_officer", Role: RoleGP, Organization: ydernummerA}, "Subject"},
		{"subject with a zero-width space", Principal{Subject: "gp\u200b1", Role: RoleGP, Organization: ydernummerA}, "Subject"},
		{"subject with a right-to-left override", Principal{Subject: "gp-\u202e1-po", Role: RoleGP, Organization: ydernummerA}, "Subject"},
		{"subject with an escape sequence", Principal{Subject: "gp-\x1b[31m", Role: RoleGP, Organization: ydernummerA}, "Subject"},
		{"subject of invalid UTF-8", Principal{Subject: "gp-\xff", Role: RoleGP, Organization: ydernummerA}, "Subject"},
		{"a subject in another script is fine", Principal{Subject: "læge-Åse-ﾗ", Role: RoleGP, Organization: ydernummerA}, ""},
		{"integrator organisation with a tab", Principal{Subject: "int", Role: RoleIntegrator, Organization: "Region\tSjælland", Clusters: []string{"c"}}, "Organization"},
		{"unknown role", Principal{Subject: "x", Role: "admin"}, "Role"},
		{"no role", Principal{Subject: "x"}, "Role"},
		{"clinician without SOR", Principal{Subject: "x", Role: RoleClinician}, "Organization"},
		{"clinician with a name for SOR", Principal{Subject: "x", Role: RoleClinician, Organization: "Slagelse Sygehus"}, "Organization"},
		{"gp with letters in ydernummer", Principal{Subject: "x", Role: RoleGP, Organization: "12a456"}, "Organization"},
		{"nurse with a 4-digit code", Principal{Subject: "x", Role: RoleMunicipalNurse, Organization: "0330"}, "Organization"},
		{"nurse with code below 101", Principal{Subject: "x", Role: RoleMunicipalNurse, Organization: "099"}, "Organization"},
		{"out-of-hours doctor with a municipality", Principal{Subject: "x", Role: RoleOutOfHoursDoctor, Organization: "330"}, "Organization"},
		{"out-of-hours doctor of region 1086", Principal{Subject: "x", Role: RoleOutOfHoursDoctor, Organization: "1086"}, "Organization"},
		{"integrator without clusters", Principal{Subject: "x", Role: RoleIntegrator}, "Clusters"},
		{"integrator with a bad cluster id", Principal{Subject: "x", Role: RoleIntegrator, Clusters: []string{"Næstved"}}, "Clusters"},
		{"clusters on a clinician", Principal{Subject: "x", Role: RoleClinician, Organization: sorSlagelse, Clusters: []string{"a"}}, "Clusters"},
		{"citizen without CPR", Principal{Subject: "x", Role: RoleCitizen}, "CPR"},
		{"citizen with a malformed CPR", Principal{Subject: "x", Role: RoleCitizen, CPR: "670385-1234"}, "CPR"},
		{"CPR on a gp", Principal{Subject: "x", Role: RoleGP, Organization: ydernummerA, CPR: cprAnna}, "CPR"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.p.Validate()
			if tt.wantField == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			var pe *PrincipalError
			if !errors.As(err, &pe) {
				t.Fatalf("Validate = %v, want a *PrincipalError on %s", err, tt.wantField)
			}
			if pe.Field != tt.wantField {
				t.Fatalf("error on %s (%v), want %s", pe.Field, err, tt.wantField)
			}
			if strings.Contains(err.Error(), string(cprAnna)) {
				t.Fatalf("error %q quotes a CPR", err)
			}
		})
	}
}

func TestLimitKey(t *testing.T) {
	t.Run("is stable for a subject and hides it", func(t *testing.T) {
		k := gp.LimitKey()
		if k != gp.LimitKey() {
			t.Fatal("LimitKey differs between calls")
		}
		if strings.Contains(k, gp.Subject) || !strings.HasPrefix(k, "gp:") {
			t.Fatalf("LimitKey = %q: want role prefix and no subject", k)
		}
	})
	t.Run("differs between subjects", func(t *testing.T) {
		other := gp
		other.Subject = "gp-2"
		if other.LimitKey() == gp.LimitKey() {
			t.Fatal("two subjects share a LimitKey")
		}
	})
}

func TestPrincipalContext(t *testing.T) {
	if _, ok := PrincipalFrom(t.Context()); ok {
		t.Fatal("a bare context has a principal")
	}
	got, ok := PrincipalFrom(WithPrincipal(t.Context(), nurse))
	if !ok || got.Subject != nurse.Subject || got.Role != nurse.Role {
		t.Fatalf("PrincipalFrom = %+v, %v", got, ok)
	}
}
