package subscriptions

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/coder/websocket"

	"github.com/sundhedsklynge/klynge/stream"
)

// Websocket serves subscriptions over WebSocket. The zero value refuses
// every connection's init (no Init).
type Websocket struct {
	// Init authenticates a connection from its connection_init payload
	// (auth.Authenticator.WebsocketInit); a context deadline it sets is
	// when the connection ends.
	Init transport.WebsocketInitFunc
	// OriginPatterns are the browser origins (host patterns, as
	// coder/websocket takes them) that may connect from another origin
	// than the gateway's own.
	OriginPatterns []string
	// InitTimeout bounds the wait for connection_init (default 10s).
	InitTimeout time.Duration
	// KeepAlive is the interval of pings (graphql-transport-ws) and
	// keep-alive messages (graphql-ws) (default 15s).
	KeepAlive time.Duration
}

var _ graphql.Transport = Websocket{}

// Supports implements graphql.Transport: websocket upgrades.
func (Websocket) Supports(r *http.Request) bool {
	return strings.EqualFold(r.Header.Get("Upgrade"), "websocket")
}

// Do serves one connection.
func (t Websocket) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	keep := t.KeepAlive
	if keep <= 0 {
		keep = 15 * time.Second
	}
	initTimeout := t.InitTimeout
	if initTimeout <= 0 {
		initTimeout = 10 * time.Second
	}
	conn := stream.NewConn("", nil)
	cc := &closing{conn: conn}
	r = r.WithContext(stream.With(r.Context(), conn))
	ws := transport.Websocket{
		Implementation: implementation{
			inner:  transport.CoderWebsocketImplementation{AcceptOptions: websocket.AcceptOptions{OriginPatterns: t.OriginPatterns}},
			closer: cc,
		},
		InitFunc:              cc.init(t.Init),
		InitTimeout:           initTimeout,
		KeepAlivePingInterval: keep,
		PingPongInterval:      keep,
		MissingPongOk:         true,
	}
	ws.Do(w, r, exec)
}

// closing knows why a connection is being closed.
type closing struct {
	conn *stream.Conn

	mu     sync.Mutex
	expiry time.Time
}

// init wraps the authenticating init: the connection's context ends at the
// token's expiry (the init's deadline) or when a resolver closes it.
func (c *closing) init(authenticate transport.WebsocketInitFunc) transport.WebsocketInitFunc {
	return func(ctx context.Context, payload transport.InitPayload) (context.Context, *transport.InitPayload, error) {
		if authenticate == nil {
			ctx = transport.WithWebsocketCloseCode(ctx, 4403)
			return transport.AppendCloseReason(ctx, "unauthenticated"), nil, errNoAuth
		}
		ctx, ack, err := authenticate(ctx, payload)
		if err != nil {
			return ctx, ack, err
		}
		if d, ok := ctx.Deadline(); ok {
			c.mu.Lock()
			c.expiry = d
			c.mu.Unlock()
		}
		ctx, cancel := context.WithCancel(ctx)
		c.conn.SetCancel(cancel)
		return ctx, ack, nil
	}
}

// code is the close code and reason for a connection gqlgen closes with
// (code, reason): a resolver's, the token's expiry, or gqlgen's own.
func (c *closing) code(code int, reason string) (int, string) {
	if code != transport.WebsocketCloseNormalClosure {
		return code, reason
	}
	if cc, r := c.conn.Closed(); cc != 0 {
		return cc, r
	}
	c.mu.Lock()
	exp := c.expiry
	c.mu.Unlock()
	if !exp.IsZero() && !time.Now().Before(exp) {
		return stream.CloseTokenExpired, "token expired: reconnect with a new token"
	}
	return code, reason
}

type noAuthError struct{}

func (noAuthError) Error() string { return "unauthenticated: the gateway authenticates no websocket" }

var errNoAuth = noAuthError{}

// implementation accepts with coder/websocket and gives every connection
// the close code its closing says.
type implementation struct {
	inner  transport.WebsocketImplementation
	closer *closing
}

func (i implementation) Accept(w http.ResponseWriter, r *http.Request, o transport.WebsocketAcceptOptions) (transport.WebsocketConn, error) {
	c, err := i.inner.Accept(w, r, o)
	if err != nil {
		return nil, err
	}
	return closeCoded{WebsocketConn: c, closer: i.closer}, nil
}

type closeCoded struct {
	transport.WebsocketConn
	closer *closing
}

func (c closeCoded) WriteClose(code int, reason string) error {
	code, reason = c.closer.code(code, reason)
	return c.WebsocketConn.WriteClose(code, reason)
}

// SetReadLimit forwards to the connection (the payload bound).
func (c closeCoded) SetReadLimit(limit int64) {
	if l, ok := c.WebsocketConn.(transport.WebsocketReadLimiter); ok {
		l.SetReadLimit(limit)
	}
}

// SetReadDeadline forwards to the connection (missing pongs).
func (c closeCoded) SetReadDeadline(t time.Time) error {
	if d, ok := c.WebsocketConn.(transport.WebsocketReadDeadliner); ok {
		return d.SetReadDeadline(t)
	}
	return nil
}
