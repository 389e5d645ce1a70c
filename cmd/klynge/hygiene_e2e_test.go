package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sundhedsklynge/klynge/config"
	"github.com/sundhedsklynge/klynge/errcode"
	"github.com/sundhedsklynge/klynge/server/trusted"
)

// exchange is one raw HTTP exchange with the gateway.
type exchange struct {
	status int
	header http.Header
	body   string
}

func send(t *testing.T, method, u string, header map[string]string, body string) exchange {
	t.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return exchange{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

func startHygieneStack(t *testing.T) (*stack, *mintIssuer) {
	return startMintStack(t, func(c *config.Config) {
		c.Introspection = false // serve's default
		c.RateLimit = config.RateLimit{RequestsPerSecond: 0.01, Burst: 30}
	})
}

// Every response type the gateway writes carries the headers: no-store on
// everything under /graphql (data, errors, refusals, streams), nosniff and
// no-referrer everywhere, and a strict CSP with frame protection on HTML.
func TestSecurityHeadersOnEveryResponseType(t *testing.T) {
	s, mint := startHygieneStack(t)
	base := strings.TrimSuffix(s.GraphQL, "/graphql")
	doctor := func(sub string) string { return "Bearer " + mint.as(t, sub, "clinician", doctorSOR) }
	jsonPost := func(auth string) map[string]string {
		return map[string]string{"Content-Type": "application/json", "Accept": "application/graphql-response+json", "Authorization": auth}
	}
	cpr := sample(t, s.demo, 1)[0]
	tests := []struct {
		name   string
		do     func() exchange
		status int
		html   bool
	}{
		{"a query with data", func() exchange {
			return send(t, http.MethodPost, s.GraphQL, jsonPost(doctor("h-1")), `{"query":"{ me { role } }"}`)
		}, 200, false},
		{"a refusal inside data (FORBIDDEN)", func() exchange {
			return send(t, http.MethodPost, s.GraphQL, jsonPost(doctor("h-2")), `{"query":"{ citizen(cpr: \"`+cpr+`\") { name } }"}`)
		}, 200, false},
		{"a GET query", func() exchange {
			return send(t, http.MethodGet, s.GraphQL+"?query="+url.QueryEscape("{ me { role } }"), map[string]string{"Authorization": doctor("h-3")}, "")
		}, 200, false},
		{"an event stream", func() exchange {
			return send(t, http.MethodPost, s.GraphQL, map[string]string{"Content-Type": "application/json", "Accept": "text/event-stream", "Authorization": doctor("h-4")},
				`{"query":"{ me { role } }"}`)
		}, 200, false},
		{"a parse error", func() exchange {
			return send(t, http.MethodPost, s.GraphQL, jsonPost(doctor("h-5")), `{"query":"{ me { "}`)
		}, 400, false},
		{"no token", func() exchange {
			return send(t, http.MethodPost, s.GraphQL, jsonPost(""), `{"query":"{ me { role } }"}`)
		}, 401, false},
		{"an unsupported media type", func() exchange {
			return send(t, http.MethodPost, s.GraphQL, map[string]string{"Content-Type": "text/plain", "Authorization": doctor("h-6")}, `{"query":"{ me { role } }"}`)
		}, 415, false},
		{"a cross-site request", func() exchange {
			return send(t, http.MethodPost, s.GraphQL, map[string]string{"Content-Type": "text/plain", "Origin": "https://evil.example", "Authorization": doctor("h-6")}, `{"query":"{ me { role } }"}`)
		}, 403, false},
		{"a method not allowed", func() exchange { return send(t, http.MethodPut, s.GraphQL, jsonPost(doctor("h-7")), `{}`) }, 405, false},
		{"nothing acceptable", func() exchange {
			return send(t, http.MethodPost, s.GraphQL, map[string]string{"Content-Type": "application/json", "Accept": "image/png", "Authorization": doctor("h-8")}, `{"query":"{ me { role } }"}`)
		}, 406, false},
		{"a body too large", func() exchange {
			return send(t, http.MethodPost, s.GraphQL, jsonPost(doctor("h-9")), `{"query":"`+strings.Repeat(" ", 2<<20)+`{ me { role } }"}`)
		}, 413, false},
		{"rate limited", func() exchange {
			var last exchange
			for range 40 {
				last = send(t, http.MethodPost, s.GraphQL, jsonPost(doctor("h-10")), `{"query":"{ me { role } }"}`)
			}
			return last
		}, 429, false},
		{"a CORS preflight", func() exchange {
			return send(t, http.MethodOptions, s.GraphQL, map[string]string{"Origin": "https://portal.example", "Access-Control-Request-Method": "POST"}, "")
		}, 0, false},
		{"the playground", func() exchange { return send(t, http.MethodGet, base+"/", nil, "") }, 200, true},
		{"health", func() exchange { return send(t, http.MethodGet, base+"/healthz", nil, "") }, 200, false},
		{"readiness", func() exchange { return send(t, http.MethodGet, base+"/readyz", nil, "") }, 200, false},
		{"not found", func() exchange { return send(t, http.MethodGet, base+"/nope", nil, "") }, 404, false},
		{"metrics, on their own listener", func() exchange { return send(t, http.MethodGet, s.Metrics, nil, "") }, 200, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := tt.do()
			if tt.status != 0 && x.status != tt.status {
				t.Fatalf("status %d, want %d: %.300s", x.status, tt.status, x.body)
			}
			h := x.header
			if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") != "no-referrer" {
				t.Errorf("X-Content-Type-Options %q, Referrer-Policy %q", h.Get("X-Content-Type-Options"), h.Get("Referrer-Policy"))
			}
			if cc := h.Get("Cache-Control"); cc != "no-store" && !tt.html {
				t.Errorf("Cache-Control %q, want no-store", cc)
			}
			if tt.html {
				csp := h.Get("Content-Security-Policy")
				for _, want := range []string{"default-src 'none'", "script-src 'self'", "frame-ancestors 'none'", "base-uri 'none'"} {
					if !strings.Contains(csp, want) {
						t.Errorf("Content-Security-Policy %q lacks %s", csp, want)
					}
				}
				if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
					t.Errorf("Content-Security-Policy %q allows inline script or eval", csp)
				}
				if h.Get("X-Frame-Options") != "DENY" {
					t.Errorf("X-Frame-Options %q", h.Get("X-Frame-Options"))
				}
			}
		})
	}
	t.Run("the API port serves no metrics", func(t *testing.T) {
		if x := send(t, http.MethodGet, base+"/metrics", nil, ""); x.status != 404 {
			t.Errorf("GET /metrics on the API: %d", x.status)
		}
	})
}

// The shared APQ cache was an oracle: once one user registered a document
// with a CPR literal, another could send its hash and learn from the answer
// whether someone asked about that CPR. Registrations are per principal.
func TestAPQHashIsNoOracleBetweenPrincipals(t *testing.T) {
	s, mint := startHygieneStack(t)
	cprs := sample(t, s.demo, 2)
	asked := fmt.Sprintf(`{ citizen(cpr: %q) { name } }`, cprs[0])
	neverAsked := fmt.Sprintf(`{ citizen(cpr: %q) { name } }`, cprs[1])
	post := func(token string, body map[string]any) exchange {
		b, _ := json.Marshal(body)
		return send(t, http.MethodPost, s.GraphQL, map[string]string{"Content-Type": "application/json", "Authorization": "Bearer " + token}, string(b))
	}
	apqExt := func(doc string) map[string]any {
		return map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": trusted.Hash(doc)}}
	}
	first := mint.as(t, "gp-first", "gp", "123456")
	if x := post(first, map[string]any{"query": asked, "extensions": apqExt(asked)}); x.status != 200 || strings.Contains(x.body, errcode.PersistedQueryNotFound) {
		t.Fatalf("registration: %d %s", x.status, x.body)
	}
	if x := post(first, map[string]any{"extensions": apqExt(asked)}); strings.Contains(x.body, errcode.PersistedQueryNotFound) {
		t.Fatalf("the registering user's own hash: %s", x.body)
	}
	other := mint.as(t, "nurse-other", "municipal_nurse", "330")
	registered := post(other, map[string]any{"extensions": apqExt(asked)})
	unregistered := post(other, map[string]any{"extensions": apqExt(neverAsked)})
	if registered.status != unregistered.status || registered.body != unregistered.body {
		t.Errorf("another user tells a registered hash from an unregistered one:\n%d %s\n%d %s", registered.status, registered.body, unregistered.status, unregistered.body)
	}
	if !strings.Contains(registered.body, errcode.PersistedQueryNotFound) {
		t.Errorf("another user's answer: %d %s", registered.status, registered.body)
	}
}

func TestIntrospectionOffIsAValidationError(t *testing.T) {
	s, mint := startHygieneStack(t)
	token := mint.as(t, "intro-1", "clinician", doctorSOR)
	for _, q := range []string{
		`{ __schema { types { name } } }`,
		`{ __type(name: "Citizen") { fields { name } } }`,
		`query { ...F } fragment F on Query { __schema { queryType { name } } }`,
	} {
		r := queryAs(t, s.GraphQL, token, q, nil)
		if codeOf(r) != errcode.ValidationFailed || !strings.Contains(r.Errors[0].Message, "introspection is disabled") || (len(r.Data) > 0 && string(r.Data) != "null") {
			t.Errorf("%s: %s %+v, want GRAPHQL_VALIDATION_FAILED and no data", q, r.Data, r.Errors)
		}
	}
	if r := queryAs(t, s.GraphQL, token, `{ me { __typename role } }`, nil); len(r.Errors) > 0 {
		t.Errorf("__typename is refused: %+v", r.Errors)
	}
	if strings.Contains(s.Output.String(), `"level":"ERROR"`) {
		t.Errorf("introspection attempts logged errors:\n%s", s.Output.String())
	}
}

// The red team's request id, ten digits shaped as a CPR, reached the
// process log and the access log. Only opaque ids are kept now.
func TestACallersRequestIDReachesNoLogUnlessOpaque(t *testing.T) {
	s, mint := startHygieneStack(t)
	cpr := sample(t, s.demo, 1)[0]
	read := func(id string) string {
		x := send(t, http.MethodPost, s.GraphQL, map[string]string{"Content-Type": "application/json", "X-Request-Id": id,
			"Authorization": "Bearer " + mint.as(t, "rid-1", "clinician", doctorSOR)}, `{"query":"{ citizen(cpr: \"`+cpr+`\") { name } }"}`)
		return x.header.Get("X-Request-Id")
	}
	const cprShaped, opaque = "7607351932", "3f2504e0-4f89-41d3-9a0c-0305e82c3301"
	if got := read(cprShaped); got == cprShaped || got == "" {
		t.Errorf("the CPR-shaped id is echoed back as %q", got)
	}
	if got := read(opaque); got != opaque {
		t.Errorf("the UUID is echoed as %q, want kept", got)
	}
	ids := map[string]bool{}
	for _, r := range s.records(t, "rid-1") {
		ids[r.RequestID] = true
	}
	if ids[cprShaped] || !ids[opaque] || len(ids) != 2 {
		t.Errorf("access-log request ids %v: want the UUID and a made id, never the CPR-shaped one", ids)
	}
	if strings.Contains(s.Output.String(), cprShaped) {
		t.Error("the process log holds the CPR-shaped request id")
	}
}

// Tokens the red team's identity provider could sign.
func TestTokensTheGatewayRefuses(t *testing.T) {
	s, mint := startHygieneStack(t)
	now := time.Now()
	tests := []struct {
		name   string
		claims map[string]any
		reason string
	}{
		{"an exp a hundred years ahead", map[string]any{"exp": now.AddDate(100, 0, 0).Unix()}, "lifetime_too_long"},
		{"an iat an hour ahead", map[string]any{"iat": now.Add(time.Hour).Unix(), "exp": now.Add(2 * time.Hour).Unix()}, "not_yet_valid"},
		{"a subject with a newline", map[string]any{"sub": "doc-1\nrole=privacy_officer"}, "invalid_claims"},
		{"a subject with a right-to-left override", map[string]any{"sub": "doc-\u202e1"}, "invalid_claims"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			claims := map[string]any{"sub": "doc-1", "klynge_role": "clinician", "klynge_org": doctorSOR}
			for k, v := range tt.claims {
				claims[k] = v
			}
			r := queryAs(t, s.GraphQL, mint.sign(t, claims), `{ me { subject } }`, nil)
			if r.Status != http.StatusUnauthorized || len(r.Errors) == 0 || r.Errors[0].Extensions["reason"] != tt.reason {
				t.Errorf("status %d %+v, want 401 with reason %s", r.Status, r.Errors, tt.reason)
			}
		})
	}
}

// Operation names are the caller's text: only known ones become label
// values.
func TestOperationNamesCannotMintMetricLabels(t *testing.T) {
	s, mint := startHygieneStack(t)
	token := mint.as(t, "op-1", "clinician", doctorSOR)
	for _, name := range []string{"WhoIsAnnaJensen", "Op7607351932", "PatientContext"} {
		queryAs(t, s.GraphQL, token, "query "+name+" { me { role } }", nil)
	}
	x := send(t, http.MethodGet, s.Metrics, nil, "")
	if strings.Contains(x.body, "AnnaJensen") || strings.Contains(x.body, "7607351932") {
		t.Error("the metrics hold a caller's operation name")
	}
	if !strings.Contains(x.body, `operation="other"`) || !strings.Contains(x.body, `operation="PatientContext"`) {
		t.Errorf("the metrics lack the other and the known operation:\n%s", grepLines(x.body, "klynge_graphql_operations_total"))
	}
}

func grepLines(s, prefix string) string {
	var b bytes.Buffer
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, prefix) {
			b.WriteString(l + "\n")
		}
	}
	return b.String()
}
