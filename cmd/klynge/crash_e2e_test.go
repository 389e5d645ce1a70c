package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/sundhedsklynge/klynge/audit"
	"github.com/sundhedsklynge/klynge/audit/postgres"
	"github.com/sundhedsklynge/klynge/audit/sqlite"
	"github.com/sundhedsklynge/klynge/domain"
)

// TestAccessLogSurvivesSIGKILL kills `klynge demo` with SIGKILL while
// clients read citizens, then checks that every response a client received
// with citizen data has its access-log record, that the chain verifies,
// and that editing or deleting a record makes `klynge audit verify` fail
// naming it. It runs on SQLite, and on PostgreSQL when
// KLYNGE_TEST_POSTGRES_DSN is set.
func TestAccessLogSurvivesSIGKILL(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "audit.db")
		k := newCrashKeys(t)
		received := readUntilKilled(t, append(k.flags(), "-audit", path)...)
		l, err := sqlite.Open(t.Context(), path, audit.Options{Keys: k.keys(t)})
		if err != nil {
			t.Fatal(err)
		}
		checkRecorded(t, l, received)
		l.Close()
		checkVerifyCommand(t, append(k.verifyFlags(), "-sqlite", path), func(stmt string) { execSQLite(t, path, stmt) })
	})
	t.Run("postgres", func(t *testing.T) {
		dsn := freshPostgresSchema(t)
		k := newCrashKeys(t)
		received := readUntilKilled(t, append(k.flags(), "-audit-postgres", dsn)...)
		l, err := postgres.Open(t.Context(), dsn, audit.Options{Keys: k.keys(t)})
		if err != nil {
			t.Fatal(err)
		}
		checkRecorded(t, l, received)
		l.Close()
		checkVerifyCommand(t, append(k.verifyFlags(), "-postgres", dsn), func(stmt string) { execPostgres(t, dsn, stmt) })
	})
}

// crashKeys are the chain key file and checkpoint file the killed demo
// writes with, so that its log can be verified after it is gone.
type crashKeys struct{ keyFile, checkpoints string }

func newCrashKeys(t *testing.T) crashKeys {
	dir := t.TempDir()
	return crashKeys{keyFile: filepath.Join(dir, "chain.key"), checkpoints: filepath.Join(dir, "checkpoints.jsonl")}
}

func (k crashKeys) flags() []string {
	return []string{"-audit-key-file", k.keyFile, "-audit-checkpoints", k.checkpoints}
}

func (k crashKeys) verifyFlags() []string {
	return []string{"-key-file", k.keyFile, "-checkpoints", k.checkpoints}
}

func (k crashKeys) keys(t *testing.T) *audit.Keys {
	t.Helper()
	secret, err := readKeyFile(k.keyFile)
	if err != nil {
		t.Fatalf("the demo made no key file: %v", err)
	}
	ks, err := audit.NewKeys(secret)
	if err != nil {
		t.Fatal(err)
	}
	return ks
}

// disclosure is one response a client received with a citizen's data.
type disclosure struct {
	requestID string
	cpr       domain.CPR
}

// readUntilKilled runs the demo as its own process with the given access-log
// flags, drives citizen reads from eight clients, kills the process with
// SIGKILL once 200 reads have been answered, and returns every answer that
// carried citizen data.
func readUntilKilled(t *testing.T, auditFlags ...string) []disclosure {
	t.Helper()
	args := append([]string{"demo", "-addr", "127.0.0.1:0", "-sandbox-addr", "127.0.0.1:0", "-metrics-addr", "127.0.0.1:0", "-break-glass-limit", "1000", "-population", "2000", "-latency", "0s", "-speed", "0", "-now", testNow(t)}, auditFlags...)
	raw, _ := json.Marshal(args)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), mainArgsEnv+"="+string(raw))
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr syncBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
	})
	d := &demo{Output: &stderr}
	sc := bufio.NewScanner(stdout)
	for d.GraphQL == "" && sc.Scan() {
		line := sc.Text()
		if v, ok := strings.CutPrefix(line, "controls:"); ok {
			d.Sandbox = strings.TrimSuffix(strings.TrimSpace(v), "/_sandbox")
		}
		if v, ok := strings.CutPrefix(line, "ready: "); ok {
			d.GraphQL = v
		}
	}
	if d.GraphQL == "" {
		t.Fatalf("demo did not start:\n%s", stderr.String())
	}
	go io.Copy(io.Discard, stdout)
	cprs := sampleAndBreakGlass(t, d, 40, "care") // opens them to the default client by break-the-glass
	token := bearerFor(d.GraphQL)

	var (
		mu       sync.Mutex
		received []disclosure
		answered atomic.Int64
		killed   = make(chan struct{})
		wg       sync.WaitGroup
	)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	client := &http.Client{Timeout: 10 * time.Second}
	for c := range 8 {
		wg.Go(func() {
			for i := 0; ctx.Err() == nil; i++ {
				cpr := cprs[(c*7+i)%len(cprs)]
				// An opaque id (requestid.Acceptable), so that the gateway keeps it.
				id := fmt.Sprintf("%08x-0000-4000-8000-%012x", c, i)
				if name, ok := readCitizen(ctx, client, d.GraphQL, token, id, cpr); ok && name != "" {
					mu.Lock()
					received = append(received, disclosure{requestID: id, cpr: domain.CPR(cpr)})
					mu.Unlock()
					if answered.Add(1) == 200 {
						close(killed)
					}
				}
			}
		})
	}
	select {
	case <-killed:
	case <-time.After(60 * time.Second):
		t.Fatalf("200 reads not answered within 60s:\n%s", stderr.String())
	}
	if err := cmd.Process.Kill(); err != nil { // SIGKILL: no shutdown, no flush
		t.Fatal(err)
	}
	<-exited
	exited <- nil // for the cleanup
	cancel()
	wg.Wait()
	t.Logf("%d reads answered before SIGKILL", len(received))
	assertLogsClean(t, d.GraphQL, stderr.String())
	return received
}

// readCitizen asks for one citizen's name with a known request id; ok is
// true only for a complete 200 answer with data.
func readCitizen(ctx context.Context, c *http.Client, graphqlURL, token, requestID, cpr string) (string, bool) {
	body, _ := json.Marshal(map[string]any{
		"query":     `query($cpr: CPR!) { citizen(cpr: $cpr) { name hospitalEncounters { totalCount } } }`,
		"variables": map[string]any{"cpr": cpr},
	})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, graphqlURL, bytes.NewReader(body))
	if err != nil {
		return "", false
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("X-Request-Id", requestID)
	resp, err := c.Do(req)
	if err != nil {
		return "", false
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		return "", false
	}
	var out struct {
		Data struct {
			Citizen *struct{ Name string }
		}
	}
	if json.Unmarshal(raw, &out) != nil || out.Data.Citizen == nil {
		return "", false
	}
	return out.Data.Citizen.Name, true
}

// checkRecorded: the chain verifies and every received disclosure has an
// allowed record with its request id.
func checkRecorded(t *testing.T, l *audit.Log, received []disclosure) {
	t.Helper()
	rep, err := l.Verify(t.Context())
	if err != nil || !rep.OK {
		t.Fatalf("Verify after SIGKILL = %+v, %v", rep, err)
	}
	byCitizen := map[domain.CPR]map[string]bool{}
	for _, d := range received {
		if byCitizen[d.cpr] != nil {
			continue
		}
		ids := map[string]bool{}
		before := int64(0)
		for {
			recs, err := l.Query(t.Context(), audit.Query{Citizen: d.cpr, Before: before, First: audit.MaxQueryFirst})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range recs {
				if r.Outcome == audit.OutcomeAllowed {
					ids[r.RequestID] = true
				}
			}
			if len(recs) < audit.MaxQueryFirst {
				break
			}
			before = recs[len(recs)-1].Seq
		}
		byCitizen[d.cpr] = ids
	}
	missing := 0
	for _, d := range received {
		if !byCitizen[d.cpr][d.requestID] {
			missing++
			t.Errorf("response %s disclosed a citizen's data but has no access-log record", d.requestID)
		}
	}
	t.Logf("%d of %d received disclosures have their record; chain of %d records verifies", len(received)-missing, len(received), rep.Records)
}

// checkVerifyCommand: `klynge audit verify` passes, then names a record
// edited behind the log's back, then one deleted.
func checkVerifyCommand(t *testing.T, where []string, exec func(stmt string)) {
	t.Helper()
	verify := func() (int, string) {
		code, out, errOut := run(t, append([]string{"audit", "verify"}, where...)...)
		return code, out + errOut
	}
	if code, out := verify(); code != 0 || !strings.Contains(out, "OK") {
		t.Fatalf("verify after SIGKILL: exit %d\n%s", code, out)
	}
	exec("UPDATE audit_records SET reason = 'nothing happened' WHERE seq = 7")
	if code, out := verify(); code != 1 || !strings.Contains(out, "BROKEN at record 7") {
		t.Fatalf("verify after editing record 7: exit %d\n%s", code, out)
	}
	exec("DELETE FROM audit_records WHERE seq = 7")
	if code, out := verify(); code != 1 || !strings.Contains(out, "record 7 is missing") {
		t.Fatalf("verify after deleting record 7: exit %d\n%s", code, out)
	}
}

// execSQLite runs stmt on the log's file with full rights, dropping the
// append-only triggers first, as an administrator could.
func execSQLite(t *testing.T, path, stmt string) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, s := range []string{"DROP TRIGGER IF EXISTS audit_records_no_update", "DROP TRIGGER IF EXISTS audit_records_no_delete",
		"DROP TRIGGER IF EXISTS audit_chain_head_forward_only", stmt} {
		if _, err := db.ExecContext(t.Context(), s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

func execPostgres(t *testing.T, dsn, stmt string) {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	for _, s := range []string{"DROP TRIGGER IF EXISTS audit_records_append_only ON audit_records", stmt} {
		if _, err := conn.Exec(t.Context(), s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// freshPostgresSchema returns a DSN whose search_path is a new, empty schema
// in the test server, dropped when the test ends; it skips without
// KLYNGE_TEST_POSTGRES_DSN (scripts/postgres-start.sh prints it).
func freshPostgresSchema(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv("KLYNGE_TEST_POSTGRES_DSN")
	if dsn == "" {
		t.Skip("PostgreSQL not tested: KLYNGE_TEST_POSTGRES_DSN is not set (eval \"$(scripts/postgres-start.sh)\")")
	}
	admin, err := pgx.Connect(t.Context(), dsn)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	var b [6]byte
	rand.Read(b[:])
	schema := "klynge_e2e_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec(t.Context(), "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		admin.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
		admin.Close(context.Background())
	})
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			t.Fatal(err)
		}
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		return u.String()
	}
	return dsn + " search_path=" + schema
}
