package audit

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
)

// MinChainKey is the fewest bytes a chain key may have.
const MinChainKey = 32

// ChainKey is a secret the log seals records, grants and checkpoints with
// (HMAC-SHA256). It lives outside the database (a file or an environment
// variable every gateway replica and the verifier get): whoever can write
// the database but does not hold the key cannot make a changed, added or
// reordered record verify. docs/ACCESS.md says how to keep and rotate it.
type ChainKey struct {
	id     string
	secret []byte
}

// NewChainKey returns the key secret makes, at least MinChainKey bytes.
func NewChainKey(secret []byte) (ChainKey, error) {
	if len(secret) < MinChainKey {
		return ChainKey{}, fmt.Errorf("audit: a chain key must be at least %d bytes, got %d", MinChainKey, len(secret))
	}
	k := ChainKey{secret: append([]byte(nil), secret...)}
	k.id = k.mac([]byte("klynge-audit-key-id"))[:16]
	return k, nil
}

// ID names the key in every record, grant and checkpoint it seals, so that
// a verifier picks the right one after a rotation. It is a MAC of a fixed
// text under the key: it tells nothing about the key.
func (k ChainKey) ID() string { return k.id }

func (k ChainKey) mac(b []byte) string {
	m := hmac.New(sha256.New, k.secret)
	m.Write(b)
	return hex.EncodeToString(m.Sum(nil))
}

// Keys are the chain keys a log knows: the current one, which seals
// everything written from now on, and earlier ones, which only verify what
// they sealed.
type Keys struct {
	current ChainKey
	byID    map[string]ChainKey
}

// NewKeys returns the keys with current sealing and previous (earlier keys
// of a rotation) verifying only.
func NewKeys(current []byte, previous ...[]byte) (*Keys, error) {
	c, err := NewChainKey(current)
	if err != nil {
		return nil, err
	}
	ks := &Keys{current: c, byID: map[string]ChainKey{c.id: c}}
	for i, p := range previous {
		k, err := NewChainKey(p)
		if err != nil {
			return nil, fmt.Errorf("audit: previous key %d: %w", i+1, err)
		}
		ks.byID[k.id] = k
	}
	return ks, nil
}

// Current is the key that seals.
func (ks *Keys) Current() ChainKey { return ks.current }

func (ks *Keys) lookup(id string) (ChainKey, bool) {
	k, ok := ks.byID[id]
	return k, ok
}

// errNoKeys refuses to open a log without keys.
var errNoKeys = errors.New("audit: a chain key is required (Options.Keys): the log seals every record with it")

// CheckKeys is what a store's Open returns for options without keys.
func (o Options) CheckKeys() error {
	if o.Keys == nil {
		return errNoKeys
	}
	return nil
}
