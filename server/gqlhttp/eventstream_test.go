package gqlhttp

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

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

// blockingWriter is a ResponseWriter whose first Write blocks until
// release is closed.
type blockingWriter struct {
	http.ResponseWriter
	writing chan struct{} // closed when the first Write starts
	release chan struct{}
	once    sync.Once
}

func (b *blockingWriter) Write(p []byte) (int, error) {
	b.once.Do(func() { close(b.writing) })
	<-b.release
	return b.ResponseWriter.Write(p)
}

func (b *blockingWriter) Flush() {}

// The handler returns (and net/http finishes the response) only after the
// keep-alive goroutine has stopped writing: a write racing with the end of
// the response corrupts the connection's buffer (the race detector caught
// it in the alerts' end-to-end test).
func TestStoppingTheKeepAliveWaitsForItsWrite(t *testing.T) {
	bw := &blockingWriter{ResponseWriter: httptest.NewRecorder(), writing: make(chan struct{}), release: make(chan struct{})}
	sw := &sseWriter{w: bw, rc: http.NewResponseController(bw)}
	stop := sw.keepAlive(t.Context(), time.Millisecond)
	<-bw.writing // a keep-alive comment is being written

	stopped := make(chan struct{})
	go func() { stop(); close(stopped) }()
	select {
	case <-stopped:
		t.Fatal("stop returned while the keep-alive was still writing")
	case <-time.After(50 * time.Millisecond):
	}
	close(bw.release)
	<-stopped
}
