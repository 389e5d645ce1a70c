package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime/debug"
)

// version is set at build time with -ldflags "-X main.version=..."; builds
// without it report the module version or "dev".
var version = ""

func buildVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

const usage = `klynge — one GraphQL graph over a health cluster's systems

Usage:
  klynge demo     [flags]   sandbox and gateway in one process, no configuration
  klynge serve    [flags]   the gateway, wired to the upstreams in a configuration file
  klynge sandbox  [flags]   the simulated upstream systems alone
  klynge bench    [flags]   measure latency, throughput and upstream requests per operation
  klynge upstreams check [-probe]  what the FHIR server supports and what klynge falls back from
  klynge schema             print the GraphQL schema (SDL)
  klynge token    [client]  print a demo access token from a running sandbox (no client: list them)
  klynge audit verify       check the access log's hash chain; name the first broken record
  klynge version            print the version

Run 'klynge <command> -h' for a command's flags.
`

// Main runs one subcommand and returns the process exit code: 0 on success,
// 2 for usage errors, 1 for everything else.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "demo":
		err = runDemo(ctx, args[1:], stdout, stderr)
	case "serve":
		err = runServe(ctx, args[1:], stdout, stderr)
	case "sandbox":
		err = runSandbox(ctx, args[1:], stdout, stderr)
	case "schema":
		err = runSchema(args[1:], stdout)
	case "bench":
		err = runBench(ctx, args[1:], stdout, stderr)
	case "upstreams":
		err = runUpstreams(ctx, args[1:], stdout, stderr)
	case "token":
		err = runToken(ctx, args[1:], stdout, stderr)
	case "audit":
		err = runAudit(ctx, args[1:], stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "klynge", buildVersion())
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
	default:
		fmt.Fprintf(stderr, "klynge: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, new(usageError)):
		fmt.Fprintf(stderr, "klynge %s: %v\n", args[0], err)
		return 2
	default:
		fmt.Fprintf(stderr, "klynge %s: %v\n", args[0], err)
		return 1
	}
}

// usageError is a mistake in the command line.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// parseFlags parses a subcommand's flags, turning flag errors into usage
// errors (the flag package already printed the details).
func parseFlags(fs *flag.FlagSet, args []string, stderr io.Writer) error {
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	}
	return nil
}
