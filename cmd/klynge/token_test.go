package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/sundhedsklynge/klynge/domain"
	"github.com/sundhedsklynge/klynge/sandbox"
	"github.com/sundhedsklynge/klynge/sandbox/oidc"
	"github.com/sundhedsklynge/klynge/sandbox/sandboxtest"
)

// run calls Main as the binary would and returns its exit code and output.
func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := Main(t.Context(), args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestTokenCommand(t *testing.T) {
	sb := sandboxtest.Start(t, sandbox.Config{Population: 2000})
	t.Run("prints a token for a demo client, flags before or after it", func(t *testing.T) {
		for _, args := range [][]string{
			{"token", oidc.ClientClinicianSlagelse, "-sandbox", sb.URL},
			{"token", "-sandbox", sb.URL, oidc.ClientClinicianSlagelse},
		} {
			code, out, errOut := run(t, args...)
			if code != 0 {
				t.Fatalf("%v: exit %d: %s", args, code, errOut)
			}
			if got := claimsOf(t, strings.TrimSpace(out)); got["klynge_role"] != "clinician" || got["sub"] != oidc.ClientClinicianSlagelse {
				t.Fatalf("%v: token claims %v", args, got)
			}
		}
	})
	t.Run("without a client lists the clients", func(t *testing.T) {
		code, out, errOut := run(t, "token", "-sandbox", sb.URL)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		for _, want := range []string{oidc.ClientClinicianSlagelse, oidc.ClientPrivacyOfficer, "integrator", `"demo"`,
			// the exact command for this sandbox, and where more citizens come from
			"klynge token -sandbox " + sb.URL + " <client>", sb.URL + "/_sandbox/citizens?sample=10&for=<client>"} {
			if !strings.Contains(out, want) {
				t.Errorf("listing lacks %q:\n%s", want, out)
			}
		}
		// Every clinical client's row suggests citizens it may read; the
		// sandbox's issuer judges them with klynge's own rules.
		iss := sb.Sandbox.OIDC()
		for _, line := range strings.Split(out, "\n") {
			fields := strings.Fields(line)
			if len(fields) < 4 {
				continue
			}
			client, ok := iss.Client(fields[0])
			if !ok || !client.Principal().Role.Clinical() {
				continue
			}
			var cprs []string
			for _, f := range fields {
				if _, err := domain.ParseCPR(f); err == nil {
					cprs = append(cprs, f)
				}
			}
			if len(cprs) == 0 {
				t.Errorf("%s: suggests no citizen: %q", client.ID, line)
			}
			for _, cpr := range cprs {
				cit, found := sb.Sandbox.World().Citizen(domain.CPR(cpr))
				if reads, _, _ := iss.Reads(client.ID, cit); !found || !reads {
					t.Errorf("%s: suggests %q, which it may not read", client.ID, cpr)
				}
			}
		}
	})
	t.Run("-citizen prints a CPR the client may read", func(t *testing.T) {
		code, out, errOut := run(t, "token", "-citizen", "-sandbox", sb.URL, oidc.ClientClinicianSlagelse)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		cit, found := sb.Sandbox.World().Citizen(domain.CPR(strings.TrimSpace(out)))
		if reads, _, _ := sb.Sandbox.OIDC().Reads(oidc.ClientClinicianSlagelse, cit); !found || !reads {
			t.Fatalf("printed %q, which clinician-slagelse may not read", out)
		}
		code, _, errOut = run(t, "token", "-citizen", "-sandbox", sb.URL, oidc.ClientIntegrator)
		if code != 1 || !strings.Contains(errOut, "reads no citizen by CPR") {
			t.Fatalf("integrator: exit %d, %q", code, errOut)
		}
	})
	t.Run("an unknown client fails and says how to list them", func(t *testing.T) {
		code, out, errOut := run(t, "token", "root", "-sandbox", sb.URL)
		if code != 1 || out != "" || !strings.Contains(errOut, "invalid_client") || !strings.Contains(errOut, "klynge token") {
			t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
		}
	})
	t.Run("no sandbox running", func(t *testing.T) {
		code, _, errOut := run(t, "token", oidc.ClientGP, "-sandbox", "http://127.0.0.1:1")
		if code != 1 || !strings.Contains(errOut, "klynge demo") {
			t.Fatalf("exit %d, stderr %q", code, errOut)
		}
	})
	t.Run("usage errors", func(t *testing.T) {
		for _, args := range [][]string{
			{"token", "a", "b"},
			{"token", "-sandbox", "not a url", oidc.ClientGP},
			{"token", "-bogus"},
		} {
			if code, _, _ := run(t, args...); code != 2 {
				t.Errorf("%v: exit %d, want 2", args, code)
			}
		}
	})
}

func TestTokenCommandIsWhatTheUserTyped(t *testing.T) {
	tests := []struct{ argv0, base, want string }{
		{"/tmp/go-build1234/b001/exe/klynge", defaultSandboxURL, "go run ./cmd/klynge token"},
		{"/tmp/go-build1234/b001/exe/klynge", "http://127.0.0.1:9091", "go run ./cmd/klynge token -sandbox http://127.0.0.1:9091"},
		{"klynge", defaultSandboxURL, "klynge token"},
		{"./klynge", "http://127.0.0.1:9091", "./klynge token -sandbox http://127.0.0.1:9091"},
		{"/usr/local/bin/klynge", defaultSandboxURL, "/usr/local/bin/klynge token"},
		{"/tmp/go-build99/b001/klynge.test", defaultSandboxURL, "klynge token"},
	}
	for _, tt := range tests {
		if got := tokenCommand(tt.argv0, tt.base); got != tt.want {
			t.Errorf("tokenCommand(%q, %q) = %q, want %q", tt.argv0, tt.base, got, tt.want)
		}
	}
}

func claimsOf(t *testing.T, token string) map[string]any {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("%q is not a JWT", token)
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]any
	if err := json.Unmarshal(payload, &c); err != nil {
		t.Fatal(err)
	}
	return c
}
