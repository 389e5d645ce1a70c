// Package stream is what a streaming transport (a WebSocket connection, an
// SSE response) and the subscription resolvers share about one connection:
// the id a client resumes from (SSE's Last-Event-ID), the id of each event
// as it is handed to the executor (so SSE can write it in `id:`), and a way
// for a resolver to end the connection with a close code and a reason (a
// slow consumer). It is a leaf: transports and resolvers import it, and it
// imports nothing of the project.
package stream

import (
	"context"
	"sync"
)

// Close codes a WebSocket is closed with (RFC 6455 leaves 4000-4999 to
// applications; graphql-ws reserves 4400-4499 and 4500, and retries on
// codes it does not consider fatal, as these two are).
const (
	// CloseSlowConsumer: the client did not read its events as fast as
	// they came; it may reconnect and resume from its last id.
	CloseSlowConsumer = 4008
	// CloseTokenExpired: the token the connection was opened with expired;
	// reconnect with a new one (graphql-ws calls connectionParams again).
	CloseTokenExpired = 4403
)

// Conn is one streaming connection's shared state. Its zero value is not
// usable; make one with NewConn.
type Conn struct {
	resume string

	mu     sync.Mutex
	ids    []string
	code   int
	reason string
	cancel func()
}

// NewConn makes a connection's state; resume is the id the client asked
// to resume after ("" for none), cancel ends the connection (nil: nothing
// to end, the transport ends when the stream does).
func NewConn(resume string, cancel func()) *Conn {
	return &Conn{resume: resume, cancel: cancel}
}

type connKey struct{}

// With returns ctx carrying c.
func With(ctx context.Context, c *Conn) context.Context { return context.WithValue(ctx, connKey{}, c) }

// From is the connection of ctx, or nil outside a streaming transport.
func From(ctx context.Context) *Conn {
	c, _ := ctx.Value(connKey{}).(*Conn)
	return c
}

// Resume is the id the client asked to resume after, "" for none.
func Resume(ctx context.Context) string {
	if c := From(ctx); c != nil {
		return c.resume
	}
	return ""
}

// Sent records the id of the event about to be handed to the executor:
// one id per response, in order.
func Sent(ctx context.Context, id string) {
	if c := From(ctx); c != nil {
		c.mu.Lock()
		c.ids = append(c.ids, id)
		c.mu.Unlock()
	}
}

// NextID is the id of the response just produced ("" when none was
// recorded). The transport calls it once per response.
func (c *Conn) NextID() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.ids) == 0 {
		return ""
	}
	id := c.ids[0]
	c.ids = c.ids[1:]
	return id
}

// Close ends the connection of ctx with code and reason; it reports false
// when there is no connection to end.
func Close(ctx context.Context, code int, reason string) bool {
	c := From(ctx)
	if c == nil {
		return false
	}
	c.mu.Lock()
	if c.code == 0 {
		c.code, c.reason = code, reason
	}
	cancel := c.cancel
	c.mu.Unlock()
	if cancel != nil {
		cancel()
	}
	return true
}

// SetCancel sets how the connection is ended, once the transport knows
// (after a WebSocket's init).
func (c *Conn) SetCancel(cancel func()) {
	c.mu.Lock()
	c.cancel = cancel
	c.mu.Unlock()
}

// Closed is the code and reason the connection was ended with by Close;
// code 0 when it was not.
func (c *Conn) Closed() (code int, reason string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.code, c.reason
}
