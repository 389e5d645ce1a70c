package auth

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	jose "github.com/go-jose/go-jose/v4"

	"github.com/sundhedsklynge/klynge/access"
)

// Options configure an Authenticator. Issuer and Audience are required;
// other zero values are the defaults.
type Options struct {
	// Issuer is the OpenID Connect issuer URL, exactly as the issuer
	// writes it in discovery and in tokens' iss.
	Issuer string
	// Audience must be one of a token's aud values.
	Audience string
	// ClockSkew is how long after exp a token is still accepted, for
	// clocks that disagree a little (default 30s, at most 5m). go-oidc
	// allows 5 minutes on nbf.
	ClockSkew time.Duration
	// KeyRefreshInterval is the least time between two fetches of the key
	// set caused by tokens with unknown keys (default 10s).
	KeyRefreshInterval time.Duration
	// KeyMaxAge is how long a fetched key set is used before it is fetched
	// again (default 1h), so that retired keys stop verifying.
	KeyMaxAge time.Duration
	// MaxTokenLifetime is the longest a token may be valid, from iat (or
	// now, without iat) to exp (default 12h, at most 7 days): a stolen
	// token with an exp a century ahead stays a key for a century.
	MaxTokenLifetime time.Duration
	// HTTPClient fetches discovery and keys (default: 10s timeout).
	HTTPClient *http.Client
	// Websockets lets websocket upgrade requests through the middleware
	// unauthenticated, to be authenticated by WebsocketInit. Leave it off
	// unless the websocket transport is installed with that InitFunc.
	Websockets bool
	// Realm is the realm of the WWW-Authenticate challenge (default
	// "klynge").
	Realm string
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Logger receives refusals (reason only) and key-set failures; nil
	// discards.
	Logger *slog.Logger
}

// DefaultClockSkew and the other defaults of Options.
const (
	DefaultClockSkew          = 30 * time.Second
	MaxClockSkew              = 5 * time.Minute
	DefaultKeyRefreshInterval = 10 * time.Second
	DefaultKeyMaxAge          = time.Hour
	DefaultMaxTokenLifetime   = 12 * time.Hour
	MaxMaxTokenLifetime       = 7 * 24 * time.Hour
)

// allowedAlgorithms are the asymmetric JWS algorithms accepted. Symmetric
// (HS*) and "none" never are, whatever discovery says.
var allowedAlgorithms = []jose.SignatureAlgorithm{
	jose.RS256, jose.RS384, jose.RS512, jose.PS256, jose.PS384, jose.PS512,
	jose.ES256, jose.ES384, jose.ES512, jose.EdDSA,
}

// Authenticator validates bearer tokens. It is safe for concurrent use.
type Authenticator struct {
	opts Options
	log  *slog.Logger

	mu            sync.Mutex
	verifier      *oidc.IDTokenVerifier // nil until discovery succeeded
	keys          *keySet
	lastDiscovery time.Time
	discoveryErr  error

	verified verifiedTokens
}

// New checks the options and returns an Authenticator. It does no I/O:
// the issuer's discovery document is read by Discover, or on the first
// token, so that a gateway can start before its identity provider answers
// (the demo starts both in one process). Until discovery succeeds every
// request is answered 503 and /readyz (Ready) fails.
func New(opts Options) (*Authenticator, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	opts = opts.withDefaults()
	return &Authenticator{opts: opts, log: opts.Logger}, nil
}

// Discover reads the issuer's discovery document, unless that succeeded
// before. It fails when the issuer cannot be reached or names another
// issuer; a failure is retried at most once per KeyRefreshInterval.
func (a *Authenticator) Discover(ctx context.Context) error {
	_, _, err := a.verifierFor(ctx)
	return err
}

// Ready reports whether tokens can be checked: discovery has succeeded (it
// is tried now if not). It backs the gateway's readiness probe.
func (a *Authenticator) Ready(ctx context.Context) error { return a.Discover(ctx) }

func (a *Authenticator) verifierFor(ctx context.Context) (*oidc.IDTokenVerifier, *keySet, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.verifier != nil {
		return a.verifier, a.keys, nil
	}
	now := a.opts.Now()
	if !a.lastDiscovery.IsZero() && now.Sub(a.lastDiscovery) < a.opts.KeyRefreshInterval {
		return nil, nil, a.discoveryErr
	}
	a.lastDiscovery = now
	v, keys, err := discover(ctx, a.opts)
	if err != nil {
		a.discoveryErr = err
		a.log.Error("auth: discovery of the identity provider failed", "issuer", a.opts.Issuer, "error", err)
		return nil, nil, err
	}
	a.verifier, a.keys, a.discoveryErr = v, keys, nil
	return v, keys, nil
}

func discover(ctx context.Context, opts Options) (*oidc.IDTokenVerifier, *keySet, error) {
	provider, err := oidc.NewProvider(oidc.ClientContext(ctx, opts.HTTPClient), opts.Issuer)
	if err != nil {
		return nil, nil, fmt.Errorf("auth: discovery of issuer %s: %w", opts.Issuer, err)
	}
	var meta struct {
		JWKSURI string   `json:"jwks_uri"`
		Algs    []string `json:"id_token_signing_alg_values_supported"`
	}
	if err := provider.Claims(&meta); err != nil {
		return nil, nil, fmt.Errorf("auth: discovery of issuer %s: %w", opts.Issuer, err)
	}
	if u, err := url.Parse(meta.JWKSURI); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, nil, fmt.Errorf("auth: discovery of issuer %s: jwks_uri must be an absolute http(s) URL", opts.Issuer)
	}
	var algs []string
	for _, a := range meta.Algs {
		if slices.Contains(allowedAlgorithms, jose.SignatureAlgorithm(a)) {
			algs = append(algs, a)
		}
	}
	if len(algs) == 0 {
		algs = []string{string(jose.RS256), string(jose.ES256)}
	}
	keys := &keySet{
		url: meta.JWKSURI, client: opts.HTTPClient, now: opts.Now,
		minRefresh: opts.KeyRefreshInterval, maxAge: opts.KeyMaxAge, log: opts.Logger,
	}
	skew, now := opts.ClockSkew, opts.Now
	verifier := oidc.NewVerifier(opts.Issuer, keys, &oidc.Config{
		ClientID:             opts.Audience,
		SupportedSigningAlgs: algs,
		// go-oidc has no skew setting for exp: checking against a clock
		// that is skew behind accepts tokens up to skew after exp.
		Now: func() time.Time { return now().Add(-skew) },
	})
	return verifier, keys, nil
}

func (o Options) validate() error {
	var errs []error
	if u, err := url.Parse(o.Issuer); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		errs = append(errs, errors.New("auth: Issuer must be an absolute http(s) URL"))
	}
	if strings.TrimSpace(o.Audience) == "" {
		errs = append(errs, errors.New("auth: Audience is required"))
	}
	if o.ClockSkew < 0 || o.ClockSkew > MaxClockSkew {
		errs = append(errs, fmt.Errorf("auth: ClockSkew must be between 0 and %s, got %s", MaxClockSkew, o.ClockSkew))
	}
	if o.MaxTokenLifetime < 0 || o.MaxTokenLifetime > MaxMaxTokenLifetime {
		errs = append(errs, fmt.Errorf("auth: MaxTokenLifetime must be between 0 and %s, got %s", MaxMaxTokenLifetime, o.MaxTokenLifetime))
	}
	if o.KeyRefreshInterval < 0 || o.KeyMaxAge < 0 {
		errs = append(errs, errors.New("auth: KeyRefreshInterval and KeyMaxAge must not be negative"))
	}
	return errors.Join(errs...)
}

func (o Options) withDefaults() Options {
	if o.ClockSkew == 0 {
		o.ClockSkew = DefaultClockSkew
	}
	if o.KeyRefreshInterval == 0 {
		o.KeyRefreshInterval = DefaultKeyRefreshInterval
	}
	if o.KeyMaxAge == 0 {
		o.KeyMaxAge = DefaultKeyMaxAge
	}
	if o.MaxTokenLifetime == 0 {
		o.MaxTokenLifetime = DefaultMaxTokenLifetime
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if o.Realm == "" {
		o.Realm = "klynge"
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return o
}

// Authenticate validates a raw JWT and returns the principal its claims
// describe, and when the token expires. Every failure is an *Error.
func (a *Authenticator) Authenticate(ctx context.Context, raw string) (access.Principal, time.Time, error) {
	if raw == "" {
		return access.Principal{}, time.Time{}, authError(ReasonMissing, "no bearer token: send the header Authorization: Bearer <token>")
	}
	verifier, keys, err := a.verifierFor(ctx)
	if err != nil {
		return access.Principal{}, time.Time{}, authError(ReasonKeysUnavailable, "the identity provider could not be reached; try again shortly")
	}
	key := tokenKey(raw)
	_, keysAt := keys.cached()
	if p, exp, ok := a.verified.get(key, keysAt, a.opts.Now(), a.opts.ClockSkew, a.opts.KeyMaxAge); ok {
		return p, exp, nil
	}
	failure := &fetchFailure{}
	tok, err := verifier.Verify(context.WithValue(ctx, fetchFailureKey{}, failure), raw)
	if err != nil {
		if failure.err != nil {
			return access.Principal{}, time.Time{}, authError(ReasonKeysUnavailable, "the identity provider's signing keys could not be fetched; try again shortly")
		}
		return access.Principal{}, time.Time{}, a.classify(err)
	}
	if err := a.checkLifetime(tok.IssuedAt, tok.Expiry); err != nil {
		return access.Principal{}, time.Time{}, err
	}
	var c klyngeClaims
	if err := tok.Claims(&c); err != nil {
		return access.Principal{}, time.Time{}, authError(ReasonClaims, "the token's klynge claims are malformed: %s", claimTypeError(err))
	}
	p, err := c.principal(tok.Subject)
	if err != nil {
		return access.Principal{}, time.Time{}, authError(ReasonClaims, "%s", err.Error())
	}
	// Remember it only if the key set did not change while it was
	// verified: the verification may have used the set before the change.
	if _, after := keys.cached(); after.Equal(keysAt) {
		a.verified.put(key, verifiedToken{principal: p, issuedAt: tok.IssuedAt, expiry: tok.Expiry, keysAt: keysAt}, a.opts.Now(), a.opts.ClockSkew)
	}
	return p, tok.Expiry, nil
}

// checkLifetime refuses what go-oidc lets through: a token issued in the
// future (beyond the clock skew), and one valid for longer than
// MaxTokenLifetime, counted from iat or, without iat, from now.
func (a *Authenticator) checkLifetime(iat, exp time.Time) error {
	now := a.opts.Now()
	if !iat.IsZero() && iat.After(now.Add(a.opts.ClockSkew)) {
		return authError(ReasonNotYetValid, "the token was issued in the future (iat %s); the identity provider's clock is ahead", iat.UTC().Format(time.RFC3339))
	}
	from := iat
	if from.IsZero() {
		from = now
	}
	if life := exp.Sub(from); life > a.opts.MaxTokenLifetime {
		return authError(ReasonLifetime, "the token is valid for %s, longer than the %s this gateway accepts; configure the identity provider to issue shorter-lived tokens",
			life.Round(time.Minute), a.opts.MaxTokenLifetime)
	}
	return nil
}

// classify turns go-oidc's errors into reasons. go-oidc returns a typed
// error only for expiry; the others are matched by their (stable) text.
func (a *Authenticator) classify(err error) *Error {
	var expired *oidc.TokenExpiredError
	if errors.As(err, &expired) {
		if expired.Expiry.IsZero() {
			return authError(ReasonExpired, "the token has no expiry (exp)")
		}
		return authError(ReasonExpired, "the token expired at %s; get a new one", expired.Expiry.UTC().Format(time.RFC3339))
	}
	msg := err.Error()
	switch {
	case strings.Contains(msg, "malformed jwt"):
		return authError(ReasonMalformed, "the token is not a signed JWT with an accepted algorithm")
	case strings.Contains(msg, errUnknownKeyID.Error()):
		return authError(ReasonSignature, "the token's signature does not verify: %s publishes no key with its key id (kid). "+
			"The token comes from another identity provider or sandbox, or the issuer rotated its keys or restarted "+
			"(a klynge sandbox makes new keys at every start); get a new token from %s", a.opts.Issuer, a.opts.Issuer)
	case strings.Contains(msg, "failed to verify signature"):
		return authError(ReasonSignature, "the token's signature does not verify with the keys of %s; "+
			"was it issued by another identity provider or sandbox, or were the keys rotated? Get a new token from %s", a.opts.Issuer, a.opts.Issuer)
	case strings.Contains(msg, "issued by a different provider"):
		return authError(ReasonIssuer, "the token was not issued by %s (a token from another identity provider or sandbox is not accepted here); get one from %s", a.opts.Issuer, a.opts.Issuer)
	case strings.Contains(msg, "expected audience"):
		return authError(ReasonAudience, "the token is not meant for this gateway (audience %q)", a.opts.Audience)
	case strings.Contains(msg, "nbf"):
		return authError(ReasonNotYetValid, "the token is not valid yet (nbf)")
	}
	return authError(ReasonInvalid, "the token is not valid")
}

// claimTypeError names the claim a JSON type error is about, without the
// value.
func claimTypeError(err error) string {
	for _, c := range []string{ClaimRole, ClaimOrganization, ClaimClusters, ClaimCPR} {
		if strings.Contains(err.Error(), c) {
			return "claim " + c + " has the wrong type"
		}
	}
	return "a claim has the wrong type"
}
