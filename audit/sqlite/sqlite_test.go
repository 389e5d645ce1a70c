package sqlite

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/sundhedsklynge/klynge/audit"
)

func TestCommitsAreDurableOnReturn(t *testing.T) {
	s, err := openStore(context.Background(), filepath.Join(t.TempDir(), "audit.db"), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for pragma, want := range map[string]string{"journal_mode": "wal", "synchronous": "2"} {
		var got string
		err := s.writer.QueryRowContext(context.Background(), "PRAGMA "+pragma).Scan(&got)
		if err != nil || got != want {
			t.Errorf("PRAGMA %s = %q, %v; want %q", pragma, got, err, want)
		}
	}
}

func TestOpenRefusesANonDurablePath(t *testing.T) {
	for _, path := range []string{"", ":memory:", "file::memory:", "/tmp/a?mode=memory"} {
		if l, err := Open(context.Background(), path, audit.Options{}); err == nil {
			l.Close()
			t.Errorf("Open(%q) succeeded", path)
		}
	}
}
