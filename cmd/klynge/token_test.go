package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

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
		for _, want := range []string{oidc.ClientClinicianSlagelse, oidc.ClientPrivacyOfficer, "integrator", `"demo"`} {
			if !strings.Contains(out, want) {
				t.Errorf("listing lacks %q:\n%s", want, out)
			}
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
