package oidc

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"sync"

	jose "github.com/go-jose/go-jose/v4"
)

// signingAlg is the one algorithm the issuer signs with.
const signingAlg = jose.ES256

// keyRing holds the current signing key and the one before it. Tokens
// signed before a rotation stay verifiable while the previous key is
// published; a second rotation retires it.
type keyRing struct {
	mu       sync.RWMutex
	current  signingKey
	previous *signingKey
}

type signingKey struct {
	id     string
	signer jose.Signer
	public jose.JSONWebKey
}

func newKeyRing() (*keyRing, error) {
	k, err := newSigningKey()
	if err != nil {
		return nil, err
	}
	return &keyRing{current: k}, nil
}

func newSigningKey() (signingKey, error) {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return signingKey{}, fmt.Errorf("oidc: generate signing key: %w", err)
	}
	pub := jose.JSONWebKey{Key: &priv.PublicKey, Algorithm: string(signingAlg), Use: "sig"}
	thumb, err := pub.Thumbprint(crypto.SHA256)
	if err != nil {
		return signingKey{}, fmt.Errorf("oidc: key thumbprint: %w", err)
	}
	// The RFC 7638 thumbprint as key id: unique per key, and a verifier
	// meeting an unknown one knows to fetch the key set again.
	pub.KeyID = base64.RawURLEncoding.EncodeToString(thumb[:12])
	signer, err := jose.NewSigner(
		jose.SigningKey{Algorithm: signingAlg, Key: jose.JSONWebKey{Key: priv, KeyID: pub.KeyID}},
		(&jose.SignerOptions{}).WithType("JWT"),
	)
	if err != nil {
		return signingKey{}, fmt.Errorf("oidc: signer: %w", err)
	}
	return signingKey{id: pub.KeyID, signer: signer, public: pub}, nil
}

// rotate makes a new current key and keeps the old one published.
func (r *keyRing) rotate() (signingKey, error) {
	k, err := newSigningKey()
	if err != nil {
		return signingKey{}, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	prev := r.current
	r.previous = &prev
	r.current = k
	return k, nil
}

func (r *keyRing) signing() signingKey {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.current
}

// published is the key set verifiers fetch: current first.
func (r *keyRing) published() jose.JSONWebKeySet {
	r.mu.RLock()
	defer r.mu.RUnlock()
	set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{r.current.public}}
	if r.previous != nil {
		set.Keys = append(set.Keys, r.previous.public)
	}
	return set
}
