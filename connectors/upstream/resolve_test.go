package upstream

import (
	"strings"
	"testing"
)

func TestResolve(t *testing.T) {
	c, err := New(Options{System: "ehospital", BaseURL: "https://ehospital.example:8443/fhir/r4"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	tests := []struct {
		name, in, want string
	}{
		{"relative path", "Patient/_search", "https://ehospital.example:8443/fhir/r4/Patient/_search"},
		{"leading slash is still under the base", "/Encounter/_search", "https://ehospital.example:8443/fhir/r4/Encounter/_search"},
		{"query kept", "Encounter?_page=2", "https://ehospital.example:8443/fhir/r4/Encounter?_page=2"},
		{"empty path is the base", "", "https://ehospital.example:8443/fhir/r4"},
		{"next link on the same server", "https://ehospital.example:8443/fhir/r4/Encounter?_getpages=abc&_offset=100", "https://ehospital.example:8443/fhir/r4/Encounter?_getpages=abc&_offset=100"},
		{"host compared case-insensitively", "https://EHOSPITAL.example:8443/fhir/r4/x", "https://ehospital.example:8443/fhir/r4/x"},
		{"fragment dropped", "https://ehospital.example:8443/fhir/r4/x#frag", "https://ehospital.example:8443/fhir/r4/x"},
		{"link to another host refused", "https://evil.example:8443/fhir/r4/Encounter", ""},
		{"link with another port refused", "https://ehospital.example/fhir/r4/Encounter", ""},
		{"link with another scheme refused", "http://ehospital.example:8443/fhir/r4/Encounter", ""},
		{"link outside the base path refused", "https://ehospital.example:8443/admin/Encounter", ""},
		{"sibling path with the same prefix refused", "https://ehospital.example:8443/fhir/r4-admin/x", ""},
		{"link climbing out of the base path refused", "https://ehospital.example:8443/fhir/r4/../../admin", ""},
		{"link with credentials refused", "https://u:p@ehospital.example:8443/fhir/r4/x", ""},
		{"protocol-relative link to another host refused", "//evil.example/fhir/r4/x", ""},
		{"relative path climbing out refused", "../admin", ""},
		{"malformed", "%zz", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := c.Resolve(tt.in)
			if tt.want == "" {
				if err == nil {
					t.Fatalf("Resolve(%q) = %s, want refusal", tt.in, u)
				}
				return
			}
			if err != nil {
				t.Fatalf("Resolve(%q): %v", tt.in, err)
			}
			if u.String() != tt.want {
				t.Fatalf("Resolve(%q) = %s, want %s", tt.in, u, tt.want)
			}
		})
	}
}

func TestResolveLink(t *testing.T) {
	tests := []struct {
		name, base, public, in, want string
	}{
		{"absolute link on the base", "https://h.example/fhir/R4", "", "https://h.example/fhir/R4/Encounter?_offset=20", "https://h.example/fhir/R4/Encounter?_offset=20"},
		{"root-relative link resolves against the host, not the base twice", "https://h.example/fhir/R4", "", "/fhir/R4/Encounter?_offset=20", "https://h.example/fhir/R4/Encounter?_offset=20"},
		{"relative link resolves against the base as a directory", "https://h.example/fhir/R4", "", "Encounter?_offset=20", "https://h.example/fhir/R4/Encounter?_offset=20"},
		{"query-only link is the base with that query (HAPI _getpages)", "https://h.example/fhir", "", "?_getpages=abc&_getpagesoffset=20", "https://h.example/fhir/?_getpages=abc&_getpagesoffset=20"},
		{"link on the public base moves onto the base", "http://10.0.0.5:8080/fhir", "https://fhir.region.example/r4", "https://fhir.region.example/r4/Encounter?_offset=20", "http://10.0.0.5:8080/fhir/Encounter?_offset=20"},
		{"public base compared with its default port", "http://10.0.0.5:8080/fhir", "https://fhir.region.example/r4", "https://fhir.region.example:443/r4/Encounter", "http://10.0.0.5:8080/fhir/Encounter"},
		{"root-relative link is under neither base", "http://10.0.0.5:8080/fhir", "https://fhir.region.example/r4", "/r4/Encounter", ""},
		{"another host refused", "https://h.example/fhir/R4", "", "https://evil.example/fhir/R4/Encounter", ""},
		{"outside the public base refused", "http://10.0.0.5:8080/fhir", "https://fhir.region.example/r4", "https://fhir.region.example/admin", ""},
		{"root-relative outside the base refused", "https://h.example/fhir/R4", "", "/admin/Encounter", ""},
		{"climbing out refused", "https://h.example/fhir/R4", "", "../../admin", ""},
		{"credentials refused", "https://h.example/fhir/R4", "", "https://u:p@h.example/fhir/R4/x", ""},
		{"malformed", "https://h.example/fhir/R4", "", "%zz", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := New(Options{System: "ehospital", BaseURL: tt.base, PublicBaseURL: tt.public})
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			u, err := c.ResolveLink(tt.in)
			if tt.want == "" {
				if err == nil {
					t.Fatalf("ResolveLink(%q) = %s, want refusal", tt.in, u)
				}
				if strings.Contains(err.Error(), tt.in) {
					t.Errorf("error quotes the link: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ResolveLink(%q): %v", tt.in, err)
			}
			if u.String() != tt.want {
				t.Fatalf("ResolveLink(%q) = %s, want %s", tt.in, u, tt.want)
			}
			if _, err := c.Resolve(u.String()); err != nil {
				t.Errorf("the resolved link is not callable: %v", err)
			}
		})
	}
}

func TestPublicBaseURLIsValidated(t *testing.T) {
	for _, bad := range []string{"fhir.example/r4", "ftp://x/r4", "https://u:p@x/r4", "https://x/r4?q=1"} {
		if _, err := New(Options{System: "ehospital", BaseURL: "https://h.example/fhir", PublicBaseURL: bad}); err == nil || !strings.Contains(err.Error(), "PublicBaseURL") {
			t.Errorf("PublicBaseURL %q: err = %v, want one naming PublicBaseURL", bad, err)
		}
	}
}
