package config

import (
	"fmt"
	"maps"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// Limits bound requests and operations (docs/OPERATIONS.md#guards). A zero
// value takes the built-in default; -1 switches an operation limit off.
type Limits struct {
	// MaxRequestBytes bounds an HTTP request body (default 1 MiB; 413).
	MaxRequestBytes int64 `yaml:"maxRequestBytes"`
	// MaxHeaderBytes bounds the request line and headers (default 16 KiB;
	// 431).
	MaxHeaderBytes int64 `yaml:"maxHeaderBytes"`
	// MaxDocumentBytes bounds the GraphQL document (default 64 KiB).
	MaxDocumentBytes int `yaml:"maxDocumentBytes"`
	// MaxTokens bounds the document's lexical tokens (default 5000).
	MaxTokens int `yaml:"maxTokens"`
	// MaxDepth bounds field nesting (default 12).
	MaxDepth int `yaml:"maxDepth"`
	// MaxAliases bounds aliased fields per document (default 30).
	MaxAliases int `yaml:"maxAliases"`
	// MaxRootFields bounds the top-level fields of an operation (default 20).
	MaxRootFields int `yaml:"maxRootFields"`
	// MaxDirectivesPerField bounds directives on one field (default 5).
	MaxDirectivesPerField int `yaml:"maxDirectivesPerField"`
	// MaxCost bounds an operation's cost (default 50000).
	MaxCost int `yaml:"maxCost"`
	// AssumedListSize is the cost model's length of a list without a size
	// argument (default 10).
	AssumedListSize int `yaml:"assumedListSize"`
	// FieldCosts override the cost of one instance of a field, keyed
	// "Type.field" (e.g. Citizen.timeline: 4). Not settable by environment.
	FieldCosts map[string]int `yaml:"fieldCosts"`
	// ListSizes set the cost model's length of one list field without a
	// size argument, keyed "Type.field" (e.g. Region.municipalities: 30).
	// Not settable by environment.
	ListSizes map[string]int `yaml:"listSizes"`
}

// TrustedDocuments configure which documents may run.
type TrustedDocuments struct {
	// Manifest is the path of an Apollo or GraphQL Codegen persisted-query
	// manifest (docs/TRUSTED-DOCUMENTS.md).
	Manifest string `yaml:"manifest"`
	// Enforce lets only the manifest's operations run.
	Enforce bool `yaml:"enforce"`
	// RequireID refuses, under enforce, a manifest document sent as text
	// rather than by id.
	RequireID bool `yaml:"requireId"`
	// APQ configures automatic persisted queries (development).
	APQ APQ `yaml:"apq"`
}

// APQ configures automatic persisted queries. They are on unless disabled
// or enforce is set; kept in memory, or in Redis when redis.addr is set.
type APQ struct {
	Disabled bool `yaml:"disabled"`
	// CacheSize is how many documents the in-memory cache keeps (default 1000).
	CacheSize int `yaml:"cacheSize"`
	// TTL is how long Redis keeps a document (default 24h).
	TTL Duration `yaml:"ttl"`
}

// CORS configures which browser origins may call the API.
type CORS struct {
	// AllowedOrigins are exact origins (https://portal.example.dk) or "*".
	AllowedOrigins []string `yaml:"allowedOrigins"`
	// AllowCredentials lets the allowed origins send cookies.
	AllowCredentials bool `yaml:"allowCredentials"`
	// MaxAge is how long a browser caches a preflight (default 10m).
	MaxAge Duration `yaml:"maxAge"`
}

// CSRF configures the refusal of cross-site requests sent without a
// preflight.
type CSRF struct {
	// PreflightHeaders prove a preflight (default X-Requested-With,
	// Apollo-Require-Preflight, X-Apollo-Operation-Name, GraphQL-Preflight).
	PreflightHeaders []string `yaml:"preflightHeaders"`
	// Strict requires a preflight header on every GET and form POST, even
	// without any sign of a browser (breaks plain GET clients).
	Strict bool `yaml:"strict"`
}

// RateLimit configures the per-principal token bucket.
type RateLimit struct {
	Disabled bool `yaml:"disabled"`
	// RequestsPerSecond refill the bucket (default 50).
	RequestsPerSecond float64 `yaml:"requestsPerSecond"`
	// Burst is the bucket's size (default 100).
	Burst int `yaml:"burst"`
}

// Redis is the shared store of rate-limit buckets and APQ documents when
// klynge runs as several replicas. Empty Addr: everything stays in memory.
type Redis struct {
	Addr         string `yaml:"addr"`
	Username     string `yaml:"username"`
	Password     string `yaml:"password"`
	PasswordFile string `yaml:"passwordFile"`
	DB           int    `yaml:"db"`
	TLS          bool   `yaml:"tls"`
	// KeyPrefix starts every key klynge writes (default "klynge:").
	KeyPrefix string `yaml:"keyPrefix"`
}

func (c *Config) fillGuardDefaults() {
	if c.RateLimit.RequestsPerSecond == 0 {
		c.RateLimit.RequestsPerSecond = 50
	}
	if c.RateLimit.Burst == 0 {
		c.RateLimit.Burst = 100
	}
	if c.TrustedDocuments.APQ.CacheSize == 0 {
		c.TrustedDocuments.APQ.CacheSize = 1000
	}
	if c.Redis.KeyPrefix == "" {
		c.Redis.KeyPrefix = "klynge:"
	}
}

var fieldCoordinate = regexp.MustCompile(`^[_A-Za-z][_0-9A-Za-z]*\.[_A-Za-z][_0-9A-Za-z]*$`)

func (c *Config) validateGuards() []error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: "+format, append([]any{key}, args...)...))
	}
	c.Limits.validate(bad)
	c.TrustedDocuments.validate(bad)
	c.validateBrowser(bad)
	c.validateShared(bad)
	return errs
}

// complain records that key breaks a rule, worded by format and args.
type complain func(key, format string, args ...any)

// validate checks the request and operation limits: byte limits within
// their hard ceilings, counts positive, 0 or -1, field costs and list
// sizes keyed by Type.field and not negative.
func (l Limits) validate(bad complain) {
	if l.MaxRequestBytes < 0 || l.MaxRequestBytes > 64<<20 {
		bad("limits.maxRequestBytes", "must be between 1 and 67108864 (0 for the default), got %d", l.MaxRequestBytes)
	}
	if l.MaxHeaderBytes < 0 || l.MaxHeaderBytes > 1<<20 {
		bad("limits.maxHeaderBytes", "must be between 1 and 1048576 (0 for the default), got %d", l.MaxHeaderBytes)
	}
	for _, lim := range []struct {
		key string
		v   int
	}{
		{"limits.maxDocumentBytes", l.MaxDocumentBytes}, {"limits.maxTokens", l.MaxTokens},
		{"limits.maxDepth", l.MaxDepth}, {"limits.maxAliases", l.MaxAliases},
		{"limits.maxRootFields", l.MaxRootFields}, {"limits.maxDirectivesPerField", l.MaxDirectivesPerField},
		{"limits.maxCost", l.MaxCost},
	} {
		if lim.v < -1 {
			bad(lim.key, "must be positive, 0 for the default or -1 for no limit, got %d", lim.v)
		}
	}
	if l.AssumedListSize < 0 {
		bad("limits.assumedListSize", "must not be negative, got %d", l.AssumedListSize)
	}
	for _, m := range []struct {
		key string
		v   map[string]int
	}{{"limits.fieldCosts", l.FieldCosts}, {"limits.listSizes", l.ListSizes}} {
		for _, coord := range slices.Sorted(maps.Keys(m.v)) {
			if !fieldCoordinate.MatchString(coord) {
				bad(m.key, "keys are Type.field, got %q", coord)
			}
			if m.v[coord] < 0 {
				bad(m.key+"."+coord, "must not be negative, got %d", m.v[coord])
			}
		}
	}
}

func (td TrustedDocuments) validate(bad complain) {
	if td.Enforce && td.Manifest == "" {
		bad("trustedDocuments.enforce", "needs trustedDocuments.manifest")
	}
	if td.RequireID && !td.Enforce {
		bad("trustedDocuments.requireId", "only applies with trustedDocuments.enforce")
	}
	if td.APQ.CacheSize < 0 {
		bad("trustedDocuments.apq.cacheSize", "must not be negative, got %d", td.APQ.CacheSize)
	}
}

// validateBrowser checks what browsers are told: origins are origins (or
// "*", never with credentials), preflight headers are header names.
func (c *Config) validateBrowser(bad complain) {
	for i, o := range c.CORS.AllowedOrigins {
		if o == "*" {
			if c.CORS.AllowCredentials {
				bad("cors.allowedOrigins", `"*" cannot be combined with cors.allowCredentials`)
			}
			continue
		}
		if u, err := url.Parse(o); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
			(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.User != nil {
			bad(fmt.Sprintf("cors.allowedOrigins[%d]", i), "must be an origin such as https://portal.example.dk (scheme and host, no path), got %q", o)
		}
	}
	for i, h := range c.CSRF.PreflightHeaders {
		if strings.TrimSpace(h) == "" || strings.ContainsAny(h, " :\t") {
			bad(fmt.Sprintf("csrf.preflightHeaders[%d]", i), "must be a header name, got %q", h)
		}
	}
}

// validateShared checks the rate limit and the Redis the replicas share.
func (c *Config) validateShared(bad complain) {
	if c.RateLimit.RequestsPerSecond < 0 {
		bad("rateLimit.requestsPerSecond", "must be above 0, got %v", c.RateLimit.RequestsPerSecond)
	}
	if c.RateLimit.Burst < 0 {
		bad("rateLimit.burst", "must be at least 1, got %d", c.RateLimit.Burst)
	}
	if c.Redis.Addr != "" {
		if _, _, err := net.SplitHostPort(c.Redis.Addr); err != nil {
			bad("redis.addr", "must be host:port, got %q", c.Redis.Addr)
		}
	}
	if c.Redis.Password != "" && c.Redis.PasswordFile != "" {
		bad("redis", "set password or passwordFile, not both")
	}
	if c.Redis.DB < 0 || c.Redis.DB > 15 {
		bad("redis.db", "must be between 0 and 15, got %d", c.Redis.DB)
	}
}
