package audit_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"go.uber.org/goleak"

	"github.com/sundhedsklynge/klynge/audit"
	"github.com/sundhedsklynge/klynge/audit/postgres"
	"github.com/sundhedsklynge/klynge/audit/sqlite"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// postgresDSNVar names the database the PostgreSQL store is tested against;
// scripts/postgres-start.sh prints it.
const postgresDSNVar = "KLYNGE_TEST_POSTGRES_DSN"

// testStore is one kind of store under test. fresh makes a new, empty
// database for one test.
type testStore struct {
	name  string
	fresh func(t testing.TB) *testDB
}

func stores() []testStore {
	return []testStore{
		{name: "sqlite", fresh: freshSQLite},
		{name: "postgres", fresh: freshPostgres},
	}
}

// eachStore runs test once per store, as a parallel subtest named after it.
func eachStore(t *testing.T, test func(t *testing.T, db *testDB)) {
	t.Helper()
	for _, s := range stores() {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			test(t, s.fresh(t))
		})
	}
}

// testDB is one database holding one log. It can open any number of Logs on
// it (as a restarted process or another replica would) and run SQL on it
// with full rights, as an administrator (or an attacker) could.
type testDB struct {
	kind string
	// location is where the log lives: the SQLite file or the PostgreSQL
	// DSN, so that another process can open it.
	location string
	open     func(ctx context.Context, opts audit.Options) (*audit.Log, error)
	// exec runs SQL outside the log; args use ? for sqlite, $n for postgres.
	exec func(ctx context.Context, query string, args ...any) error
	// queryInt reads one integer.
	queryInt func(ctx context.Context, query string, args ...any) (int64, error)
	// holdWriteLock makes every writer of the log wait until release.
	holdWriteLock func(ctx context.Context) (release func(), err error)
	// openReadOnly opens a Log on the database through a session that
	// cannot write (nil where the store has no such session).
	openReadOnly func(ctx context.Context) (*audit.Log, error)
}

// openLog opens a Log on db and closes it when the test ends.
func (db *testDB) openLog(t testing.TB, opts audit.Options) *audit.Log {
	t.Helper()
	l, err := db.open(context.Background(), opts)
	if err != nil {
		t.Fatalf("open %s log: %v", db.kind, err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

func (db *testDB) mustExec(t testing.TB, query string, args ...any) {
	t.Helper()
	if err := db.exec(context.Background(), query, args...); err != nil {
		t.Fatalf("exec %q: %v", query, err)
	}
}

// sql picks the statement for this store.
func (db *testDB) sql(sqlite, postgres string) string {
	if db.kind == "sqlite" {
		return sqlite
	}
	return postgres
}

// dropAppendOnlyGuards removes the triggers that refuse edits, as someone
// with full rights on the database could before tampering.
func (db *testDB) dropAppendOnlyGuards(t testing.TB) {
	t.Helper()
	if db.kind == "sqlite" {
		for _, tr := range []string{"audit_records_no_update", "audit_records_no_delete", "audit_chain_head_forward_only",
			"audit_chain_head_no_delete", "audit_break_glass_grants_terms_fixed", "audit_break_glass_grants_no_delete"} {
			db.mustExec(t, "DROP TRIGGER "+tr)
		}
		return
	}
	db.mustExec(t, "DROP TRIGGER audit_records_append_only ON audit_records")
	db.mustExec(t, "DROP TRIGGER audit_chain_head_forward_only ON audit_chain_head")
	db.mustExec(t, "DROP TRIGGER audit_chain_head_no_delete ON audit_chain_head")
	db.mustExec(t, "DROP TRIGGER audit_break_glass_grants_terms_fixed ON audit_break_glass_grants")
	db.mustExec(t, "DROP TRIGGER audit_break_glass_grants_no_delete ON audit_break_glass_grants")
}

// refuseInserts makes the database reject every new record, as a full or
// broken disk would; the returned func lifts that again.
func (db *testDB) refuseInserts(t testing.TB) (lift func()) {
	t.Helper()
	if db.kind == "sqlite" {
		db.mustExec(t, `CREATE TRIGGER test_refuse_insert BEFORE INSERT ON audit_records
			BEGIN SELECT RAISE(ABORT, 'disk I/O error (simulated)'); END`)
		return func() { db.mustExec(t, "DROP TRIGGER test_refuse_insert") }
	}
	db.mustExec(t, `CREATE FUNCTION test_refuse_insert() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN RAISE EXCEPTION 'could not write (simulated)'; END $$`)
	db.mustExec(t, `CREATE TRIGGER test_refuse_insert BEFORE INSERT ON audit_records
		FOR EACH ROW EXECUTE FUNCTION test_refuse_insert()`)
	return func() { db.mustExec(t, "DROP TRIGGER test_refuse_insert ON audit_records") }
}

func freshSQLite(t testing.TB) *testDB {
	path := filepath.Join(t.TempDir(), "audit.db")
	// The outside connection waits as long as the log would for a lock.
	outside, err := sql.Open("sqlite", path+"?_busy_timeout=30000&_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	outside.SetMaxOpenConns(1)
	t.Cleanup(func() { outside.Close() })
	return &testDB{
		kind:     "sqlite",
		location: path,
		open: func(ctx context.Context, opts audit.Options) (*audit.Log, error) {
			return sqlite.Open(ctx, path, withTestKeys(opts))
		},
		exec: func(ctx context.Context, query string, args ...any) error {
			_, err := outside.ExecContext(ctx, query, args...)
			return err
		},
		queryInt: func(ctx context.Context, query string, args ...any) (int64, error) {
			var n int64
			err := outside.QueryRowContext(ctx, query, args...).Scan(&n)
			return n, err
		},
		holdWriteLock: func(ctx context.Context) (func(), error) {
			tx, err := outside.BeginTx(ctx, nil) // BEGIN IMMEDIATE
			if err != nil {
				return nil, err
			}
			return func() { tx.Rollback() }, nil
		},
	}
}

func freshPostgres(t testing.TB) *testDB {
	dsn := os.Getenv(postgresDSNVar)
	if dsn == "" {
		t.Skipf("PostgreSQL store not tested: %s is not set (eval \"$(scripts/postgres-start.sh)\" starts a server and sets it)", postgresDSNVar)
	}
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("connect to %s: %v", postgresDSNVar, err)
	}
	var b [6]byte
	rand.Read(b[:])
	schema := "audit_test_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		admin.Close(ctx)
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		admin.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
		admin.Close(context.Background())
	})
	logDSN := withParam(t, dsn, "search_path", schema)
	outside, err := pgxpool.New(ctx, logDSN)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(outside.Close)
	return &testDB{
		kind:     "postgres",
		location: logDSN,
		open: func(ctx context.Context, opts audit.Options) (*audit.Log, error) {
			return postgres.Open(ctx, logDSN, withTestKeys(opts))
		},
		exec: func(ctx context.Context, query string, args ...any) error {
			_, err := outside.Exec(ctx, query, args...)
			return err
		},
		queryInt: func(ctx context.Context, query string, args ...any) (int64, error) {
			var n int64
			err := outside.QueryRow(ctx, query, args...).Scan(&n)
			return n, err
		},
		holdWriteLock: func(ctx context.Context) (func(), error) {
			tx, err := outside.Begin(ctx)
			if err != nil {
				return nil, err
			}
			if _, err := tx.Exec(ctx, "SELECT 1 FROM audit_chain_head WHERE id = 1 FOR UPDATE"); err != nil {
				tx.Rollback(ctx)
				return nil, err
			}
			return func() { tx.Rollback(context.Background()) }, nil
		},
		openReadOnly: func(ctx context.Context) (*audit.Log, error) {
			return postgres.Open(ctx, withParam(t, logDSN, "default_transaction_read_only", "on"), withTestKeys(audit.Options{}))
		},
	}
}

// testKeys are the chain keys of every log the tests open, unless a test
// gives its own: a key for tests only, kept outside the database as a
// deployment keeps its own.
var testKeys = mustKeys("klynge-audit-test-key-0123456789abcdef")

func mustKeys(current string, previous ...string) *audit.Keys {
	prev := make([][]byte, len(previous))
	for i, p := range previous {
		prev[i] = []byte(p)
	}
	ks, err := audit.NewKeys([]byte(current), prev...)
	if err != nil {
		panic(err)
	}
	return ks
}

func withTestKeys(opts audit.Options) audit.Options {
	if opts.Keys == nil {
		opts.Keys = testKeys
	}
	return opts
}

// withParam adds a run-time parameter to a URL or keyword/value DSN.
func withParam(t testing.TB, dsn, key, value string) string {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			t.Fatalf("%s is not a valid URL", postgresDSNVar)
		}
		q := u.Query()
		q.Set(key, value)
		u.RawQuery = q.Encode()
		return u.String()
	}
	return dsn + " " + key + "=" + value
}
