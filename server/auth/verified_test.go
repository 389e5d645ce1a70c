package auth

import (
	"crypto/sha256"
	"errors"
	"testing"
	"time"

	"github.com/sundhedsklynge/klynge/access"
)

// pinnedNow is the clock of the remembered-token tests.
var pinnedNow = time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)

// rememberedToken is an authenticator that has verified tok and remembers
// it: the first verification after discovery fetches the key set, so only
// the second is remembered.
func rememberedToken(t *testing.T, opts Options) (*testIssuer, *Authenticator, *clock, string) {
	t.Helper()
	clk := &clock{t: pinnedNow}
	ti := startTestIssuer(t)
	opts.Now = clk.Now
	a := newAuthenticator(t, ti.srv.URL, opts)
	tok := ti.sign(t, ti.claims(clk.Now()))
	for range 2 {
		if _, _, err := a.Authenticate(t.Context(), tok); err != nil {
			t.Fatal(err)
		}
	}
	if n := a.verified.len(); n != 1 {
		t.Fatalf("%d tokens remembered, want 1", n)
	}
	return ti, a, clk, tok
}

func wantReason(t *testing.T, err error, reason string) {
	t.Helper()
	var ae *Error
	if !errors.As(err, &ae) || ae.Reason != reason {
		t.Fatalf("err = %v, want reason %s", err, reason)
	}
}

// A remembered token skips the signature check; an attacker who has seen
// one must gain nothing from that, and the token must stop working
// exactly when it would have without the memory.
func TestARememberedTokenIsRefusedWhenItWouldBe(t *testing.T) {
	t.Run("the same token again is the same principal", func(t *testing.T) {
		_, a, _, tok := rememberedToken(t, Options{})
		p, exp, err := a.Authenticate(t.Context(), tok)
		if err != nil || p.Subject != "clin-1" || p.Role != access.RoleClinician || !exp.Equal(pinnedNow.Add(time.Hour)) {
			t.Fatalf("principal %+v, exp %s, err %v", p, exp, err)
		}
	})
	t.Run("a claim changed in a remembered token is a forgery", func(t *testing.T) {
		_, a, _, tok := rememberedToken(t, Options{})
		_, _, err := a.Authenticate(t.Context(), tamper(tok))
		wantReason(t, err, ReasonSignature)
		if n := a.verified.len(); n != 1 {
			t.Fatalf("%d tokens remembered after a forgery, want 1", n)
		}
	})
	t.Run("past its expiry and the clock skew", func(t *testing.T) {
		// The key set outlives the token here, so only the expiry ends it.
		_, a, clk, tok := rememberedToken(t, Options{KeyMaxAge: 2 * time.Hour})
		clk.Advance(time.Hour + DefaultClockSkew - time.Second)
		if _, _, err := a.Authenticate(t.Context(), tok); err != nil {
			t.Fatalf("within the skew: %v", err)
		}
		clk.Advance(2 * time.Second)
		_, _, err := a.Authenticate(t.Context(), tok)
		wantReason(t, err, ReasonExpired)
	})
	t.Run("its key retired and the key set aged out", func(t *testing.T) {
		ti, a, clk, tok := rememberedToken(t, Options{KeyMaxAge: 10 * time.Minute})
		ti.newKey(t)
		clk.Advance(10 * time.Minute)
		_, _, err := a.Authenticate(t.Context(), tok)
		wantReason(t, err, ReasonSignature)
	})
	t.Run("its key retired and the key set fetched for another token", func(t *testing.T) {
		ti, a, clk, tok := rememberedToken(t, Options{})
		ti.newKey(t)
		clk.Advance(DefaultKeyRefreshInterval)
		if _, _, err := a.Authenticate(t.Context(), ti.sign(t, ti.claims(clk.Now()))); err != nil {
			t.Fatalf("a token with the new key: %v", err)
		}
		_, _, err := a.Authenticate(t.Context(), tok)
		wantReason(t, err, ReasonSignature)
	})
}

func TestRememberedTokensAreBounded(t *testing.T) {
	var v verifiedTokens
	now := pinnedNow
	for i := range maxVerifiedTokens + 10 {
		v.put(sha256.Sum256([]byte{byte(i), byte(i >> 8)}), verifiedToken{expiry: now.Add(time.Hour)}, now, DefaultClockSkew)
	}
	if n := v.len(); n != maxVerifiedTokens {
		t.Fatalf("%d remembered, want at most %d", n, maxVerifiedTokens)
	}
	later := now.Add(2 * time.Hour) // every token above has expired
	v.put(sha256.Sum256([]byte("fresh")), verifiedToken{expiry: later.Add(time.Hour)}, later, DefaultClockSkew)
	if n := v.len(); n != 1 {
		t.Fatalf("%d remembered once the others expired, want 1", n)
	}
}

func BenchmarkAuthenticate(b *testing.B) {
	clk := &clock{t: pinnedNow}
	ti := startTestIssuer(b)
	a, err := New(Options{Issuer: ti.srv.URL, Audience: "klynge", Now: clk.Now})
	if err != nil {
		b.Fatal(err)
	}
	tok := ti.sign(b, ti.claims(clk.Now()))
	for range 2 {
		if _, _, err := a.Authenticate(b.Context(), tok); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("remembered", func(b *testing.B) {
		for b.Loop() {
			if _, _, err := a.Authenticate(b.Context(), tok); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("verified", func(b *testing.B) {
		for b.Loop() {
			a.verified = verifiedTokens{}
			if _, _, err := a.Authenticate(b.Context(), tok); err != nil {
				b.Fatal(err)
			}
		}
	})
}
