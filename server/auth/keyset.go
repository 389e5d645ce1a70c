package auth

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// maxKeySetBytes bounds a JWKS response.
const maxKeySetBytes = 1 << 20

// keySet is the issuer's JSON Web Key Set as an oidc.KeySet. Unlike
// go-oidc's RemoteKeySet, which fetches the set again for every token whose
// key it does not know, it fetches at most once per minRefresh, so that a
// stream of forged tokens with made-up key ids cannot turn the gateway into
// a load generator against the identity provider. It also fetches when the
// cached set is older than maxAge, so that retired keys stop verifying.
type keySet struct {
	url        string
	client     *http.Client
	now        func() time.Time
	minRefresh time.Duration
	maxAge     time.Duration
	log        *slog.Logger

	mu      sync.RWMutex
	keys    []jose.JSONWebKey
	fetched time.Time // when keys were fetched; zero before the first success

	fetchMu     sync.Mutex // one fetch at a time
	lastAttempt time.Time
}

// fetchFailure lets VerifySignature tell Authenticate that it failed
// because the keys could not be fetched: go-oidc wraps the key set's error
// as text, so the type would not survive.
type fetchFailureKey struct{}

type fetchFailure struct{ err error }

// VerifySignature implements oidc.KeySet. go-oidc has already checked the
// algorithm against the allowed list before calling it.
func (s *keySet) VerifySignature(ctx context.Context, raw string) ([]byte, error) {
	jws, err := jose.ParseSigned(raw, allowedAlgorithms)
	if err != nil {
		return nil, fmt.Errorf("malformed jwt: %w", err)
	}
	if len(jws.Signatures) != 1 {
		return nil, errors.New("want exactly one signature")
	}
	kid := jws.Signatures[0].Header.KeyID

	keys, fetched := s.cached()
	if !fetched.IsZero() && s.now().Sub(fetched) < s.maxAge {
		if payload, ok := verifyWith(jws, keys, kid); ok {
			return payload, nil
		}
	}
	keys, err = s.refresh(ctx, fetched)
	if err != nil {
		if f, ok := ctx.Value(fetchFailureKey{}).(*fetchFailure); ok {
			f.err = err
		}
		return nil, err
	}
	if payload, ok := verifyWith(jws, keys, kid); ok {
		return payload, nil
	}
	if kid != "" && !hasKeyID(keys, kid) {
		return nil, errUnknownKeyID
	}
	return nil, errors.New("no key of the issuer verifies the signature")
}

// errUnknownKeyID is a token whose key id the issuer does not publish,
// even after a fetch: its keys were rotated, or it restarted (a klynge
// sandbox makes a new key at every start). go-oidc wraps it as text, so
// classify matches its message.
var errUnknownKeyID = errors.New("the issuer publishes no key with the token's key id")

func hasKeyID(keys []jose.JSONWebKey, kid string) bool {
	for _, k := range keys {
		if k.KeyID == kid {
			return true
		}
	}
	return false
}

func (s *keySet) cached() ([]jose.JSONWebKey, time.Time) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.keys, s.fetched
}

// refresh fetches the key set unless another caller did since seen, or the
// last attempt was less than minRefresh ago; then it returns what is cached.
// Stale keys are kept when a fetch fails: a short outage of the identity
// provider should not log everyone out. It fails only when there are no
// keys at all.
func (s *keySet) refresh(ctx context.Context, seen time.Time) ([]jose.JSONWebKey, error) {
	s.fetchMu.Lock()
	defer s.fetchMu.Unlock()
	keys, fetched := s.cached()
	if fetched.After(seen) {
		return keys, nil
	}
	now := s.now()
	if !s.lastAttempt.IsZero() && now.Sub(s.lastAttempt) < s.minRefresh {
		if keys == nil {
			return nil, errKeysUnavailable
		}
		return keys, nil
	}
	s.lastAttempt = now
	fresh, err := s.fetch(ctx)
	if err != nil {
		s.log.Warn("auth: fetching the issuer's key set failed", "error", err, "cached_keys", len(keys))
		if keys == nil {
			return nil, fmt.Errorf("%w: %v", errKeysUnavailable, err)
		}
		return keys, nil
	}
	s.mu.Lock()
	s.keys, s.fetched = fresh, now
	s.mu.Unlock()
	return fresh, nil
}

func (s *keySet) fetch(ctx context.Context) ([]jose.JSONWebKey, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxKeySetBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read key set: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("key set answered %s", resp.Status)
	}
	if len(body) > maxKeySetBytes {
		return nil, fmt.Errorf("key set larger than %d bytes", maxKeySetBytes)
	}
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(body, &set); err != nil {
		return nil, fmt.Errorf("decode key set: %w", err)
	}
	var keys []jose.JSONWebKey
	for _, raw := range set.Keys {
		var k jose.JSONWebKey
		if err := k.UnmarshalJSON(raw); err != nil {
			continue // a key type we do not use must not hide the others
		}
		if usableSigningKey(k) {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return nil, errors.New("key set has no usable public signing key")
	}
	return keys, nil
}

// usableSigningKey admits public asymmetric keys meant for signatures. A
// symmetric key in a key set would let anyone who reads the set sign
// tokens; a private one means the set leaks.
func usableSigningKey(k jose.JSONWebKey) bool {
	if k.Use != "" && k.Use != "sig" {
		return false
	}
	switch k.Key.(type) {
	case *ecdsa.PublicKey, *rsa.PublicKey, ed25519.PublicKey:
		return true
	}
	return false
}

func verifyWith(jws *jose.JSONWebSignature, keys []jose.JSONWebKey, kid string) ([]byte, bool) {
	for i := range keys {
		k := &keys[i]
		if kid != "" && k.KeyID != kid {
			continue
		}
		if payload, err := jws.Verify(k); err == nil {
			return payload, true
		}
	}
	return nil, false
}
