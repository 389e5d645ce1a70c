package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/sundhedsklynge/klynge/sandbox/oidc"
)

// authenticate makes the bench a GP with a token from the sandbox's
// issuer, and opens the sample to it by break-the-glass, so that every
// benchmarked read is an audited disclosure. A GP's relationship check
// reads only the patient index, which every operation reads anyway, so the
// upstream requests per operation are those of the graph itself.
func (b *bencher) authenticate(ctx context.Context, sample []string) error {
	token, err := fetchDemoToken(ctx, b.http, b.sandbox, oidc.ClientGP)
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	b.token = token
	const perRequest = 20 // within the default root-field limit
	for start := 0; start < len(sample); start += perRequest {
		var q strings.Builder
		q.WriteString("mutation {")
		for i, cpr := range sample[start:min(start+perRequest, len(sample))] {
			fmt.Fprintf(&q, ` g%d: breakGlass(cpr: %q, reason: "klynge bench reads a sampled citizen") { id }`, i, cpr)
		}
		q.WriteString(" }")
		var buf bytes.Buffer
		if a := b.post(ctx, &buf, q.String(), nil); a.status != 200 || len(a.codes) > 0 {
			return fmt.Errorf("bench: break the glass for the sample: status %d, errors %v", a.status, a.codes)
		}
	}
	return nil
}

// appendSamples collects how long each response waited for its access-log
// records: the latency the log adds.
type appendSamples struct {
	mu        sync.Mutex
	durations []time.Duration
	records   int
}

func (s *appendSamples) observe(d time.Duration, records int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.durations = append(s.durations, d)
	s.records += records
}

func (s *appendSamples) reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.durations, s.records = nil, 0
}

// summary is one line: appends, records per append, records per second
// over d, and the append latency's p50 and p99.
func (s *appendSamples) summary(name string, d time.Duration) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := len(s.durations)
	if n == 0 {
		return fmt.Sprintf("| %s | 0 | – | – | – | – |", name)
	}
	sorted := slices.Clone(s.durations)
	slices.Sort(sorted)
	pct := func(p int) time.Duration { return sorted[min(n-1, n*p/100)] }
	return fmt.Sprintf("| %s | %d | %.1f | %.0f | %s | %s |", name, n, float64(s.records)/float64(n),
		float64(s.records)/d.Seconds(), ms(pct(50)), ms(pct(99)))
}

func printAppendTable(w io.Writer, store string, lines []string) {
	fmt.Fprintf(w, "\naccess log (%s): the wait of each response for its records to be committed\n\n", store)
	fmt.Fprintln(w, "| scenario | appends | records/append | audited reads/s | append p50 | append p99 |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|")
	for _, l := range lines {
		fmt.Fprintln(w, l)
	}
}
