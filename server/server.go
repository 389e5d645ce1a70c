package server

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/sundhedsklynge/klynge/requestid"
	"github.com/sundhedsklynge/klynge/server/auth"
	"github.com/sundhedsklynge/klynge/server/gqlhttp"
	"github.com/sundhedsklynge/klynge/server/playground"
	"github.com/sundhedsklynge/klynge/server/subscriptions"
)

// Options configure the HTTP surface. Zero values are safe defaults.
type Options struct {
	// Schema is the executable schema (graph.NewExecutableSchema).
	Schema graphql.ExecutableSchema
	// Logger receives access and error logs; nil discards.
	Logger *slog.Logger
	// Introspection lets clients query the schema (on in demo, off by
	// default in serve).
	Introspection bool
	// Playground serves GraphiQL at "/" (server/playground), from the
	// binary: it needs no network beyond the gateway.
	Playground bool
	// PlaygroundHeaders prefill the playground's headers editor, e.g. an
	// Authorization placeholder that says how to get a token.
	PlaygroundHeaders map[string]string
	// PlaygroundTokenIssuer, when set, is a development issuer (the demo
	// sandbox's /oidc) the playground may ask for demo tokens.
	PlaygroundTokenIssuer string
	// ClassifyUpstream maps upstream failures to error codes.
	ClassifyUpstream UpstreamClassifier
	// AroundOperations wraps every operation, e.g. to attach per-operation
	// dataloaders. Applied in order.
	AroundOperations []graphql.OperationMiddleware
	// Readiness answers GET /readyz (it must answer at once, from cached
	// state); nil means always ready.
	Readiness http.Handler
	// AroundResponses wrap every response (each event of a subscription),
	// e.g. to give each event fresh loaders. Applied in order.
	AroundResponses []graphql.ResponseMiddleware
	// Observers join the executor before the operation middlewares, so
	// that they time and trace all an operation does (package observe).
	Observers []graphql.HandlerExtension
	// Overload, when set, admits requests to /graphql before anything else
	// runs — the request id, the request log, the guards and token
	// verification — so that refusing is the cheapest path
	// (server/overload): the adaptive limit on concurrent operations and
	// the request deadline. Health, readiness and metrics never pass it.
	Overload func(http.Handler) http.Handler
	// Guards protect /graphql: size and operation limits, trusted
	// documents, CORS/CSRF, authentication and rate limits. The zero value
	// is safe.
	Guards Guards
	// Extensions join the executor after the guards and the operation
	// middlewares, e.g. the access gate (gate.Extension).
	Extensions []graphql.HandlerExtension
}

// New builds the handler for /graphql, /, /healthz and /readyz. Metrics
// are not among them: they are served on their own listener (Metrics), so
// that the API port shows callers nothing about other callers.
func New(opts Options) http.Handler {
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	gql := handler.New(opts.Schema)
	// Transport order matters (GO-NOTES.md): the first that accepts wins and
	// POST accepts every JSON POST, so streaming transports come first; the
	// event stream only for clients that prefer it (gqlhttp.EventStream).
	// gqlhttp answers every other plain request (GET, POST, OPTIONS, and
	// 405/415 for the rest) as the GraphQL-over-HTTP specification asks.
	if opts.Guards.Auth != nil {
		// Subscriptions over WebSocket: the token comes in connection_init.
		gql.AddTransport(subscriptions.Websocket{Init: opts.Guards.Auth.WebsocketInit, OriginPatterns: originHosts(opts.Guards.Browser.AllowedOrigins)})
	}
	gql.AddTransport(gqlhttp.EventStream{MaxBodyBytes: opts.Guards.MaxRequestBytes, Expiry: auth.ExpiresAt})
	gql.AddTransport(gqlhttp.Transport{MaxBodyBytes: opts.Guards.MaxRequestBytes})
	gql.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	opts.Guards.install(gql)
	if opts.Introspection {
		gql.Use(extension.Introspection{})
	} else {
		gql.Use(noIntrospection{})
	}
	gql.SetErrorPresenter(errorPresenter(logger, opts.ClassifyUpstream))
	gql.SetRecoverFunc(func(ctx context.Context, p any) error {
		logger.ErrorContext(ctx, "panic in resolver", "request_id", requestid.From(ctx), "panic", fmt.Sprint(p))
		return fmt.Errorf("panic: %v", p)
	})
	for _, e := range opts.Observers {
		gql.Use(e)
	}
	for _, mw := range opts.AroundOperations {
		gql.AroundOperations(mw)
	}
	for _, mw := range opts.AroundResponses {
		gql.AroundResponses(mw)
	}
	for _, e := range opts.Extensions {
		gql.Use(e)
	}

	mux := http.NewServeMux()
	mux.Handle("/graphql", opts.Guards.wrap(gql, logger))
	if opts.Playground {
		page := playground.Handler(playground.Options{Endpoint: "/graphql", Headers: opts.PlaygroundHeaders, TokenIssuer: opts.PlaygroundTokenIssuer})
		mux.Handle("GET /{$}", page)
		mux.Handle("GET "+playground.AssetsPrefix, page)
	}
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	if opts.Readiness != nil {
		mux.Handle("GET /readyz", opts.Readiness)
	} else {
		mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
		})
	}
	root := requestid.Middleware(accessLog(logger, mux))
	if opts.Overload != nil {
		admitted := opts.Overload(root)
		next := root
		root = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			// A stream lives for hours: it holds no admission slot and no
			// request deadline, and is bounded by the subscriptions allowed
			// per principal instead.
			if r.URL.Path == "/graphql" && !isStream(r) {
				admitted.ServeHTTP(w, r)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
	// Outermost, so that every response carries them, a refusal by
	// admission included; they are set when the response is first written.
	return securityHeaders(playgroundCSP(opts.PlaygroundTokenIssuer), root)
}

// playgroundCSP is the pages' policy: the playground may also connect to
// the development issuer it asks for demo tokens (demo only).
func playgroundCSP(tokenIssuer string) string {
	if u, err := url.Parse(tokenIssuer); err == nil && tokenIssuer != "" && u.Host != "" {
		return ContentSecurityPolicy(u.Scheme + "://" + u.Host)
	}
	return ContentSecurityPolicy()
}

// Metrics is the handler of the metrics listener: GET /metrics serves m
// (promhttp's handler of the gateway's registry), with the same response
// headers as the API.
func Metrics(m http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m)
	return securityHeaders(ContentSecurityPolicy(), mux)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// accessLog logs one line per request: method, path (never the query
// string, which may hold CPRs in GET requests), status and duration.
func accessLog(logger *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		logger.InfoContext(r.Context(), "http request",
			"request_id", requestid.From(r.Context()),
			"method", r.Method, "path", r.URL.Path,
			"status", rec.status, "duration_ms", time.Since(start).Milliseconds())
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the underlying writer (SSE
// flushing, deadlines).
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// Flush keeps streaming transports working through the recorder.
func (s *statusRecorder) Flush() {
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}
