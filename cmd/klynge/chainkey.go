package main

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/sundhedsklynge/klynge/audit"
	"github.com/sundhedsklynge/klynge/config"
)

// errNoChainKey is what serve says without a chain key.
var errNoChainKey = errors.New("audit.chainKeyFile (or KLYNGE_AUDIT_CHAINKEY) is required: the access log is sealed with a key kept outside its database; " +
	"make one with `head -c 48 /dev/urandom | base64 > /etc/klynge/audit-chain.key` (docs/ACCESS.md#keys)")

// chainKeys reads the audit section's chain keys: the current one (given
// or in a file) and the previous ones, which only verify.
func chainKeys(a config.Audit) (*audit.Keys, error) {
	current := []byte(a.ChainKey)
	if a.ChainKeyFile != "" {
		var err error
		if current, err = readKeyFile(a.ChainKeyFile); err != nil {
			return nil, fmt.Errorf("audit.chainKeyFile: %w", err)
		}
	}
	if len(current) == 0 {
		return nil, errNoChainKey
	}
	var previous [][]byte
	for _, f := range a.PreviousChainKeyFiles {
		k, err := readKeyFile(f)
		if err != nil {
			return nil, fmt.Errorf("audit.previousChainKeyFiles: %w", err)
		}
		previous = append(previous, k)
	}
	ks, err := audit.NewKeys(current, previous...)
	if err != nil {
		return nil, fmt.Errorf("audit chain key: %w", err)
	}
	return ks, nil
}

// readKeyFile reads a key: the file's first line, surrounding spaces
// removed. The key is used as it is written (base64 text of random bytes
// is fine), so that the same file works on every replica and for verify.
func readKeyFile(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	line, _, _ := strings.Cut(string(b), "\n")
	line = strings.TrimSpace(line)
	if len(line) < audit.MinChainKey {
		return nil, fmt.Errorf("%s: the key must be at least %d bytes, got %d", path, audit.MinChainKey, len(line))
	}
	return []byte(line), nil
}

// newChainKey makes a random key (48 bytes, base64): the demo's, or one
// written to a key file that did not exist.
func newChainKey() string {
	var b [48]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	return base64.StdEncoding.EncodeToString(b[:])
}
