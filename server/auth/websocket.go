package auth

import (
	"context"
	"errors"

	"github.com/99designs/gqlgen/graphql/handler/transport"

	"github.com/sundhedsklynge/klynge/access"
)

// WebsocketCloseUnauthorized is the close code for a connection whose init
// carried no valid token (graphql-transport-ws uses 4403 Forbidden).
const WebsocketCloseUnauthorized = 4403

// WebsocketInit is a transport.Websocket InitFunc: browsers cannot set an
// Authorization header on a websocket, so the token travels in the
// connection_init payload ({"Authorization": "Bearer <token>"}, or the
// token alone under "token"). A valid token puts the principal in the
// connection's context, which ends when the token expires, closing the
// connection; an invalid one closes it with 4403 and the reason.
func (a *Authenticator) WebsocketInit(ctx context.Context, payload transport.InitPayload) (context.Context, *transport.InitPayload, error) {
	raw := payload.GetString("token")
	if auth := payload.Authorization(); auth != "" {
		var err error
		raw, err = bearerFromValue(auth)
		if err != nil {
			return a.refuseWebsocket(ctx, err)
		}
	}
	p, expiry, err := a.Authenticate(ctx, raw)
	if err != nil {
		return a.refuseWebsocket(ctx, err)
	}
	ctx = access.WithPrincipal(ctx, p)
	if !expiry.IsZero() {
		// The connection outlives no token: its context ends at expiry
		// (plus the skew the token was accepted with), which gqlgen turns
		// into a close. Cancelling once the context is done, for whatever
		// reason, releases the timer when the connection closes first.
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, expiry.Add(a.opts.ClockSkew))
		context.AfterFunc(ctx, cancel)
	}
	return ctx, nil, nil
}

func bearerFromValue(v string) (string, error) {
	h := map[string][]string{"Authorization": {v}}
	return bearerToken(h)
}

func (a *Authenticator) refuseWebsocket(ctx context.Context, err error) (context.Context, *transport.InitPayload, error) {
	var ae *Error
	if !errors.As(err, &ae) {
		ae = authError(ReasonInvalid, "the token is not valid")
	}
	a.log.InfoContext(ctx, "auth: websocket refused", "reason", ae.Reason)
	ctx = transport.WithWebsocketCloseCode(ctx, WebsocketCloseUnauthorized)
	ctx = transport.AppendCloseReason(ctx, "unauthenticated: "+ae.Reason)
	return ctx, nil, errors.New("unauthenticated: " + ae.Description)
}
