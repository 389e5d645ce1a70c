package ratelimit

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"

	"github.com/sundhedsklynge/klynge/errcode"
	"github.com/sundhedsklynge/klynge/server/gqlhttp"
)

// KeyFunc names the principal a request counts against. An empty key is
// not limited.
type KeyFunc func(r *http.Request) string

// ClientKey is the KeyFunc used until authentication names principals: the
// sha256 of the bearer token when there is one (so that clients behind one
// address have their own budgets), else the client's IP address. It reads
// RemoteAddr, not X-Forwarded-For, which any client can write.
func ClientKey(r *http.Request) string {
	if token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok && strings.TrimSpace(token) != "" {
		sum := sha256.Sum256([]byte(strings.TrimSpace(token)))
		return "token:" + hex.EncodeToString(sum[:16])
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	return "addr:" + host
}

// Middleware answers 429 with Retry-After once key's bucket is empty. When
// the limiter fails (Redis down) the request passes and a warning is
// logged: a clinician's lookup matters more than the budget.
func Middleware(l Limiter, key KeyFunc, logger *slog.Logger, next http.Handler) http.Handler {
	if key == nil {
		key = ClientKey
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		k := key(r)
		if k == "" || r.Method == http.MethodOptions {
			next.ServeHTTP(w, r)
			return
		}
		d, err := l.Allow(r.Context(), k)
		if err != nil {
			logger.WarnContext(r.Context(), "rate limiter unavailable; request allowed", "err", err)
			next.ServeHTTP(w, r)
			return
		}
		if !d.Allowed {
			secs := retryAfterSeconds(d.RetryAfter)
			rate := l.Rate()
			w.Header().Set("Retry-After", strconv.Itoa(secs))
			gqlhttp.WriteError(w, r, errcode.RateLimited,
				fmt.Sprintf("too many requests: the limit is %s per second with bursts of %d (rateLimit.requestsPerSecond, rateLimit.burst); retry after %d s",
					strconv.FormatFloat(rate.PerSecond, 'f', -1, 64), rate.Burst, secs))
			return
		}
		next.ServeHTTP(w, r)
	})
}
