package upstream

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

func TestReadAllTakesTheAttemptLayersBytesOnlyWhenNothingWasReadOfThem(t *testing.T) {
	all := []byte(`{"records":[1,2,3]}`)
	partly := bufferedBody{Reader: bytes.NewReader(all), all: all}
	if _, err := io.CopyN(io.Discard, partly, 2); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		body     io.Reader
		want     string
		sameData bool // the attempt layer's slice itself, not a copy
	}{
		{"untouched", bufferedBody{Reader: bytes.NewReader(all), all: all}, string(all), true},
		{"partly read", partly, string(all[2:]), false},
		{"another reader", strings.NewReader("plain"), "plain", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := readAll(tt.body)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Fatalf("read %q, want %q", got, tt.want)
			}
			if same := len(got) > 0 && &got[0] == &all[0]; same != tt.sameData {
				t.Fatalf("the attempt layer's own bytes: %v, want %v", same, tt.sameData)
			}
		})
	}
}

// BenchmarkReadAnswer reads a 64 KiB answer of announced length through
// the client (real HTTP on loopback), as a batch read does, with the
// decoding left out: -benchmem shows what reading the body allocates.
func BenchmarkReadAnswer(b *testing.B) {
	answer := bytes.Repeat([]byte("x"), 64<<10)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(answer)))
		_, _ = w.Write(answer)
	}))
	defer srv.Close()
	c, err := New(Options{System: "bench", BaseURL: srv.URL})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Do(ctx, Request{Op: "read", Path: "/", Decode: func([]byte) error { return nil }}); err != nil {
			b.Fatal(err)
		}
	}
}

func TestAnAnnouncedLengthAloneDoesNotMakeTheGatewayAllocateIt(t *testing.T) {
	// 15 MiB announced (under the 16 MiB limit), 10 bytes sent.
	srv := newCountingServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(15<<20))
		_, _ = w.Write([]byte(`{"a":"b"}` + "\n"))
	})
	c := newTestClient(t, Options{BaseURL: srv.URL, Retry: RetryOptions{Max: -1}})
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	err := get(context.Background(), c, "/")
	runtime.ReadMemStats(&after)
	if err == nil {
		t.Fatal("a body cut short of its announced length was accepted")
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 4<<20 {
		t.Fatalf("reading 10 bytes of an announced 15 MiB allocated %d MiB", grew>>20)
	}
}
