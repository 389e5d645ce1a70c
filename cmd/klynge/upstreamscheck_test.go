package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sundhedsklynge/klynge/sandbox"
	"github.com/sundhedsklynge/klynge/sandbox/sandboxtest"
)

// checkConfig writes a configuration whose eHospitalet is at ehospital and
// whose other systems are the sandbox's.
func checkConfig(t *testing.T, s *sandboxtest.Server, ehospital string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "klynge.yaml")
	yaml := fmt.Sprintf(`upstreams:
  ehospital:
    baseURL: %s
    cprIdentifierSystem: https://klynge.sundhedsklynge.dk/fhir/NamingSystem/synthetic-cpr
  outofhours: { baseURL: %s }
  gpreferral: { baseURL: %s }
  municipal:
    baseURLTemplate: %s/{code}/api
    codes: [330]
auth:
  issuer: %s
`, ehospital, s.URLs.OutOfHours, s.URLs.GPReferral, s.URLs.MunicipalRoot, s.URLs.OIDCIssuer)
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestUpstreamsCheckSaysWhatKlyngeFallsBackFrom(t *testing.T) {
	s := sandboxtest.Start(t, sandbox.Config{Population: 500, FHIRDialect: "strict"})
	var stdout, stderr bytes.Buffer
	code := Main(context.Background(), []string{"upstreams", "check", "-config", checkConfig(t, s, s.URLs.EHospitalFHIR), "-probe"}, &stdout, &stderr)
	out := stdout.String()
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, stderr.String())
	}
	for _, want := range []string{
		"CapabilityStatement: read (klynge sandbox: eHospitalet dialect strict, FHIR 4.0.1)",
		"Encounter?patient.identifier             assumed   patient.identifier",
		"Encounter?_revinclude=Provenance:target  no        _revinclude",
		"Provenance?target                        yes       no",
		"verdict: klynge can read this server, falling back from 4 features",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the report lacks %q:\n%s", want, out)
		}
	}
}

func TestUpstreamsCheckFailsOnAServerThatIsNoFHIRServer(t *testing.T) {
	s := sandboxtest.Start(t, sandbox.Config{Population: 500})
	var stdout, stderr bytes.Buffer
	code := Main(context.Background(), []string{"upstreams", "check", "-config", checkConfig(t, s, s.URLs.OutOfHours)}, &stdout, &stderr)
	if code != 1 || !strings.Contains(stdout.String(), "CapabilityStatement: not read") || !strings.Contains(stdout.String(), "verdict: unknown") {
		t.Errorf("exit %d\n%s\n%s", code, stdout.String(), stderr.String())
	}
}
