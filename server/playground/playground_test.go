package playground

import (
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

func get(t *testing.T, h http.Handler, path string) *http.Response {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec.Result()
}

func body(t *testing.T, r *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestPageHasNoInlineScript: every script comes from the gateway itself, so
// a Content-Security-Policy of script-src 'self' holds, and the settings
// travel in escaped data attributes.
func TestPageHasNoInlineScript(t *testing.T) {
	h := Handler(Options{
		Headers:     map[string]string{"Authorization": `Bearer <a token from "https://idp.example">`},
		TokenIssuer: "http://127.0.0.1:8081/oidc/",
	})
	resp := get(t, h, "/")
	page := body(t, resp)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET /: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if resp.Header.Get("Cache-Control") != "no-cache" {
		t.Errorf("the page may be cached: %q", resp.Header.Get("Cache-Control"))
	}
	scripts := regexp.MustCompile(`<script[^>]*>`).FindAllString(page, -1)
	if len(scripts) != 1 || !strings.Contains(scripts[0], `src="/playground/playground.`) {
		t.Errorf("scripts %q: want exactly one, from /playground/", scripts)
	}
	if strings.Contains(page, "<style") || strings.Contains(page, " style=") || regexp.MustCompile(` on[a-z]+=`).MatchString(page) {
		t.Error("the page has inline style or event handlers")
	}
	for _, want := range []string{
		`data-endpoint="/graphql"`,
		`data-token-issuer="http://127.0.0.1:8081/oidc"`,
		`&#34;Authorization&#34;: &#34;Bearer \u003ca token from \&#34;https://idp.example\&#34;\u003e&#34;`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %s:\n%s", want, page)
		}
	}
}

func TestWithoutIssuerThereIsNoTokenPanel(t *testing.T) {
	page := body(t, get(t, Handler(Options{}), "/"))
	if strings.Contains(page, "data-token-issuer") || !strings.Contains(page, `data-headers="{}"`) {
		t.Fatalf("page:\n%s", page)
	}
}

// TestAssetsAreServedFromTheBinary: the page's script and style are served
// with their content hash in the name, so they may be cached for good.
func TestAssetsAreServedFromTheBinary(t *testing.T) {
	h := Handler(Options{})
	page := body(t, get(t, h, "/"))
	for _, m := range []struct{ pattern, contentType, contains string }{
		{`src="(/playground/playground\.[0-9a-f]{12}\.js)"`, "text/javascript; charset=utf-8", "klynge-playground"},
		{`href="(/playground/playground\.[0-9a-f]{12}\.css)"`, "text/css; charset=utf-8", ".graphiql-container"},
	} {
		found := regexp.MustCompile(m.pattern).FindStringSubmatch(page)
		if found == nil {
			t.Fatalf("page has no %s", m.pattern)
		}
		resp := get(t, h, found[1])
		b := body(t, resp)
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != m.contentType ||
			!strings.Contains(resp.Header.Get("Cache-Control"), "immutable") || !strings.Contains(b, m.contains) {
			t.Errorf("GET %s: %d %v (%d bytes)", found[1], resp.StatusCode, resp.Header, len(b))
		}
	}
	if resp := get(t, h, "/playground/playground.000000000000.js"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("an unknown asset: %d", resp.StatusCode)
	}
}
