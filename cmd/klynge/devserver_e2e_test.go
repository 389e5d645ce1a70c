package main

import (
	"net/http"
	"strings"
	"testing"
)

// preflight sends the CORS preflight a browser page at origin sends before
// a JSON POST, and returns the allowed origin ("" when refused).
func preflight(t *testing.T, graphqlURL, origin string) string {
	t.Helper()
	req, err := http.NewRequest(http.MethodOptions, graphqlURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Origin", origin)
	req.Header.Set("Access-Control-Request-Method", "POST")
	req.Header.Set("Access-Control-Request-Headers", "authorization, content-type")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.Header.Get("Access-Control-Allow-Origin")
}

// TestDemoAllowsAFrontEndDevServer: a front-end team's dev server is
// refused by CORS until the demo is told its origin, by flag or by the
// environment variable that serve reads too.
func TestDemoAllowsAFrontEndDevServer(t *testing.T) {
	const vite, other = "http://localhost:5173", "http://localhost:3000"
	t.Run("refused by default", func(t *testing.T) {
		d := startDemo(t)
		if got := preflight(t, d.GraphQL, vite); got != "" {
			t.Fatalf("a demo without -cors-origin allowed %s", got)
		}
	})
	t.Run("-cors-origin", func(t *testing.T) {
		d := startDemo(t, "-cors-origin", vite, "-cors-origin", other)
		for _, origin := range []string{vite, other} {
			if got := preflight(t, d.GraphQL, origin); got != origin {
				t.Errorf("preflight from %s: Access-Control-Allow-Origin %q", origin, got)
			}
		}
	})
	t.Run("KLYNGE_CORS_ALLOWEDORIGINS", func(t *testing.T) {
		t.Setenv("KLYNGE_CORS_ALLOWEDORIGINS", vite)
		d := startDemo(t)
		if got := preflight(t, d.GraphQL, vite); got != vite {
			t.Errorf("preflight from %s: Access-Control-Allow-Origin %q", vite, got)
		}
	})
	t.Run("a bad variable stops the demo naming it", func(t *testing.T) {
		t.Setenv("KLYNGE_CORS_ALLOWEDORIGINS", "localhost:5173")
		code, _, errOut := run(t, "demo", "-addr", "127.0.0.1:0", "-sandbox-addr", "127.0.0.1:0", "-population", "100", "-speed", "0", "-now", testNow(t))
		if code != 1 || !strings.Contains(errOut, "cors.allowedOrigins[0]: must be an origin") {
			t.Fatalf("exit %d, stderr %q", code, errOut)
		}
	})
}

// TestTokenFromAnotherSandboxGetsAHint: a token kept from another (or a
// restarted) sandbox is refused with a 401 that says why and where to get
// a new one.
func TestTokenFromAnotherSandboxGetsAHint(t *testing.T) {
	a, b := startDemo(t), startDemo(t)
	r := queryAs(t, a.GraphQL, demoToken(t, b.Sandbox, defaultClient), `{ me { role } }`, nil)
	if r.Status != http.StatusUnauthorized || len(r.Errors) == 0 || r.Errors[0].Extensions["reason"] != "invalid_signature" {
		t.Fatalf("status %d, errors %+v", r.Status, r.Errors)
	}
	msg := r.Errors[0].Message
	for _, want := range []string{a.Sandbox + "/oidc publishes no key with its key id", "another identity provider or sandbox",
		"rotated its keys or restarted", "get a new token from " + a.Sandbox + "/oidc"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}
}
