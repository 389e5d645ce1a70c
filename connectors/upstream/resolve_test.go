package upstream

import "testing"

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
