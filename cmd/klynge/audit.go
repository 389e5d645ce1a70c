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

// errLogBroken is what `klynge audit verify` returns when the chain does
// not verify; the report itself is on stdout.
var errLogBroken = errors.New("the access log failed verification")

// runAudit runs `klynge audit verify`: it checks the access log's hash
// chain and names the first broken record.
func runAudit(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "verify" {
		return usageError{"usage: klynge audit verify [-config FILE | -sqlite PATH | -postgres DSN]"}
	}
	fs := flag.NewFlagSet("audit verify", flag.ContinueOnError)
	cfgPath := fs.String("config", "", "configuration `file` whose audit section names the log")
	sqlitePath := fs.String("sqlite", "", "the SQLite log `file`")
	dsn := fs.String("postgres", "", "PostgreSQL connection string (`DSN`) of the log")
	if err := parseFlags(fs, args[1:], stderr); err != nil {
		return err
	}
	given := 0
	for _, s := range []string{*cfgPath, *sqlitePath, *dsn} {
		if s != "" {
			given++
		}
	}
	if given != 1 {
		return usageError{"give exactly one of -config, -sqlite and -postgres"}
	}
	if *cfgPath != "" {
		cfg, err := config.Load(*cfgPath, os.Environ())
		if err != nil {
			return err
		}
		*sqlitePath, *dsn = cfg.Audit.SQLite, cfg.Audit.Postgres
	}
	log, where, err := openAuditForVerify(ctx, *sqlitePath, *dsn)
	if err != nil {
		return err
	}
	defer log.Close()
	rep, err := log.Verify(ctx)
	if err != nil {
		return err
	}
	if !rep.OK {
		fmt.Fprintf(stdout, "access log %s: BROKEN at record %d: %s\n", where, rep.FirstBroken, rep.Problem)
		fmt.Fprintf(stdout, "records checked: %d\n", rep.Records)
		return errLogBroken
	}
	fmt.Fprintf(stdout, "access log %s: OK\n", where)
	fmt.Fprintf(stdout, "records checked: %d\n", rep.Records)
	fmt.Fprintf(stdout, "chain head: record %d, hash %s\n", rep.HeadSeq, rep.HeadHash)
	fmt.Fprintln(stdout, "(keep the chain head somewhere the database's administrators cannot write; a later verify can then detect a rewritten log)")
	return nil
}

// openAuditForVerify opens an existing log. A SQLite path that does not
// exist is an error: opening would create an empty log that verifies.
func openAuditForVerify(ctx context.Context, sqlitePath, dsn string) (*audit.Log, string, error) {
	if dsn != "" {
		l, err := postgres.Open(ctx, dsn, audit.Options{})
		return l, "(PostgreSQL)", err
	}
	if _, err := os.Stat(sqlitePath); err != nil {
		return nil, "", fmt.Errorf("audit log %s: %w", sqlitePath, err)
	}
	l, err := sqlite.Open(ctx, sqlitePath, audit.Options{})
	return l, sqlitePath, err
}
