package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/sundhedsklynge/klynge/config"
	"github.com/sundhedsklynge/klynge/internal/waitfor"
	"github.com/sundhedsklynge/klynge/sandbox"
	"github.com/sundhedsklynge/klynge/sandbox/sandboxtest"
)

// startAlertStack is startStack over a world that runs on (its clock in
// the test's hands: POST /_sandbox/clock), the gateway's clock the
// sandbox's, and the watchers reading every second. 20,000 citizens, so
// that the cluster has discharges within hours of any pinned present.
func startAlertStack(t *testing.T, tune func(*config.Config)) (*stack, *sandbox.Sandbox) {
	return startAlertStackWith(t, sandbox.Config{}, tune)
}

// startAlertStackWith is startAlertStack with sandbox settings (a token
// lifetime).
func startAlertStackWith(t *testing.T, cfg sandbox.Config, tune func(*config.Config)) (*stack, *sandbox.Sandbox) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	logs := &syncBuffer{}
	cfg.Population, cfg.Now, cfg.Horizon, cfg.Logger = 20000, sandboxtest.Now(t), 7*24*time.Hour, newLogger(logs)
	st, err := startDemoStack(ctx, cfg, "127.0.0.1:0", "127.0.0.1:0",
		func(c *config.Config) error {
			c.Alerts.Poll.EHospital = config.Duration(time.Second)
			c.Alerts.Poll.Municipal = config.Duration(time.Second)
			c.Alerts.Poll.GPReferral = config.Duration(time.Second)
			if tune != nil {
				tune(c)
			}
			return nil
		}, nil)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- st.serve(ctx) }()
	s := &stack{demo: &demo{GraphQL: st.gatewayListener.URL() + "/graphql", Sandbox: st.sandboxListener.URL(), Metrics: st.metricsListener.URL() + "/metrics", Output: logs}, gateway: st.gateway}
	t.Cleanup(func() {
		cancel()
		if err := <-served; err != nil {
			t.Errorf("serve: %v", err)
		}
		if err := st.gateway.Close(); err != nil {
			t.Errorf("close gateway: %v", err)
		}
	})
	useDefaultToken(t, s.demo)
	return s, st.sandbox
}

// awaitWatcher waits until some replica (by its metrics URLs) watches the
// cluster with its first assessment done (klynge_alerts_watching), so that
// what the test makes happen next is news to it.
func awaitWatcher(t *testing.T, cluster string, metrics ...string) {
	t.Helper()
	c := &http.Client{Timeout: 5 * time.Second} // a listener nobody serves must fail the test, not hang it
	waitfor.Until(t, "a replica watching "+cluster, waitfor.Budget, func() bool {
		for _, m := range metrics {
			resp, err := c.Get(m)
			if err != nil {
				continue
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if strings.Contains(string(b), `klynge_alerts_watching{cluster="`+cluster+`"} 1`) {
				return true
			}
		}
		return false
	})
}

// advanceClock moves the sandbox's (and so the gateway's) clock to at.
func advanceClock(t *testing.T, sandboxURL string, at time.Time) {
	t.Helper()
	if err := moveClock(sandboxURL, at); err != nil {
		t.Fatal(err)
	}
}

// moveClock is advanceClock for a goroutine of its own, which must not
// end the test.
func moveClock(sandboxURL string, at time.Time) error {
	body, _ := json.Marshal(map[string]any{"to": at})
	resp, err := http.Post(sandboxURL+"/_sandbox/clock", "application/json", bytes.NewReader(body))
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("POST /_sandbox/clock: %d", resp.StatusCode)
	}
	return nil
}

// alertMsg is one alert as a client received it.
type alertMsg struct {
	ID      string          // the SSE event id ("" over WebSocket)
	Payload json.RawMessage // the GraphQL result
}

func (m alertMsg) alert(t testing.TB) receivedAlert {
	t.Helper()
	var r struct {
		Data   struct{ HandoverAlerts receivedAlert } `json:"data"`
		Errors []gqlError                             `json:"errors"`
	}
	if err := json.Unmarshal(m.Payload, &r); err != nil {
		t.Fatalf("alert payload: %v: %s", err, m.Payload)
	}
	if len(r.Errors) > 0 {
		t.Fatalf("alert with errors: %s", m.Payload)
	}
	return r.Data.HandoverAlerts
}

type receivedAlert struct {
	ID               string  `json:"id"`
	Kind             string  `json:"kind"`
	MunicipalityCode int     `json:"municipalityCode"`
	Rule             *string `json:"rule"`
	Due              *string `json:"due"`
	Message          string  `json:"message"`
	Pathway          struct {
		ID                   string  `json:"id"`
		DischargeEncounterID *string `json:"dischargeEncounterId"`
		Pseudonym            *string `json:"pseudonym"`
		Citizen              *struct {
			CPR string `json:"cpr"`
		} `json:"citizen"`
	} `json:"pathway"`
}

// alertsQuery selects what the tests check.
const alertsQuery = `subscription Alerts($cluster: ID!, $after: ID) {
  handoverAlerts(cluster: $cluster, after: $after) {
    id kind municipalityCode rule due message
    pathway { id dischargeEncounterId pseudonym citizen { cpr } }
  }
}`

// subscriber is a client's open subscription: its messages, and how it
// ended.
type subscriber struct {
	msgs   chan alertMsg
	mu     sync.Mutex
	ended  error
	cancel context.CancelFunc
}

func (s *subscriber) end(err error) {
	s.mu.Lock()
	if s.ended == nil {
		s.ended = err
	}
	s.mu.Unlock()
	close(s.msgs)
}

func (s *subscriber) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ended
}

// wsSubscribe subscribes over graphql-transport-ws with the token in
// connection_init.
func wsSubscribe(t *testing.T, graphqlURL, token string, vars map[string]any) *subscriber {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(graphqlURL, "http"), &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		cancel()
		t.Fatalf("dial: %v", err)
	}
	c.SetReadLimit(1 << 22)
	send := func(v any) {
		b, _ := json.Marshal(v)
		if err := c.Write(ctx, websocket.MessageText, b); err != nil && ctx.Err() == nil {
			t.Errorf("ws write: %v", err)
		}
	}
	send(map[string]any{"type": "connection_init", "payload": map[string]any{"Authorization": "Bearer " + token}})
	s := &subscriber{msgs: make(chan alertMsg, 1000), cancel: func() { cancel(); c.CloseNow() }}
	t.Cleanup(s.cancel)
	acked := make(chan struct{})
	go func() {
		for {
			_, b, err := c.Read(ctx)
			if err != nil {
				s.end(err)
				return
			}
			var m struct {
				Type    string          `json:"type"`
				Payload json.RawMessage `json:"payload"`
			}
			json.Unmarshal(b, &m)
			switch m.Type {
			case "connection_ack":
				close(acked)
				send(map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{"query": alertsQuery, "variables": vars}})
			case "ping":
				send(map[string]any{"type": "pong"})
			case "next":
				s.msgs <- alertMsg{Payload: m.Payload}
			case "error", "complete":
				s.end(errors.New(m.Type + ": " + string(m.Payload)))
				return
			}
		}
	}()
	select {
	case <-acked:
	case <-time.After(10 * time.Second):
		t.Fatalf("no connection_ack within 10s (%v)", s.Err())
	}
	return s
}

// sseSubscribe subscribes over GraphQL over SSE, resuming after
// lastEventID when set.
func sseSubscribe(t testing.TB, graphqlURL, token string, vars map[string]any, lastEventID string) *subscriber {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	body, _ := json.Marshal(map[string]any{"query": alertsQuery, "variables": vars})
	var resp *http.Response
	// A busy replica (a watcher's first assessment on two cores under
	// -race) may refuse with 503 and Retry-After, as its admission limit
	// says; a client is asked to come back then, and so does this one, a
	// bounded number of times.
	for attempt := 1; ; attempt++ {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, graphqlURL, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "text/event-stream")
		req.Header.Set("Authorization", "Bearer "+token)
		if lastEventID != "" {
			req.Header.Set("Last-Event-ID", lastEventID)
		}
		var err error
		if resp, err = http.DefaultClient.Do(req); err != nil {
			cancel()
			t.Fatalf("POST: %v", err)
		}
		if resp.StatusCode == http.StatusOK && strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
			break
		}
		refusal, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		resp.Body.Close()
		wait, err := strconv.Atoi(resp.Header.Get("Retry-After"))
		if resp.StatusCode != http.StatusServiceUnavailable || err != nil || attempt == 10 {
			cancel()
			t.Fatalf("status %d, Content-Type %q, Retry-After %q (attempt %d): %s", resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Retry-After"), attempt, refusal)
		}
		t.Logf("subscribe refused (attempt %d), retrying after %ds: %s", attempt, wait, refusal)
		time.Sleep(time.Duration(max(wait, 1)) * time.Second)
	}
	s := &subscriber{msgs: make(chan alertMsg, 1000), cancel: cancel}
	t.Cleanup(cancel)
	go func() {
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<22)
		var event, id, data string
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if event == "next" {
					s.msgs <- alertMsg{ID: id, Payload: json.RawMessage(data)}
				}
				if event == "complete" {
					s.end(errors.New("complete"))
					return
				}
				event, id, data = "", "", ""
			case strings.HasPrefix(line, "event: "):
				event = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "id: "):
				id = strings.TrimPrefix(line, "id: ")
			case strings.HasPrefix(line, "data: "):
				data += strings.TrimPrefix(line, "data: ")
			}
		}
		s.end(sc.Err())
	}()
	return s
}

// until collects messages until match has seen what it wants (true) or
// the timeout passes.
func (s *subscriber) until(t *testing.T, timeout time.Duration, match func(alertMsg) bool) []alertMsg {
	t.Helper()
	var got []alertMsg
	deadline := time.After(timeout)
	for {
		select {
		case m, ok := <-s.msgs:
			if !ok {
				return got
			}
			got = append(got, m)
			if match(m) {
				return got
			}
		case <-deadline:
			return got
		}
	}
}
