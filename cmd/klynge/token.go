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
	"strings"
	"text/tabwriter"
	"time"

	"github.com/sundhedsklynge/klynge/sandbox/oidc"
)

// runToken fetches a demo token from a running sandbox's development issuer
// and prints it, so that `TOKEN=$(klynge token clinician-slagelse)` works.
// Without a client id it lists the demo clients.
func runToken(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("token", flag.ContinueOnError)
	sandboxURL := fs.String("sandbox", "http://127.0.0.1:8081", "base `URL` of a running sandbox (klynge demo or klynge sandbox)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: klynge token [-sandbox URL] [client-id]")
		fmt.Fprintln(stderr, "Prints a demo access token for client-id, or lists the demo clients.")
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
		return listDemoClients(ctx, hc, base, stdout)
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
		return "", fmt.Errorf("client %q: %s: %s (run 'klynge token' to list the demo clients)", client, out.Error, out.Description)
	}
	return out.AccessToken, nil
}

func listDemoClients(ctx context.Context, hc *http.Client, base string, stdout io.Writer) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/oidc/clients", nil)
	if err != nil {
		return err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("no sandbox answers at %s (start one with 'klynge demo'): %w", base, err)
	}
	defer resp.Body.Close()
	var out struct {
		Clients []oidc.Client `json:"clients"`
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s/oidc/clients answered %s", base, resp.Status)
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&out); err != nil {
		return fmt.Errorf("decode the demo clients: %w", err)
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CLIENT\tROLE\tORGANISATION\tTRY CITIZEN")
	for _, c := range out.Clients {
		org := c.Organization
		if c.OrganizationName != "" {
			org += " (" + c.OrganizationName + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", c.ID, c.Role, strings.TrimSpace(org), c.ExampleCitizen)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "\nEvery secret is \"demo\". Get a token with: klynge token <client>")
	return nil
}

// printTokenHint tells a demo's user how to get a token for the playground.
func printTokenHint(w io.Writer, sandboxURL string) {
	cmd := "klynge token"
	if sandboxURL != "http://127.0.0.1:8081" {
		cmd += " -sandbox " + sandboxURL
	}
	fmt.Fprintf(w, "tokens:       %s clinician-slagelse   (%s lists every demo client; paste the token in the playground's headers)\n", cmd, cmd)
}
