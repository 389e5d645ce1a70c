package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/sundhedsklynge/klynge/sandbox/controls"
	"github.com/sundhedsklynge/klynge/sandbox/oidc"
)

// runToken fetches a demo token from a running sandbox's development issuer
// and prints it, so that `TOKEN=$(klynge token clinician-slagelse)` works.
// Without a client id it lists the demo clients.
func runToken(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("token", flag.ContinueOnError)
	sandboxURL := fs.String("sandbox", defaultSandboxURL, "base `URL` of a running sandbox (klynge demo or klynge sandbox)")
	citizen := fs.Bool("citizen", false, "print a CPR the client may read (no break-the-glass), instead of a token")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: klynge token [-sandbox URL] [-citizen] [client-id]")
		fmt.Fprintln(stderr, "Prints a demo access token for client-id (or, with -citizen, a CPR it may read), or lists the demo clients.")
		fs.PrintDefaults()
	}
	client, err := parseFlagsAroundOneArg(fs, args, stderr)
	if err != nil {
		return err
	}
	base := strings.TrimRight(*sandboxURL, "/")
	if u, err := url.Parse(base); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return usageError{fmt.Sprintf("-sandbox %q: must be an absolute http(s) URL", *sandboxURL)}
	}
	hc := &http.Client{Timeout: 10 * time.Second}
	if client == "" {
		return listDemoClients(ctx, hc, base, tokenCommand(invokedAs(), base), stdout)
	}
	if *citizen {
		return printReadableCitizen(ctx, hc, base, client, stdout)
	}
	token, err := fetchDemoToken(ctx, hc, base, client)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, token)
	return nil
}

// parseFlagsAroundOneArg parses flags that may come before or after one
// optional positional argument.
func parseFlagsAroundOneArg(fs *flag.FlagSet, args []string, stderr io.Writer) (string, error) {
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return "", err
		}
		return "", usageError{err.Error()}
	}
	if fs.NArg() == 0 {
		return "", nil
	}
	arg := fs.Arg(0)
	if err := parseFlags(fs, fs.Args()[1:], stderr); err != nil {
		return "", err
	}
	return arg, nil
}

func fetchDemoToken(ctx context.Context, hc *http.Client, base, client string) (string, error) {
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {client}, "client_secret": {oidc.ClientSecret}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/oidc/token", strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := hc.Do(req)
	if err != nil {
		return "", fmt.Errorf("no sandbox answers at %s (start one with 'klynge demo'): %w", base, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return "", fmt.Errorf("read the token response: %w", err)
	}
	var out struct {
		AccessToken string `json:"access_token"`
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	if err := json.Unmarshal(body, &out); err != nil {
		return "", fmt.Errorf("%s/oidc/token answered %s, not a token (is %s a klynge sandbox?)", base, resp.Status, base)
	}
	if resp.StatusCode != http.StatusOK || out.AccessToken == "" {
		return "", fmt.Errorf("client %q: %s: %s (run '%s' to list the demo clients)", client, out.Error, out.Description, tokenCommand(invokedAs(), base))
	}
	return out.AccessToken, nil
}

// tryCitizens is how many citizens the listing suggests per client.
const tryCitizens = 3

func listDemoClients(ctx context.Context, hc *http.Client, base, command string, stdout io.Writer) error {
	var out struct {
		Clients []oidc.Client `json:"clients"`
	}
	if err := getSandboxJSON(ctx, hc, base, "/oidc/clients", &out); err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CLIENT\tROLE\tORGANISATION\tCITIZENS IT MAY READ (a sample)")
	for _, c := range out.Clients {
		org := c.Organization
		if c.OrganizationName != "" {
			org += " (" + c.OrganizationName + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", c.ID, c.Role, strings.TrimSpace(org), strings.Join(readableSample(ctx, hc, base, c), " "))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\nEvery secret is %q. Get a token with:\n  %s <client>\n", oidc.ClientSecret, command)
	fmt.Fprintf(stdout, "More citizens a client may read (without break-the-glass), optionally with=discharge, care, outofhours or referral:\n  curl '%s/_sandbox/citizens?sample=10&for=<client>'\n", base)
	return nil
}

// printReadableCitizen prints one citizen the client may read, for
// CPR=$(klynge token -citizen clinician-slagelse).
func printReadableCitizen(ctx context.Context, hc *http.Client, base, client string, stdout io.Writer) error {
	var sample controls.Citizens
	path := "/_sandbox/citizens?sample=1&for=" + url.QueryEscape(client)
	if err := getSandboxJSON(ctx, hc, base, path, &sample); err != nil {
		return fmt.Errorf("%w (run '%s' to list the demo clients)", err, tokenCommand(invokedAs(), base))
	}
	if len(sample.Citizens) == 0 {
		return fmt.Errorf("client %q may read no citizen at the sandbox's present", client)
	}
	fmt.Fprintln(stdout, sample.Citizens[0].CPR)
	return nil
}

// readableSample is a few citizens the client may read, from the sandbox's
// per-client sample; integrators and privacy officers read none by CPR.
func readableSample(ctx context.Context, hc *http.Client, base string, c oidc.Client) []string {
	var sample controls.Citizens
	path := fmt.Sprintf("/_sandbox/citizens?sample=%d&for=%s", tryCitizens, url.QueryEscape(c.ID))
	if err := getSandboxJSON(ctx, hc, base, path, &sample); err != nil {
		if c.ExampleCitizen != "" {
			return []string{c.ExampleCitizen}
		}
		return []string{"-"}
	}
	out := []string{}
	if c.ExampleCitizen != "" {
		out = append(out, c.ExampleCitizen)
	}
	for _, s := range sample.Citizens {
		if len(out) < tryCitizens && !slices.Contains(out, s.CPR) {
			out = append(out, s.CPR)
		}
	}
	if len(out) == 0 {
		return []string{"- (no citizen by CPR)"}
	}
	return out
}

func getSandboxJSON(ctx context.Context, hc *http.Client, base, path string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
	if err != nil {
		return err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("no sandbox answers at %s (start one with 'klynge demo'): %w", base, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		var e controls.Error
		if json.NewDecoder(io.LimitReader(resp.Body, 1<<16)).Decode(&e) == nil && e.Message != "" {
			return fmt.Errorf("%s%s answered %s: %s", base, path, resp.Status, e.Message)
		}
		return fmt.Errorf("%s%s answered %s", base, path, resp.Status)
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(v); err != nil {
		return fmt.Errorf("decode %s%s: %w", base, path, err)
	}
	return nil
}

// defaultSandboxURL is where `klynge token` looks unless -sandbox says
// otherwise: the sandbox `klynge demo` starts by default.
const defaultSandboxURL = "http://127.0.0.1:8081"

// invokedAs is how the user ran this binary, as tokenCommand wants it.
func invokedAs() string {
	if len(os.Args) == 0 {
		return "klynge"
	}
	return os.Args[0]
}

// tokenCommand is the exact command that gets a token from the sandbox at
// base, as the user would type it: `go run ./cmd/klynge token` when the
// binary was built by go run (it lives in a go-build temporary directory),
// the path they typed when it has one (./klynge), else `klynge token`; with
// -sandbox when base is not the default.
func tokenCommand(argv0, base string) string {
	slashed := filepath.ToSlash(argv0)
	cmd := "klynge"
	switch {
	case strings.Contains(slashed, "/go-build") && strings.Contains(slashed, "/exe/"):
		cmd = "go run ./cmd/klynge"
	case filepath.Base(argv0) == "klynge" && strings.Contains(slashed, "/"):
		cmd = argv0
	}
	cmd += " token"
	if base != defaultSandboxURL {
		cmd += " -sandbox " + base
	}
	return cmd
}

// printTokenHint tells a demo's user how to get a token for the playground.
func printTokenHint(w io.Writer, sandboxURL string) {
	cmd := tokenCommand(invokedAs(), sandboxURL)
	fmt.Fprintf(w, "tokens:       %s clinician-slagelse   (%s lists every demo client; or the playground's Demo tokens panel)\n", cmd, cmd)
}
