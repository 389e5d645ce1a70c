package main

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// chromium finds Debian's Chromium (installed by .ci/run); without it the
// browser tests skip, or fail in CI.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("Chromium is not installed (apt-get install chromium)")
	}
	t.Skip("Chromium is not installed (apt-get install chromium)")
	return ""
}

// headlessChromium starts Chromium that can reach nothing but loopback:
// every other host name resolves to nothing. The flags are those that work
// on a machine without internet (no background networking, no component
// updates, no sync).
func headlessChromium(t *testing.T) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium(t)),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost"),
		chromedp.WindowSize(1400, 900),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancel(); cancelAlloc() })
	return ctx
}

// gatewayCSP is the gateway's base URL, after checking that the gateway
// itself sends the page the strictest script policy a deployment could
// set: script-src 'self', no inline script, no eval, no framing; the page
// may connect to itself and to the demo's issuer.
func gatewayCSP(t *testing.T, gatewayURL, issuerOrigin string) string {
	t.Helper()
	resp, err := http.Get(gatewayURL + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	csp := resp.Header.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "script-src 'self';", "connect-src 'self' " + issuerOrigin + ";", "frame-ancestors 'none'"} {
		if !strings.Contains(csp, want) {
			t.Fatalf("the playground's Content-Security-Policy %q lacks %q", csp, want)
		}
	}
	return gatewayURL
}

// TestPlaygroundWorksOfflineWithATokenFromThePage opens the demo's
// playground in headless Chromium that can reach only loopback, under the
// strict Content-Security-Policy the gateway sends: the page loads from the binary, a token
// for clinician-slagelse comes from the page's Demo tokens panel, Docs then
// show the schema (fetched with that token), and the README's first query,
// with the citizen the panel suggests, returns data.
func TestPlaygroundWorksOfflineWithATokenFromThePage(t *testing.T) {
	ctx := headlessChromium(t)
	t.Cleanup(func() { screenshotOnFailure(t, ctx) })
	d := startDemo(t)
	base := gatewayCSP(t, strings.TrimSuffix(d.GraphQL, "/graphql"), d.Sandbox)

	var mu sync.Mutex
	var requested, problems []string
	err := chromedp.Listen(ctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch ev := ev.(type) {
		case *network.EventRequestWillBeSent:
			requested = append(requested, ev.Request.URL)
		case *runtime.EventExceptionThrown:
			problems = append(problems, "exception: "+ev.ExceptionDetails.Text)
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError {
				var parts []string
				for _, a := range ev.Args {
					parts = append(parts, string(a.Value)+a.Description)
				}
				problems = append(problems, "console.error: "+strings.Join(parts, " "))
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(ctx,
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			if _, err := cdp.Call(ctx, tg, network.Enable, network.EnableParams{}); err != nil {
				return err
			}
			// Recorded by a script the DevTools protocol injects, which the
			// page's policy does not govern.
			_, err := cdp.Call(ctx, tg, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
				Source: `window.__csp = []; document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));`,
			})
			return err
		}),
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.CSS(`.graphiql-container`)),
		// The Demo tokens panel is open: get a token for the default client.
		chromedp.WaitReady(chromedp.CSS(`#klynge-client option[value="clinician-slagelse"]`)),
		chromedp.Click(chromedp.ID(`klynge-get-token`)),
		chromedp.WaitVisible(chromedp.Search(`//p[@id="klynge-token-status" and contains(., "Token for clinician-slagelse")]`)),
		chromedp.Click(chromedp.ID(`klynge-use-citizen`)),
	)
	if err != nil {
		t.Fatalf("get a token in the page: %v\nproblems: %v", err, problems)
	}

	// Docs show the schema, fetched with the token.
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`button[aria-label="Show Documentation Explorer"]`)),
		chromedp.Click(chromedp.Search(`//a[contains(@class, "graphiql-doc-explorer-type-name") and text()="Query"]`)),
		chromedp.WaitVisible(chromedp.Search(`//a[contains(@class, "graphiql-doc-explorer-field-name") and text()="citizen"]`)),
	)
	if err != nil {
		t.Fatalf("Docs: %v\nproblems: %v", err, problems)
	}
	docs, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`.graphiql-doc-explorer`)))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"citizen", "cluster", "One citizen's cross-sector context"} {
		if !strings.Contains(docs, want) {
			t.Errorf("Docs lack %q:\n%.600s", want, docs)
		}
	}

	// The README's first query, with the variables the panel filled in.
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, rest, _ := strings.Cut(string(readme), "```graphql\n")
	example, _, _ := strings.Cut(rest, "```")
	err = chromedp.Do(ctx,
		chromedp.Evaluate[chromedp.Void](`document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror.setValue(`+jsString(example)+`)`),
		chromedp.Click(chromedp.CSS(`.graphiql-execute-button`)),
	)
	if err != nil {
		t.Fatalf("run the README query: %v\nproblems: %v", err, problems)
	}
	response, err := chromedp.Run(ctx, chromedp.Poll[string](`(() => { const v = document.querySelector('.graphiql-response .CodeMirror').CodeMirror.getValue(); return v.includes('"sources"') || v.includes('"errors"') ? v : null; })()`, chromedp.WithPollingTimeout(30*time.Second)))
	if err != nil {
		t.Fatalf("the README query's answer: %v\nproblems: %v", err, problems)
	}
	cspViolations, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`window.__csp`))
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Data struct {
			Citizen *struct {
				Name    string
				Sources []struct{ Ok bool }
			}
		}
		Errors []gqlError
	}
	if err := json.Unmarshal([]byte(response), &got); err != nil {
		t.Fatalf("response pane is not JSON: %v\n%s", err, response)
	}
	if len(got.Errors) > 0 || got.Data.Citizen == nil || got.Data.Citizen.Name == "" || len(got.Data.Citizen.Sources) != 4 {
		t.Fatalf("the README query in the playground answered:\n%s", response)
	}

	mu.Lock()
	defer mu.Unlock()
	if len(cspViolations) > 0 {
		t.Errorf("Content-Security-Policy violations: %v", cspViolations)
	}
	if len(problems) > 0 {
		t.Errorf("the page reported: %v", problems)
	}
	for _, u := range requested {
		if !loopbackOrData(u) {
			t.Errorf("the page asked %s, beyond loopback", u)
		}
	}
	if !anyHasPrefix(requested, base+"/playground/") || !anyHasPrefix(requested, d.Sandbox+"/oidc/token") {
		t.Errorf("requests %v: want the embedded assets and the issuer's token endpoint", requested)
	}
}

// screenshotOnFailure saves what the browser showed when the test failed,
// into the folder KLYNGE_TEST_SCREENSHOTS names (if any).
func screenshotOnFailure(t *testing.T, ctx context.Context) {
	dir := os.Getenv("KLYNGE_TEST_SCREENSHOTS")
	if !t.Failed() || dir == "" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Logf("screenshot: %v", err)
		return
	}
	name := filepath.Join(dir, strings.ReplaceAll(t.Name(), "/", "_")+".png")
	if err := os.WriteFile(name, png, 0o644); err == nil {
		t.Logf("screenshot: %s", name)
	}
}

func loopbackOrData(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	if u.Scheme == "data" || u.Scheme == "blob" {
		return true
	}
	ip := net.ParseIP(u.Hostname())
	return u.Hostname() == "localhost" || (ip != nil && ip.IsLoopback())
}

func anyHasPrefix(list []string, prefix string) bool {
	for _, s := range list {
		if strings.HasPrefix(s, prefix) {
			return true
		}
	}
	return false
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
