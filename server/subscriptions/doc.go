// Package subscriptions is klynge's WebSocket transport for GraphQL
// subscriptions: gqlgen's transport.Websocket speaking graphql-transport-ws
// (and the legacy graphql-ws), with the token in connection_init
// (server/auth's WebsocketInit), an init timeout, keep-alive pings, the
// origins a browser may connect from, and close codes that say why a
// connection ended: the token expired (4403, reconnect with a new one), or
// the client read too slowly (4008, reconnect and resume) — where gqlgen
// alone closes every connection it ends with 1000 "terminated".
//
// It moves messages; what a subscriber may receive is package gate's
// concern, and what a resolver wants closed reaches it through package
// stream.
package subscriptions
