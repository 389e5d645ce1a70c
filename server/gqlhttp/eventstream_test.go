package gqlhttp

import "testing"

func TestPrefersEventStream(t *testing.T) {
	tests := []struct {
		accept string
		want   bool
	}{
		{"text/event-stream", true},
		{"text/event-stream, application/json;q=0.9", true},
		// urql's default: JSON first, the stream as a fallback.
		{"application/graphql-response+json, application/graphql+json, application/json, text/event-stream, multipart/mixed", false},
		{"application/json, text/event-stream", false},
		{"application/json;q=0.5, text/event-stream", true},
		{"text/event-stream;q=0", false},
		{"*/*", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := PrefersEventStream(tt.accept); got != tt.want {
			t.Errorf("PrefersEventStream(%q) = %v, want %v", tt.accept, got, tt.want)
		}
	}
}
