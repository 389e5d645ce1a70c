package auth

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/sundhedsklynge/klynge/errcode"
	"github.com/sundhedsklynge/klynge/sandbox/oidc"
)

func TestKeyRotationAtTheSandboxIssuer(t *testing.T) {
	clk := newClock()
	iss, base := sandboxIssuer(t)
	a := newAuthenticator(t, base+"/oidc", Options{Now: clk.Now})
	before := sandboxToken(t, base, oidc.ClientGP, nil)
	if _, _, err := a.Authenticate(t.Context(), before); err != nil {
		t.Fatalf("before rotation: %v", err)
	}
	clk.Advance(DefaultKeyRefreshInterval)
	if _, err := iss.Rotate(); err != nil {
		t.Fatal(err)
	}
	after := sandboxToken(t, base, oidc.ClientGP, nil)
	t.Run("a token signed with the new key is accepted", func(t *testing.T) {
		if _, _, err := a.Authenticate(t.Context(), after); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("a token signed before the rotation still is", func(t *testing.T) {
		if _, _, err := a.Authenticate(t.Context(), before); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("once the key is retired and the cached set ages out, it is not", func(t *testing.T) {
		if _, err := iss.Rotate(); err != nil {
			t.Fatal(err)
		}
		clk.Advance(DefaultKeyMaxAge)
		_, _, err := a.Authenticate(t.Context(), before)
		var ae *Error
		if !errors.As(err, &ae) || ae.Reason != ReasonSignature {
			t.Fatalf("err = %v, want %s", err, ReasonSignature)
		}
		if _, _, err := a.Authenticate(t.Context(), after); err != nil {
			t.Fatalf("the previous key must still verify: %v", err)
		}
	})
}

func TestForgedKeyIDsDoNotHammerTheIssuer(t *testing.T) {
	clk := newClock()
	ti := startTestIssuer(t)
	a := newAuthenticator(t, ti.srv.URL, Options{Now: clk.Now})
	if _, _, err := a.Authenticate(t.Context(), ti.sign(t, ti.claims(clk.Now()))); err != nil {
		t.Fatal(err)
	}
	fetches := ti.jwksHits.Load()
	for range 50 {
		if _, _, err := a.Authenticate(t.Context(), forgedToken(t, ti)); err == nil {
			t.Fatal("a token signed by an unknown key was accepted")
		}
	}
	if got := ti.jwksHits.Load() - fetches; got > 1 {
		t.Fatalf("50 forged tokens fetched the key set %d times, want at most 1 per refresh interval", got)
	}
	t.Run("after the interval an unknown key fetches once more", func(t *testing.T) {
		clk.Advance(DefaultKeyRefreshInterval)
		before := ti.jwksHits.Load()
		a.Authenticate(t.Context(), forgedToken(t, ti))
		a.Authenticate(t.Context(), forgedToken(t, ti))
		if got := ti.jwksHits.Load() - before; got != 1 {
			t.Fatalf("fetched %d times, want 1", got)
		}
	})
}

func TestKeySetOutage(t *testing.T) {
	clk := newClock()
	ti := startTestIssuer(t)
	ti.jwksDown.Store(true)
	logger, _ := capturedLogger()
	a := newAuthenticator(t, ti.srv.URL, Options{Now: clk.Now, Logger: logger})
	token := ti.sign(t, ti.claims(clk.Now()))

	t.Run("without cached keys the gateway answers 503, not 401", func(t *testing.T) {
		status, _, r := call(t, protected(a), http.MethodPost, "Bearer "+token, nil)
		if status != http.StatusServiceUnavailable || r.Code != errcode.AuthUnavailable || r.Reason != ReasonKeysUnavailable {
			t.Fatalf("status %d, error %+v", status, r)
		}
	})
	t.Run("once fetched, keys survive an outage past their age", func(t *testing.T) {
		ti.jwksDown.Store(false)
		clk.Advance(DefaultKeyRefreshInterval)
		if _, _, err := a.Authenticate(t.Context(), token); err != nil {
			t.Fatal(err)
		}
		ti.jwksDown.Store(true)
		clk.Advance(DefaultKeyMaxAge + time.Minute)
		if _, _, err := a.Authenticate(t.Context(), ti.sign(t, ti.claims(clk.Now()))); err != nil {
			t.Fatalf("stale keys should be used while the issuer is down: %v", err)
		}
	})
}

func TestKeySetFiltersUnusableKeys(t *testing.T) {
	clk := newClock()
	ti := startTestIssuer(t)
	// A symmetric key and an encryption key published beside the signing
	// key must be ignored, not break the set.
	ti.extraKeys = []jose.JSONWebKey{
		{Key: []byte("0123456789abcdef0123456789abcdef"), KeyID: "hmac", Algorithm: "HS256", Use: "sig"},
		{Key: mustECKey(t).Public(), KeyID: "enc", Algorithm: "ECDH-ES", Use: "enc"},
	}
	a := newAuthenticator(t, ti.srv.URL, Options{Now: clk.Now})
	if _, _, err := a.Authenticate(t.Context(), ti.sign(t, ti.claims(clk.Now()))); err != nil {
		t.Fatal(err)
	}
	t.Run("a token naming the symmetric key is refused", func(t *testing.T) {
		signer, _ := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: jose.JSONWebKey{Key: []byte("0123456789abcdef0123456789abcdef"), KeyID: "hmac"}}, nil)
		raw, _ := jwt.Signed(signer).Claims(ti.claims(clk.Now())).Serialize()
		if _, _, err := a.Authenticate(t.Context(), raw); err == nil {
			t.Fatal("accepted an HS256 token signed with a published symmetric key")
		}
	})
}

func mustECKey(t *testing.T) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// forgedToken is signed by a fresh key under a made-up key id.
func forgedToken(t *testing.T, ti *testIssuer) string {
	t.Helper()
	k := mustECKey(t)
	b := make([]byte, 8)
	rand.Read(b)
	signer, _ := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: jose.JSONWebKey{Key: k, KeyID: fmt.Sprintf("forged-%x", b)}}, nil)
	raw, err := jwt.Signed(signer).Claims(ti.claims(time.Now())).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return raw
}
