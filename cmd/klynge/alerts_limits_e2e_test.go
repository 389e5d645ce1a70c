package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/sundhedsklynge/klynge/alerts"
	"github.com/sundhedsklynge/klynge/config"
	"github.com/sundhedsklynge/klynge/domain"
	"github.com/sundhedsklynge/klynge/pathway"
	"github.com/sundhedsklynge/klynge/sandbox"
	"github.com/sundhedsklynge/klynge/sandbox/oidc"
)

// syntheticAlerts are n discharges of made-up pathways in the cluster, for
// tests of delivery rather than detection (an integrator may receive them
// all).
func syntheticAlerts(n int, tag string, at time.Time) []alerts.Event {
	out := make([]alerts.Event, n)
	for i := range out {
		p := pathway.Pathway{ID: fmt.Sprintf("pw-%s-%d", tag, i), Kind: pathway.KindAdmission, Status: pathway.StatusOK,
			AdmittedAt: at.Add(-48 * time.Hour), DischargedAt: at, Municipality: 330}
		out[i] = alerts.Event{Key: fmt.Sprintf("%s|%d", tag, i), Cluster: alertCluster, Municipality: 330, Kind: alerts.KindDischarged,
			At: at, DetectedAt: at, CPR: domain.CPR(fmt.Sprintf("67%02d01%04d", 1+i%12, i%10000)), Pathway: p,
			Message: "Discharged to home nursing from Medicinsk afdeling, Slagelse Sygehus"}
	}
	return out
}

// TestAlertsSlowConsumerIsDisconnected: a WebSocket client that stops
// reading is closed with 4008 and a reason once its buffer is full, and
// the rest of the gateway goes on.
func TestAlertsSlowConsumerIsDisconnected(t *testing.T) {
	t.Parallel() // its own sandbox, gateway (or processes) and event log; it mostly waits for the world's clock
	s, sb := startAlertStack(t, func(c *config.Config) { c.Alerts.BufferPerSubscription = 2 })
	token := demoToken(t, s.Sandbox, oidc.ClientIntegrator)
	ctx, cancel := context.WithTimeout(t.Context(), 180*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(s.GraphQL, "http"), &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	c.SetReadLimit(1 << 22)
	write := func(v any) {
		b, _ := json.Marshal(v)
		if err := c.Write(ctx, websocket.MessageText, b); err != nil {
			t.Fatal(err)
		}
	}
	write(map[string]any{"type": "connection_init", "payload": map[string]any{"Authorization": "Bearer " + token}})
	if _, b, err := c.Read(ctx); err != nil || !strings.Contains(string(b), "connection_ack") {
		t.Fatalf("init: %s %v", b, err)
	}
	write(map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{"query": alertsQuery, "variables": map[string]any{"cluster": alertCluster}}})
	time.Sleep(500 * time.Millisecond) // subscribed and live

	// Twice the replica's ring of alerts in one commit, so that they are
	// dispatched at once, far faster than any client is served, and the
	// client reads none of them for a while.
	store := s.gateway.alerts.store
	if _, err := store.Append(ctx, syntheticAlerts(8192, "slow", sb.Clock())); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Second)
	var closeErr error
	n := 0
	for {
		_, _, err := c.Read(ctx)
		if err != nil {
			closeErr = err
			break
		}
		n++
	}
	var ce websocket.CloseError
	if !errors.As(closeErr, &ce) || ce.Code != 4008 || !strings.Contains(ce.Reason, "slow consumer") {
		t.Fatalf("after %d messages the connection ended with %v; want close 4008 slow consumer", n, closeErr)
	}
	t.Logf("closed %d %q after %d messages of 8192 alerts", ce.Code, ce.Reason, n)
	// The gateway goes on: a query answers.
	if r := queryAs(t, s.GraphQL, token, `{ version }`, nil); len(r.Errors) > 0 {
		t.Fatalf("after a slow consumer: %+v", r.Errors)
	}
}

// TestAlertsSubscriptionLimitPerPrincipal: beyond the limit a principal
// gets TOO_MANY_SUBSCRIPTIONS; closing one frees its place.
func TestAlertsSubscriptionLimitPerPrincipal(t *testing.T) {
	t.Parallel() // its own sandbox, gateway (or processes) and event log; it mostly waits for the world's clock
	s, _ := startAlertStack(t, func(c *config.Config) { c.Alerts.MaxSubscriptionsPerPrincipal = 2 })
	token := demoToken(t, s.Sandbox, oidc.ClientIntegrator)
	vars := map[string]any{"cluster": alertCluster}
	a := sseSubscribe(t, s.GraphQL, token, vars, "")
	sseSubscribe(t, s.GraphQL, token, vars, "")
	third := sseSubscribe(t, s.GraphQL, token, vars, "")
	got := third.until(t, 10*time.Second, func(alertMsg) bool { return true })
	if len(got) != 1 || !strings.Contains(string(got[0].Payload), `"TOO_MANY_SUBSCRIPTIONS"`) {
		t.Fatalf("third subscription got %d messages %v; want one TOO_MANY_SUBSCRIPTIONS error", len(got), got)
	}
	a.cancel()
	time.Sleep(500 * time.Millisecond) // the server sees the first go
	fourth := sseSubscribe(t, s.GraphQL, token, vars, "")
	if got := fourth.until(t, 2*time.Second, func(alertMsg) bool { return true }); len(got) > 0 {
		t.Fatalf("after one closed, a new subscription got %s", got[0].Payload)
	}
}

// TestAlertStreamsEndWhenTheTokenExpires: a WebSocket is closed with 4403
// "token expired", and an SSE stream ends with UNAUTHENTICATED, when the
// token they were opened with expires.
func TestAlertStreamsEndWhenTheTokenExpires(t *testing.T) {
	t.Parallel() // its own sandbox, gateway (or processes) and event log; it mostly waits for the world's clock
	s, _ := startAlertStackWith(t, sandbox.Config{TokenTTL: 3 * time.Second}, func(c *config.Config) {
		c.Auth.ClockSkew = config.Duration(time.Second)
	})
	vars := map[string]any{"cluster": alertCluster}
	ws := wsSubscribe(t, s.GraphQL, demoToken(t, s.Sandbox, oidc.ClientIntegrator), vars)
	sse := sseSubscribe(t, s.GraphQL, demoToken(t, s.Sandbox, oidc.ClientIntegrator), vars, "")

	ws.until(t, 15*time.Second, func(alertMsg) bool { return false })
	var ce websocket.CloseError
	if err := ws.Err(); !errors.As(err, &ce) || ce.Code != 4403 || !strings.Contains(ce.Reason, "token expired") {
		t.Fatalf("the WebSocket ended with %v; want close 4403 token expired", err)
	}
	got := sse.until(t, 15*time.Second, func(m alertMsg) bool { return strings.Contains(string(m.Payload), "UNAUTHENTICATED") })
	if len(got) == 0 || !strings.Contains(string(got[len(got)-1].Payload), "the token expired") {
		t.Fatalf("the SSE stream ended with %v (%v); want an UNAUTHENTICATED error saying the token expired", got, sse.Err())
	}
}

// TestSubscribingWhereAlertsAreOffSaysSo: a gateway with no watchers (a
// frozen demo world) answers a subscription with ALERTS_OFF and why, not an
// internal error.
func TestSubscribingWhereAlertsAreOffSaysSo(t *testing.T) {
	s := startStack(t, nil)
	token := demoToken(t, s.Sandbox, oidc.ClientIntegrator)
	sub := sseSubscribe(t, s.GraphQL, token, map[string]any{"cluster": alertCluster}, "")
	got := sub.until(t, 10*time.Second, func(alertMsg) bool { return true })
	if len(got) != 1 || !strings.Contains(string(got[0].Payload), `"ALERTS_OFF"`) || !strings.Contains(string(got[0].Payload), "-speed 0") {
		var payloads []string
		for _, m := range got {
			payloads = append(payloads, string(m.Payload))
		}
		t.Fatalf("got %d messages %s; want one ALERTS_OFF error saying why", len(got), payloads)
	}
	if strings.Contains(s.Output.String(), "internal error") {
		t.Errorf("the refusal was logged as an internal error:\n%s", s.Output.String())
	}
}
