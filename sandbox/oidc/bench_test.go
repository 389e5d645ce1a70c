package oidc

import "testing"

// BenchmarkNew measures what the issuer adds to the sandbox's start-up:
// key generation and picking the demo clients from 20,000 citizens.
func BenchmarkNew(b *testing.B) {
	w := testWorld(b)
	for b.Loop() {
		if _, err := New(Options{World: w}); err != nil {
			b.Fatal(err)
		}
	}
}
