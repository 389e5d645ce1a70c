package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/sundhedsklynge/klynge/sandbox/oidc"
)

// defaultClient is whose token the e2e tests send unless they say
// otherwise: a GP, whose relationship check reads only the patient index,
// which every citizen query reads anyway, so tests that count upstream
// requests count the same with access control as without. Citizens a test
// samples are opened to it by break-the-glass (grantGlass).
const defaultClient = oidc.ClientGP

// demoTokens maps a gateway's /graphql URL to the default token query and
// postRaw send there.
var demoTokens sync.Map

// bearerFor is the default token for a gateway, or "".
func bearerFor(graphqlURL string) string {
	v, _ := demoTokens.Load(graphqlURL)
	s, _ := v.(string)
	return s
}

// useDefaultToken fetches the default client's token from the sandbox's
// issuer (once per gateway) so that every request to d carries it.
func useDefaultToken(t testing.TB, d *demo) {
	t.Helper()
	if bearerFor(d.GraphQL) != "" {
		return
	}
	demoTokens.Store(d.GraphQL, demoToken(t, d.Sandbox, defaultClient))
	t.Cleanup(func() { demoTokens.Delete(d.GraphQL) })
}

// demoToken fetches a token for a demo client from the sandbox at base.
func demoToken(t testing.TB, base, client string) string {
	t.Helper()
	resp, err := http.PostForm(base+"/oidc/token", url.Values{
		"grant_type": {"client_credentials"}, "client_id": {client}, "client_secret": {oidc.ClientSecret},
	})
	if err != nil {
		t.Fatalf("token for %s: %v", client, err)
	}
	defer resp.Body.Close()
	var out struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out.AccessToken == "" {
		t.Fatalf("token for %s: status %d, %v", client, resp.StatusCode, err)
	}
	return out.AccessToken
}

// demoClients lists the sandbox's demo clients.
func demoClients(t testing.TB, base string) map[string]oidc.Client {
	t.Helper()
	resp, err := http.Get(base + "/oidc/clients")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Clients []oidc.Client `json:"clients"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	m := map[string]oidc.Client{}
	for _, c := range out.Clients {
		m[c.ID] = c
	}
	return m
}

// grantGlass breaks the glass as the default client for every CPR, so that
// tests about the graph (not about access) may read the citizens they
// sample. Twenty grants go in one request, within the root-field limit.
func grantGlass(t testing.TB, d *demo, cprs []string) {
	t.Helper()
	useDefaultToken(t, d)
	const perRequest = 20
	for start := 0; start < len(cprs); start += perRequest {
		var b strings.Builder
		b.WriteString("mutation {")
		for i, cpr := range cprs[start:min(start+perRequest, len(cprs))] {
			fmt.Fprintf(&b, ` g%d: breakGlass(cpr: %q, reason: "end-to-end test reads a sampled citizen") { id }`, i, cpr)
		}
		b.WriteString(" }")
		r := query(t, d.GraphQL, b.String(), nil)
		if len(r.Errors) > 0 {
			t.Fatalf("break the glass for the sample: %+v", r.Errors)
		}
	}
}

// queryAs POSTs a GraphQL request with the given bearer token ("" for
// none) and decodes the answer.
func queryAs(t testing.TB, graphqlURL, token, q string, vars map[string]any) gqlResponse {
	t.Helper()
	body, err := json.Marshal(map[string]any{"query": q, "variables": vars})
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, graphqlURL, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", graphqlURL, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	noteIdentifiers(graphqlURL, vars, raw)
	out := gqlResponse{Status: resp.StatusCode}
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("response is not JSON (status %d): %s", resp.StatusCode, raw)
	}
	return out
}
