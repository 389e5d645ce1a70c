package config

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Upstreams configure the existing systems. Settings left empty on a system
// come from Defaults, and then from the built-in defaults of
// connectors/upstream.
type Upstreams struct {
	Defaults   Upstream  `yaml:"defaults"`
	EHospital  EHospital `yaml:"ehospital"`
	OutOfHours Upstream  `yaml:"outofhours"`
	GPReferral Upstream  `yaml:"gpreferral"`
	Municipal  Municipal `yaml:"municipal"`
}

// Upstream is one system instance's connection settings.
type Upstream struct {
	BaseURL          string   `yaml:"baseURL"`
	Timeout          Duration `yaml:"timeout"`
	CallTimeout      Duration `yaml:"callTimeout"`
	Retry            Retry    `yaml:"retry"`
	Breaker          Breaker  `yaml:"breaker"`
	MaxResponseBytes int64    `yaml:"maxResponseBytes"`
	MaxIdleConns     int      `yaml:"maxIdleConns"`
	Auth             Auth     `yaml:"auth"`
}

// Retry bounds retries of safe calls.
type Retry struct {
	// Max retries of one call after its first attempt; nil means the
	// default, 0 none.
	Max *int `yaml:"max"`
	// BudgetRatio is the share of an instance's calls that may be retried
	// over 10 s (default 0.5); BudgetMinPerSecond a reserve on top (default
	// 10 per second).
	BudgetRatio        float64  `yaml:"budgetRatio"`
	BudgetMinPerSecond float64  `yaml:"budgetMinPerSecond"`
	WaitMin            Duration `yaml:"waitMin"`
	WaitMax            Duration `yaml:"waitMax"`
	RetryAfterMax      Duration `yaml:"retryAfterMax"`
}

// Breaker configures the per-instance circuit breaker.
type Breaker struct {
	Disabled         bool     `yaml:"disabled"`
	MinRequests      int      `yaml:"minRequests"`
	FailureRatio     float64  `yaml:"failureRatio"`
	OpenFor          Duration `yaml:"openFor"`
	HalfOpenRequests int      `yaml:"halfOpenRequests"`
	Window           Duration `yaml:"window"`
}

// Auth holds credentials: a bearer token (inline or in a file, re-read when
// it changes) and/or a TLS client certificate, and a private CA.
type Auth struct {
	BearerToken     string `yaml:"bearerToken"`
	BearerTokenFile string `yaml:"bearerTokenFile"`
	CertFile        string `yaml:"certFile"`
	KeyFile         string `yaml:"keyFile"`
	CAFile          string `yaml:"caFile"`
}

// EHospital adds the FHIR identifier system used for CPR searches.
type EHospital struct {
	Upstream `yaml:",inline"`
	// CPRIdentifierSystem is the identifier system CPR numbers are searched
	// and read with (default urn:oid:1.2.208.176.1.2, the CPR). The demo and
	// the sandbox use klynge's synthetic-CPR system so that no synthetic
	// number ever claims the real CPR system.
	CPRIdentifierSystem string `yaml:"cprIdentifierSystem"`
	// PublicBaseURL is the base the FHIR server writes into its links when
	// it sits behind a proxy under another name; links under it are
	// followed on baseURL (docs/CONNECTING.md). Empty: the links name
	// baseURL itself.
	PublicBaseURL string `yaml:"publicBaseURL"`
	// PageSize is the _count klynge asks for, 1..1000 (default 100);
	// servers may cap it lower and klynge follows their pages.
	PageSize int `yaml:"pageSize"`
	// CapabilityRefresh is how often the server's CapabilityStatement is
	// read again after start-up (default 1h).
	CapabilityRefresh Duration `yaml:"capabilityRefresh"`
}

// DefaultCapabilityRefresh is how often the FHIR CapabilityStatement is
// read again.
const DefaultCapabilityRefresh = Duration(time.Hour)

// Municipal configures one care-system instance per municipality: either
// listed one by one under Instances, or built from BaseURLTemplate (with
// "{code}" replaced by the 3-digit code) for every code in Codes. An
// Instances entry overrides the template for its code.
type Municipal struct {
	Upstream        `yaml:",inline"`
	BaseURLTemplate string           `yaml:"baseURLTemplate"`
	Codes           []int            `yaml:"codes"`
	Instances       map[int]Upstream `yaml:"instances"`
}

// DefaultCPRIdentifierSystem is the real CPR system.
const DefaultCPRIdentifierSystem = "urn:oid:1.2.208.176.1.2"

func (u *Upstreams) fillDefaults() {
	if u.EHospital.CPRIdentifierSystem == "" {
		u.EHospital.CPRIdentifierSystem = DefaultCPRIdentifierSystem
	}
	if u.EHospital.CapabilityRefresh == 0 {
		u.EHospital.CapabilityRefresh = DefaultCapabilityRefresh
	}
	u.EHospital.Upstream = u.EHospital.Upstream.over(u.Defaults)
	u.OutOfHours = u.OutOfHours.over(u.Defaults)
	u.GPReferral = u.GPReferral.over(u.Defaults)
	municipalDefaults := u.Municipal.Upstream.over(u.Defaults)
	municipalDefaults.BaseURL = ""
	if u.Municipal.Instances == nil {
		u.Municipal.Instances = map[int]Upstream{}
	}
	for _, code := range u.Municipal.Codes {
		if _, ok := u.Municipal.Instances[code]; !ok {
			u.Municipal.Instances[code] = Upstream{}
		}
	}
	for code, inst := range u.Municipal.Instances {
		// An instance without its own URL (e.g. one given only a token by
		// environment) takes the template's.
		if inst.BaseURL == "" && u.Municipal.BaseURLTemplate != "" {
			inst.BaseURL = strings.ReplaceAll(u.Municipal.BaseURLTemplate, "{code}", fmt.Sprint(code))
		}
		u.Municipal.Instances[code] = inst.over(municipalDefaults)
	}
}

// over fills u's empty settings from d.
func (u Upstream) over(d Upstream) Upstream {
	pick := func(a, b Duration) Duration {
		if a == 0 {
			return b
		}
		return a
	}
	u.Timeout = pick(u.Timeout, d.Timeout)
	u.CallTimeout = pick(u.CallTimeout, d.CallTimeout)
	if u.Retry.Max == nil {
		u.Retry.Max = d.Retry.Max
	}
	u.Retry.WaitMin = pick(u.Retry.WaitMin, d.Retry.WaitMin)
	u.Retry.WaitMax = pick(u.Retry.WaitMax, d.Retry.WaitMax)
	u.Retry.RetryAfterMax = pick(u.Retry.RetryAfterMax, d.Retry.RetryAfterMax)
	if u.Retry.BudgetRatio == 0 {
		u.Retry.BudgetRatio = d.Retry.BudgetRatio
	}
	if u.Retry.BudgetMinPerSecond == 0 {
		u.Retry.BudgetMinPerSecond = d.Retry.BudgetMinPerSecond
	}
	u.Breaker = u.Breaker.over(d.Breaker)
	if u.MaxResponseBytes == 0 {
		u.MaxResponseBytes = d.MaxResponseBytes
	}
	if u.MaxIdleConns == 0 {
		u.MaxIdleConns = d.MaxIdleConns
	}
	if u.Auth == (Auth{}) {
		u.Auth = d.Auth
	}
	return u
}

// over fills b's empty settings from d one by one, so that a system which
// sets only breaker.openFor keeps the defaults' minRequests and ratio.
// Disabled in the defaults disables every system's breaker.
func (b Breaker) over(d Breaker) Breaker {
	b.Disabled = b.Disabled || d.Disabled
	if b.MinRequests == 0 {
		b.MinRequests = d.MinRequests
	}
	if b.FailureRatio == 0 {
		b.FailureRatio = d.FailureRatio
	}
	if b.OpenFor == 0 {
		b.OpenFor = d.OpenFor
	}
	if b.HalfOpenRequests == 0 {
		b.HalfOpenRequests = d.HalfOpenRequests
	}
	if b.Window == 0 {
		b.Window = d.Window
	}
	return b
}

func (u *Upstreams) validate() []error {
	var errs []error
	errs = append(errs, u.EHospital.Upstream.validate("upstreams.ehospital", true)...)
	if pub := u.EHospital.PublicBaseURL; pub != "" {
		if p, err := url.Parse(pub); err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" || p.RawQuery != "" || p.User != nil {
			errs = append(errs, fmt.Errorf("upstreams.ehospital.publicBaseURL: must be an absolute http(s) URL without query or credentials, got %q", pub))
		}
	}
	if n := u.EHospital.PageSize; n < 0 || n > 1000 {
		errs = append(errs, fmt.Errorf("upstreams.ehospital.pageSize: must be between 1 and 1000, got %d", n))
	}
	errs = append(errs, u.OutOfHours.validate("upstreams.outofhours", true)...)
	errs = append(errs, u.GPReferral.validate("upstreams.gpreferral", true)...)
	if len(u.Municipal.Instances) == 0 {
		errs = append(errs, fmt.Errorf("upstreams.municipal: name at least one instance (instances, or codes with baseURLTemplate)"))
	}
	if u.Municipal.BaseURLTemplate != "" && !strings.Contains(u.Municipal.BaseURLTemplate, "{code}") {
		errs = append(errs, fmt.Errorf("upstreams.municipal.baseURLTemplate: must contain {code}"))
	}
	codes := make([]int, 0, len(u.Municipal.Instances))
	for code := range u.Municipal.Instances {
		codes = append(codes, code)
	}
	slices.Sort(codes)
	for _, code := range codes {
		key := fmt.Sprintf("upstreams.municipal.instances.%d", code)
		if code < 100 || code > 999 {
			errs = append(errs, fmt.Errorf("%s: %d is not a 3-digit municipality code", key, code))
			continue
		}
		errs = append(errs, u.Municipal.Instances[code].validate(key, true)...)
	}
	return errs
}

func (u Upstream) validate(key string, needURL bool) []error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s.%s: "+format, append([]any{key, field}, args...)...))
	}
	if u.BaseURL == "" {
		if needURL {
			bad("baseURL", "is required")
		}
	} else if p, err := url.Parse(u.BaseURL); err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		bad("baseURL", "must be an absolute http(s) URL, got %q", u.BaseURL)
	}
	if u.Retry.Max != nil && (*u.Retry.Max < 0 || *u.Retry.Max > 10) {
		bad("retry.max", "must be between 0 and 10, got %d", *u.Retry.Max)
	}
	if r := u.Retry.BudgetRatio; r != 0 && (r <= 0 || r > 1) {
		bad("retry.budgetRatio", "must be in (0, 1], got %v", r)
	}
	if r := u.Retry.BudgetMinPerSecond; r < 0 || r > 1000 {
		bad("retry.budgetMinPerSecond", "must be between 0 and 1000, got %v", r)
	}
	if u.Retry.WaitMax != 0 && u.Retry.WaitMax < u.Retry.WaitMin {
		bad("retry.waitMax", "must not be below retry.waitMin")
	}
	if r := u.Breaker.FailureRatio; r != 0 && (r <= 0 || r > 1) {
		bad("breaker.failureRatio", "must be in (0, 1], got %v", r)
	}
	if u.Breaker.MinRequests < 0 {
		bad("breaker.minRequests", "must not be negative")
	}
	if u.MaxResponseBytes < 0 {
		bad("maxResponseBytes", "must not be negative")
	}
	if (u.Auth.CertFile == "") != (u.Auth.KeyFile == "") {
		bad("auth", "certFile and keyFile go together")
	}
	if u.Auth.BearerToken != "" && u.Auth.BearerTokenFile != "" {
		bad("auth", "set bearerToken or bearerTokenFile, not both")
	}
	return errs
}
