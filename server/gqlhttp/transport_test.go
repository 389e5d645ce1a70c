package gqlhttp_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql/handler"

	"github.com/sundhedsklynge/klynge/internal/schematest"
	"github.com/sundhedsklynge/klynge/server/gqlhttp"
)

type answer struct {
	status      int
	contentType string
	allow       string
	body        map[string]json.RawMessage
}

func (a answer) code() string {
	var errs []struct {
		Extensions struct{ Code string } `json:"extensions"`
	}
	_ = json.Unmarshal(a.body["errors"], &errs)
	if len(errs) == 0 {
		return ""
	}
	return errs[0].Extensions.Code
}

func start(t *testing.T, tr gqlhttp.Transport) (*httptest.Server, *schematest.Executable) {
	t.Helper()
	es := schematest.New()
	srv := handler.New(es)
	srv.AddTransport(tr)
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return ts, es
}

func send(t *testing.T, method, u, contentType, accept, body string) answer {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	a := answer{status: resp.StatusCode, contentType: resp.Header.Get("Content-Type"), allow: resp.Header.Get("Allow")}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &a.body); err != nil {
			t.Fatalf("%s %s: body is not a JSON object: %s", method, u, raw)
		}
	}
	return a
}

const (
	gqlResp = gqlhttp.MediaGraphQLResponse
	appJSON = gqlhttp.MediaJSON
)

func TestTransportFollowsGraphQLOverHTTP(t *testing.T) {
	ts, es := start(t, gqlhttp.Transport{MaxBodyBytes: 4096})
	get := func(params url.Values) string { return ts.URL + "?" + params.Encode() }
	cases := []struct {
		name        string
		method, url string
		contentType string
		accept      string
		body        string
		status      int
		media       string
		code        string
		dataPresent bool
		executed    bool
		allow       string
	}{
		{name: "a POSTed query runs and answers application/json by default",
			method: "POST", contentType: appJSON, body: `{"query":"{ version }"}`,
			status: 200, media: appJSON, dataPresent: true, executed: true},
		{name: "graphql-response+json is chosen when the client prefers it",
			method: "POST", contentType: appJSON, accept: "application/graphql-response+json, application/json;q=0.9", body: `{"query":"{ version }"}`,
			status: 200, media: gqlResp, dataPresent: true, executed: true},
		{name: "a parse error is 200 without data under application/json",
			method: "POST", contentType: appJSON, accept: appJSON, body: `{"query":"{"}`,
			status: 200, media: appJSON, code: "GRAPHQL_PARSE_FAILED"},
		{name: "a parse error is 400 without data under graphql-response+json",
			method: "POST", contentType: appJSON, accept: gqlResp, body: `{"query":"{"}`,
			status: 400, media: gqlResp, code: "GRAPHQL_PARSE_FAILED"},
		{name: "a validation error is 400 without data under graphql-response+json",
			method: "POST", contentType: appJSON, accept: gqlResp, body: `{"query":"{ nope }"}`,
			status: 400, media: gqlResp, code: "GRAPHQL_VALIDATION_FAILED"},
		{name: "a variable that does not coerce is 400 under graphql-response+json",
			method: "POST", contentType: appJSON, accept: gqlResp, body: `{"query":"query($id: Int!){ find: version }","variables":{"id":null}}`,
			status: 400, media: gqlResp, code: "GRAPHQL_VALIDATION_FAILED"},
		{name: "a GET query runs",
			method: "GET", url: get(url.Values{"query": {"{ version }"}}),
			status: 200, media: appJSON, dataPresent: true, executed: true},
		{name: "GET variables are URL-encoded JSON",
			method: "GET", url: get(url.Values{"query": {"query($c: CPR!){ citizen(cpr: $c) { cpr } }"}, "variables": {`{"c":"0101011234"}`}}),
			status: 200, media: appJSON, dataPresent: true, executed: true},
		{name: "a mutation over GET is 405 with Allow: POST and does not run",
			method: "GET", url: get(url.Values{"query": {`mutation { note(text: "x") }`}}), accept: gqlResp,
			status: 405, media: gqlResp, code: "METHOD_NOT_ALLOWED", allow: "POST"},
		{name: "a mutation named by operationName over GET is 405",
			method: "GET", url: get(url.Values{"query": {`query Q { version } mutation M { note(text: "x") }`}, "operationName": {"M"}}),
			status: 405, media: appJSON, code: "METHOD_NOT_ALLOWED", allow: "POST"},
		{name: "PUT is 405 with the allowed methods",
			method: "PUT", contentType: appJSON, body: `{"query":"{ version }"}`,
			status: 405, media: appJSON, code: "METHOD_NOT_ALLOWED", allow: "GET, POST, OPTIONS"},
		{name: "a POST without Content-Type is 415",
			method: "POST", body: `{"query":"{ version }"}`,
			status: 415, media: appJSON, code: "UNSUPPORTED_MEDIA_TYPE"},
		{name: "a text/plain POST (a form a browser could send) is 415",
			method: "POST", contentType: "text/plain", body: `{"query":"{ version }"}`,
			status: 415, media: appJSON, code: "UNSUPPORTED_MEDIA_TYPE"},
		{name: "a body in another charset is 415",
			method: "POST", contentType: "application/json; charset=latin1", body: `{"query":"{ version }"}`,
			status: 415, media: appJSON, code: "UNSUPPORTED_MEDIA_TYPE"},
		{name: "an Accept the server cannot satisfy is 406",
			method: "POST", contentType: appJSON, accept: "text/html", body: `{"query":"{ version }"}`,
			status: 406, media: appJSON, code: "NOT_ACCEPTABLE"},
		{name: "a batch is refused whole and nothing runs",
			method: "POST", contentType: appJSON, body: `[{"query":"{ version }"},{"query":"{ version }"}]`,
			status: 400, media: appJSON, code: "BATCH_NOT_SUPPORTED"},
		{name: "an empty body is 400",
			method: "POST", contentType: appJSON,
			status: 400, media: appJSON, code: "BAD_REQUEST"},
		{name: "malformed JSON is 400",
			method: "POST", contentType: appJSON, body: `{ "not a JSON`,
			status: 400, media: appJSON, code: "BAD_REQUEST"},
		{name: "a missing query is 400",
			method: "POST", contentType: appJSON, body: `{"qeury":"{ version }"}`,
			status: 400, media: appJSON, code: "BAD_REQUEST"},
		{name: "a query that is not a string is 400",
			method: "POST", contentType: appJSON, body: `{"query":{"obj":"ect"}}`,
			status: 400, media: appJSON, code: "BAD_REQUEST"},
		{name: "variables that are not an object are 400",
			method: "POST", contentType: appJSON, body: `{"query":"{ version }","variables":"string"}`,
			status: 400, media: appJSON, code: "BAD_REQUEST"},
		{name: "extensions that are not an object are 400",
			method: "POST", contentType: appJSON, body: `{"query":"{ version }","extensions":["array"]}`,
			status: 400, media: appJSON, code: "BAD_REQUEST"},
		{name: "null parameters are as good as absent",
			method: "POST", contentType: appJSON, accept: gqlResp, body: `{"query":"{ version }","variables":null,"operationName":null,"extensions":null}`,
			status: 200, media: gqlResp, dataPresent: true, executed: true},
		{name: "two JSON values in one body are 400",
			method: "POST", contentType: appJSON, body: `{"query":"{ version }"}{"query":"{ version }"}`,
			status: 400, media: appJSON, code: "BAD_REQUEST"},
		{name: "a body over the limit is 413 and is not read",
			method: "POST", contentType: appJSON, body: `{"query":"{ version }","variables":{"pad":"` + strings.Repeat("x", 5000) + `"}}`,
			status: 413, media: appJSON, code: "REQUEST_TOO_LARGE"},
		{name: "OPTIONS lists the methods",
			method: "OPTIONS", status: 204, allow: "GET, POST, OPTIONS"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := es.Executions.Load()
			u := tc.url
			if u == "" {
				u = ts.URL
			}
			a := send(t, tc.method, u, tc.contentType, tc.accept, tc.body)
			if a.status != tc.status {
				t.Fatalf("status %d, want %d; body %s", a.status, tc.status, a.body)
			}
			if tc.media != "" && !strings.HasPrefix(a.contentType, tc.media) {
				t.Errorf("Content-Type %q, want %s", a.contentType, tc.media)
			}
			if tc.media != "" && !strings.Contains(a.contentType, "charset=utf-8") {
				t.Errorf("Content-Type %q does not say utf-8", a.contentType)
			}
			if got := a.code(); got != tc.code {
				t.Errorf("code %q, want %q", got, tc.code)
			}
			if _, ok := a.body["data"]; ok != tc.dataPresent {
				t.Errorf("data present = %v, want %v (body %s)", ok, tc.dataPresent, a.body)
			}
			if ran := es.Executions.Load() > before; ran != tc.executed {
				t.Errorf("executed = %v, want %v", ran, tc.executed)
			}
			if a.allow != tc.allow {
				t.Errorf("Allow %q, want %q", a.allow, tc.allow)
			}
		})
	}
}

func TestNegotiate(t *testing.T) {
	cases := []struct {
		accept string
		want   string
		ok     bool
	}{
		{"", appJSON, true},
		{"*/*", appJSON, true},
		{"application/*", appJSON, true},
		{"application/json", appJSON, true},
		{"application/graphql-response+json", gqlResp, true},
		{"application/graphql-response+json, application/json;q=0.9", gqlResp, true},
		{"application/json, application/graphql-response+json", appJSON, true},
		{"application/json;q=0.5, application/graphql-response+json", gqlResp, true},
		{"text/html,application/xhtml+xml,*/*;q=0.8", appJSON, true},
		{"application/graphql-response+json;q=0", "", false},
		{"text/html", "", false},
		{"garbage;;;", "", false},
	}
	for _, tc := range cases {
		got, ok := gqlhttp.Negotiate(tc.accept)
		if got != tc.want || ok != tc.ok {
			t.Errorf("Negotiate(%q) = %q, %v; want %q, %v", tc.accept, got, ok, tc.want, tc.ok)
		}
	}
}
