package auth

import (
	"crypto/sha256"
	"slices"
	"sync"
	"time"

	"github.com/sundhedsklynge/klynge/access"
)

// maxVerifiedTokens bounds the tokens remembered as verified. A client
// keeps one token for its lifetime, so this is the number of clients
// active within a token's lifetime that are spared a signature check.
const maxVerifiedTokens = 4096

// verifiedTokens remembers the tokens whose signature and claims were
// checked, so that the next request with the same token skips the
// signature check (an ECDSA or RSA verification, the larger part of
// authenticating). A token is remembered by the SHA-256 of its bytes, not
// the bytes: a memory dump must not hand out bearer tokens.
//
// A remembered token is good only with the key set it was verified with
// (fetched at the same time, and younger than KeyMaxAge: a retired key
// stops verifying when the set is fetched again, remembered or not), and
// only within its lifetime as Authenticate checks it (exp with the clock
// skew, iat not ahead). Anything else is checked again from the start.
type verifiedTokens struct {
	mu     sync.RWMutex
	tokens map[[sha256.Size]byte]verifiedToken
}

type verifiedToken struct {
	principal access.Principal
	issuedAt  time.Time // zero without iat
	expiry    time.Time
	keysAt    time.Time // when the key set that verified it was fetched
}

func tokenKey(raw string) [sha256.Size]byte { return sha256.Sum256([]byte(raw)) }

// get returns the principal of a token verified with the key set fetched at
// keysAt, if it is still within its lifetime at now.
func (v *verifiedTokens) get(key [sha256.Size]byte, keysAt, now time.Time, skew, keyMaxAge time.Duration) (access.Principal, time.Time, bool) {
	v.mu.RLock()
	t, ok := v.tokens[key]
	v.mu.RUnlock()
	if !ok || !t.keysAt.Equal(keysAt) || now.Sub(keysAt) >= keyMaxAge ||
		now.Add(-skew).After(t.expiry) || (!t.issuedAt.IsZero() && t.issuedAt.After(now.Add(skew))) {
		return access.Principal{}, time.Time{}, false
	}
	p := t.principal
	p.Clusters = slices.Clone(p.Clusters) // each request owns its principal
	return p, t.expiry, true
}

// put remembers a verified token. When full, it first forgets the expired
// tokens, then, if none was, an arbitrary one (Go's map iteration order).
func (v *verifiedTokens) put(key [sha256.Size]byte, t verifiedToken, now time.Time, skew time.Duration) {
	t.principal.Clusters = slices.Clone(t.principal.Clusters)
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.tokens == nil {
		v.tokens = make(map[[sha256.Size]byte]verifiedToken)
	}
	if _, ok := v.tokens[key]; !ok && len(v.tokens) >= maxVerifiedTokens {
		for k, old := range v.tokens {
			if now.Add(-skew).After(old.expiry) {
				delete(v.tokens, k)
			}
		}
		for k := range v.tokens {
			if len(v.tokens) < maxVerifiedTokens {
				break
			}
			delete(v.tokens, k)
		}
	}
	v.tokens[key] = t
}

// len is the number of remembered tokens.
func (v *verifiedTokens) len() int {
	v.mu.RLock()
	defer v.mu.RUnlock()
	return len(v.tokens)
}
