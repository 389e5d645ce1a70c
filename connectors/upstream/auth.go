package upstream

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"
)

// bearerToken supplies the Authorization token of one upstream: a fixed
// string, or a file re-read whenever its modification time or size changes
// (a rotated token file is picked up without a restart).
type bearerToken struct {
	static string
	file   string

	mu      sync.Mutex
	cached  string
	modTime time.Time
	size    int64
}

func newBearerToken(a Auth, system string) (*bearerToken, error) {
	t := &bearerToken{static: a.BearerToken, file: a.BearerTokenFile}
	if t.file != "" {
		if _, err := t.token(); err != nil {
			return nil, fmt.Errorf("upstream %s: Auth.BearerTokenFile: %w", system, err)
		}
	}
	return t, nil
}

// token returns the current token, "" when none is configured.
func (t *bearerToken) token() (string, error) {
	if t.file == "" {
		return t.static, nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	info, err := os.Stat(t.file)
	if err != nil {
		// Mid-rotation the file may be briefly missing: keep the last token.
		if t.cached != "" {
			return t.cached, nil
		}
		return "", err
	}
	if t.cached != "" && info.ModTime().Equal(t.modTime) && info.Size() == t.size {
		return t.cached, nil
	}
	raw, err := os.ReadFile(t.file)
	if err != nil {
		return "", err
	}
	tok := strings.TrimSpace(string(raw))
	if tok == "" || strings.ContainsAny(tok, "\r\n") {
		return "", errors.New("must hold one non-empty line")
	}
	t.cached, t.modTime, t.size = tok, info.ModTime(), info.Size()
	return tok, nil
}
