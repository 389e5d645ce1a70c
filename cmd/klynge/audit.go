package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/sundhedsklynge/klynge/audit"
	"github.com/sundhedsklynge/klynge/audit/postgres"
	"github.com/sundhedsklynge/klynge/audit/sqlite"
	"github.com/sundhedsklynge/klynge/config"
)

// errLogBroken is what `klynge audit verify` returns when the log does not
// verify; the report itself is on stdout.
var errLogBroken = errors.New("the access log failed verification")

const auditUsage = "usage: klynge audit verify [-config FILE | -sqlite PATH | -postgres DSN] [-key-file FILE] [-previous-key-file FILE]... [-checkpoints FILE]... [-unkeyed-through N]"

// runAudit runs `klynge audit verify`: it checks the access log's sealed
// chain, its grant register and its checkpoints, and names the first thing
// that is wrong.
func runAudit(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "verify" {
		return usageError{auditUsage}
	}
	fs := flag.NewFlagSet("audit verify", flag.ContinueOnError)
	cfgPath := fs.String("config", "", "configuration `file` whose audit section names the log, its keys and its checkpoint file")
	sqlitePath := fs.String("sqlite", "", "the SQLite log `file`")
	dsn := fs.String("postgres", "", "PostgreSQL connection string (`DSN`) of the log")
	keyFile := fs.String("key-file", "", "the chain key's `file` (default: KLYNGE_AUDIT_CHAINKEY, or the configuration's)")
	var previous, checkpoints stringList
	fs.Var(&previous, "previous-key-file", "an earlier chain key's `file`, for records sealed before a rotation (repeatable)")
	fs.Var(&checkpoints, "checkpoints", "a checkpoint `file` the log must agree with (repeatable; the configured one is read too)")
	unkeyed := fs.Int64("unkeyed-through", 0, "accept records 1 to `N` sealed without a key (a log written before chain keys)")
	if err := parseFlags(fs, args[1:], stderr); err != nil {
		return err
	}
	a, err := auditSection(*cfgPath, *sqlitePath, *dsn)
	if err != nil {
		return err
	}
	if *keyFile != "" {
		a.ChainKey, a.ChainKeyFile = "", *keyFile
	}
	a.PreviousChainKeyFiles = append(a.PreviousChainKeyFiles, previous...)
	if a.CheckpointFile != "" {
		checkpoints = append(stringList{a.CheckpointFile}, checkpoints...)
	}
	keys, err := chainKeys(a)
	if err != nil {
		return err
	}
	opts := audit.VerifyOptions{UnkeyedThrough: *unkeyed}
	for _, f := range checkpoints {
		cps, err := audit.ReadCheckpoints(f)
		if err != nil {
			return err
		}
		opts.Checkpoints = append(opts.Checkpoints, cps...)
	}
	log, where, err := openAuditForVerify(ctx, a, keys)
	if err != nil {
		return err
	}
	defer log.Close()
	rep, err := log.VerifyWith(ctx, opts)
	if err != nil {
		return err
	}
	printVerifyReport(stdout, where, rep, checkpoints)
	if !rep.OK {
		return errLogBroken
	}
	return nil
}

// auditSection is the audit section to verify: the configuration's, or
// one naming the log given by flag (its key from KLYNGE_AUDIT_CHAINKEY).
func auditSection(cfgPath, sqlitePath, dsn string) (config.Audit, error) {
	given := 0
	for _, s := range []string{cfgPath, sqlitePath, dsn} {
		if s != "" {
			given++
		}
	}
	if given != 1 {
		return config.Audit{}, usageError{"give exactly one of -config, -sqlite and -postgres"}
	}
	if cfgPath != "" {
		cfg, err := config.Load(cfgPath, os.Environ())
		if err != nil {
			return config.Audit{}, err
		}
		return cfg.Audit, nil
	}
	return config.Audit{SQLite: sqlitePath, Postgres: dsn, ChainKey: os.Getenv(config.EnvPrefix + "AUDIT_CHAINKEY")}, nil
}

func printVerifyReport(w io.Writer, where string, rep audit.VerifyReport, checkpoints []string) {
	switch {
	case rep.OK:
		fmt.Fprintf(w, "access log %s: OK\n", where)
	case rep.BrokenGrant != 0:
		fmt.Fprintf(w, "access log %s: BROKEN at break-the-glass grant %d: %s\n", where, rep.BrokenGrant, rep.Problem)
	case rep.FirstBroken != 0:
		fmt.Fprintf(w, "access log %s: BROKEN at record %d: %s\n", where, rep.FirstBroken, rep.Problem)
	default:
		fmt.Fprintf(w, "access log %s: BROKEN: %s\n", where, rep.Problem)
	}
	fmt.Fprintf(w, "records checked: %d\n", rep.Records)
	fmt.Fprintf(w, "break-the-glass grants checked: %d\n", rep.Grants)
	if len(checkpoints) == 0 {
		fmt.Fprintln(w, "checkpoints checked: none given (records cut off the end together with the head would go unnoticed)")
	} else {
		fmt.Fprintf(w, "checkpoints checked: %d, from %v\n", rep.Checkpoints, checkpoints)
	}
	if rep.OK {
		fmt.Fprintf(w, "chain head: record %d, hash %s\n", rep.HeadSeq, rep.HeadHash)
	}
}

// openAuditForVerify opens an existing log. A SQLite path that does not
// exist is an error: opening would create an empty log that verifies.
func openAuditForVerify(ctx context.Context, a config.Audit, keys *audit.Keys) (*audit.Log, string, error) {
	opts := audit.Options{Keys: keys}
	if a.Postgres != "" {
		l, err := postgres.Open(ctx, a.Postgres, opts)
		return l, "(PostgreSQL)", err
	}
	if _, err := os.Stat(a.SQLite); err != nil {
		return nil, "", fmt.Errorf("audit log %s: %w", a.SQLite, err)
	}
	l, err := sqlite.Open(ctx, a.SQLite, opts)
	return l, a.SQLite, err
}
