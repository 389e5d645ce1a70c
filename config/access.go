package config

import (
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Authentication configures how the gateway authenticates its callers: bearer JWTs
// from one OpenID Connect issuer (server/auth, docs/ACCESS.md).
type Authentication struct {
	// Issuer is the issuer URL exactly as it writes itself in discovery
	// and in tokens' iss. Required.
	Issuer string `yaml:"issuer"`
	// Audience must be among a token's aud values (default "klynge").
	Audience string `yaml:"audience"`
	// ClockSkew is how long after exp a token is still accepted (default
	// 30s, at most 5m).
	ClockSkew Duration `yaml:"clockSkew"`
	// KeyRefreshInterval is the least time between key-set fetches caused
	// by tokens naming unknown keys (default 10s).
	KeyRefreshInterval Duration `yaml:"keyRefreshInterval"`
	// KeyMaxAge is how long a fetched key set is trusted before it is
	// fetched again (default 1h).
	KeyMaxAge Duration `yaml:"keyMaxAge"`
	// MaxTokenLifetime is the longest a token may be valid, from iat (or
	// now) to exp (default 12h, at most 168h).
	MaxTokenLifetime Duration `yaml:"maxTokenLifetime"`
}

// Audit configures the access log (package audit): SQLite in a local file
// by default, PostgreSQL when several replicas share one log.
type Audit struct {
	// SQLite is the log's file (default klynge-audit.db when postgres is
	// not set).
	SQLite string `yaml:"sqlite"`
	// Postgres is a pgx connection string (postgres://user:pass@host/db);
	// set it, e.g. with KLYNGE_AUDIT_POSTGRES, instead of sqlite.
	Postgres string `yaml:"postgres"`
	// MaxBatch is the most records one group commit holds (default 256).
	MaxBatch int `yaml:"maxBatch"`
	// CommitTimeout bounds one group commit (default 10s).
	CommitTimeout Duration `yaml:"commitTimeout"`
	// ChainKey seals every record, grant and checkpoint (HMAC-SHA256; at
	// least 32 bytes). Keep it outside the database: give it by
	// KLYNGE_AUDIT_CHAINKEY or, better, chainKeyFile. Required by serve.
	ChainKey string `yaml:"chainKey"`
	// ChainKeyFile is a file holding the chain key (its first line).
	ChainKeyFile string `yaml:"chainKeyFile"`
	// PreviousChainKeyFiles hold earlier chain keys, which only verify
	// what they sealed (rotation: docs/ACCESS.md).
	PreviousChainKeyFiles []string `yaml:"previousChainKeyFiles"`
	// CheckpointFile is where the chain head is checkpointed, outside the
	// database (a volume its administrators cannot write); klynge audit
	// verify checks the log against it. Empty: no checkpoints.
	CheckpointFile string `yaml:"checkpointFile"`
	// CheckpointInterval is the time between checkpoints (default 10s).
	CheckpointInterval Duration `yaml:"checkpointInterval"`
}

// Access configures the access rules (package access); zero values are the
// rules' defaults. The rules validate the values when they are built.
type Access struct {
	// HospitalWindow: how long after an encounter a clinician at its
	// department or hospital keeps a care relationship (default 720h).
	HospitalWindow Duration `yaml:"hospitalWindow"`
	// OutOfHoursWindow: how long after a contact the out-of-hours service
	// keeps one (default 24h).
	OutOfHoursWindow Duration `yaml:"outOfHoursWindow"`
	// GPContactWindow: how recent a contact with a GP's practice in the GP
	// feed must be to stand in for the listing while the patient index does
	// not answer (default 365 days).
	GPContactWindow Duration `yaml:"gpContactWindow"`
	// ServiceEndedWindow: how long after its last service ended a
	// municipality keeps one (default 0: only while services last).
	ServiceEndedWindow Duration `yaml:"serviceEndedWindow"`
	// BreakGlassDuration: how long a break-the-glass grant lasts (default 4h).
	BreakGlassDuration Duration `yaml:"breakGlassDuration"`
	// BreakGlassMinReason: the fewest visible characters a reason must
	// have (default 20).
	BreakGlassMinReason int `yaml:"breakGlassMinReason"`
	// BreakGlassLimit: how many grants one person may be given in
	// breakGlassLimitPeriod (default 10).
	BreakGlassLimit int `yaml:"breakGlassLimit"`
	// BreakGlassLimitPeriod: the period the limit counts over (default 24h).
	BreakGlassLimitPeriod Duration `yaml:"breakGlassLimitPeriod"`
	// PseudonymSecret keys the pseudonyms integrators see (at least 32
	// bytes; give it by KLYNGE_ACCESS_PSEUDONYMSECRET). Every replica needs
	// the same one, and changing it changes every pseudonym. Without it,
	// integrators get no cluster data.
	PseudonymSecret string `yaml:"pseudonymSecret"`
}

// DefaultAudience and DefaultAuditFile are the defaults of auth.audience
// and audit.sqlite.
const (
	DefaultAudience  = "klynge"
	DefaultAuditFile = "klynge-audit.db"
)

func (c *Config) fillAccessDefaults() {
	if c.Auth.Audience == "" {
		c.Auth.Audience = DefaultAudience
	}
	if c.Audit.SQLite == "" && c.Audit.Postgres == "" {
		c.Audit.SQLite = DefaultAuditFile
	}
}

func (c *Config) validateAccess() []error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: "+format, append([]any{key}, args...)...))
	}
	a := c.Auth
	switch u, err := url.Parse(a.Issuer); {
	case a.Issuer == "":
		bad("auth.issuer", "is required: the OpenID Connect issuer whose tokens the gateway accepts")
	case err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "":
		bad("auth.issuer", "must be an absolute http(s) URL without query or fragment, got %q", a.Issuer)
	}
	if strings.TrimSpace(a.Audience) == "" {
		bad("auth.audience", "must not be blank")
	}
	if a.ClockSkew.D() > 5*time.Minute {
		bad("auth.clockSkew", "must be at most 5m, got %s", a.ClockSkew.D())
	}
	if a.MaxTokenLifetime.D() > 7*24*time.Hour {
		bad("auth.maxTokenLifetime", "must be at most 168h, got %s", a.MaxTokenLifetime.D())
	}
	if a.KeyMaxAge.D() != 0 && a.KeyMaxAge.D() < a.KeyRefreshInterval.D() {
		bad("auth.keyMaxAge", "must not be below auth.keyRefreshInterval")
	}

	au := c.Audit
	if au.SQLite != "" && au.Postgres != "" {
		bad("audit", "set sqlite or postgres, not both")
	}
	if au.MaxBatch < 0 || au.MaxBatch > 10000 {
		bad("audit.maxBatch", "must be between 1 and 10000 (0 for the default 256), got %d", au.MaxBatch)
	}
	if au.CommitTimeout.D() > 5*time.Minute {
		bad("audit.commitTimeout", "must be at most 5m, got %s", au.CommitTimeout.D())
	}
	if au.ChainKey != "" && au.ChainKeyFile != "" {
		bad("audit", "set chainKey or chainKeyFile, not both")
	}
	if au.ChainKey != "" && len(au.ChainKey) < 32 {
		bad("audit.chainKey", "must be at least 32 bytes, got %d", len(au.ChainKey))
	}
	if d := au.CheckpointInterval.D(); d != 0 && (d < time.Second || d > time.Hour) {
		bad("audit.checkpointInterval", "must be between 1s and 1h, got %s", d)
	}
	// The access section's values are checked by the rules themselves
	// when cmd/klynge builds them (accessRules).
	return errs
}
