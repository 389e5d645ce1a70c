// Package config is klynge's configuration: one YAML file (klynge.yaml)
// with KLYNGE_... environment overrides, decoded strictly (an unknown key is
// an error, so a typo never silently falls back to a default) and validated
// at start-up with errors that name the key and the rule.
//
// It is data only: it builds nothing and opens nothing.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Config is the whole configuration of `klynge serve`.
type Config struct {
	// Listen is the gateway's address (default 127.0.0.1:8080).
	Listen string `yaml:"listen"`
	// Introspection lets clients query the schema (default off in serve).
	Introspection bool `yaml:"introspection"`
	// Playground serves GraphiQL at / (default off in serve).
	Playground bool `yaml:"playground"`
	// Log configures the process log.
	Log Log `yaml:"log"`
	// Upstreams are the existing systems the graph reads.
	Upstreams Upstreams `yaml:"upstreams"`
	// Loaders tune batching.
	Loaders Loaders `yaml:"loaders"`
	// Pathways are the handover rules' windows and thresholds.
	Pathways Pathways `yaml:"pathways"`
	// Limits bound requests and operations.
	Limits Limits `yaml:"limits"`
	// TrustedDocuments configure which documents may run, and APQ.
	TrustedDocuments TrustedDocuments `yaml:"trustedDocuments"`
	// CORS configures browser origins.
	CORS CORS `yaml:"cors"`
	// CSRF configures the refusal of cross-site simple requests.
	CSRF CSRF `yaml:"csrf"`
	// RateLimit configures the per-principal token bucket.
	RateLimit RateLimit `yaml:"rateLimit"`
	// Redis is shared state for several replicas (rate limits, APQ).
	Redis Redis `yaml:"redis"`
	// Auth names the identity provider whose tokens the gateway accepts.
	Auth Authentication `yaml:"auth"`
	// Audit is where the access log is kept.
	Audit Audit `yaml:"audit"`
	// Access tunes the access rules' windows and integrators' pseudonyms.
	Access Access `yaml:"access"`
	// Server bounds concurrent operations, request deadlines and shutdown.
	Server Server `yaml:"server"`
	// Tracing configures OpenTelemetry traces.
	Tracing Tracing `yaml:"tracing"`
	// Metrics configures the Prometheus endpoint's listener and labels.
	Metrics Metrics `yaml:"metrics"`
	// Alerts configures handover alerts (subscriptions and their watchers).
	Alerts Alerts `yaml:"alerts"`
}

// Log configures the JSON process log.
type Log struct {
	// Level is debug, info, warn or error (default info).
	Level string `yaml:"level"`
}

// Loaders tune the per-operation dataloaders.
type Loaders struct {
	// Wait is how long a loader collects keys before asking (default 1ms).
	Wait Duration `yaml:"wait"`
	// History is how far back time-windowed reads go (default 400 days).
	History Duration `yaml:"history"`
}

// Pathways are the handover rules: the default rule set (its keys at the
// top of the section) and the rule sets clusters agreed locally, by cluster
// id. Zero or absent keys keep the defaults of pathway.DefaultRules; a
// cluster's absent keys keep the default rule set's values.
type Pathways struct {
	PathwayRules `yaml:",inline"`
	// Clusters are local rule sets by registry cluster id
	// (sjaelland-naestved-slagelse); each must name its ruleSet and version.
	Clusters map[string]PathwayRules `yaml:"clusters"`
}

// PathwayRules mirror pathway.Rules; zero means "keep the value inherited".
type PathwayRules struct {
	// RuleSet and Version name the rule set on every gap it finds.
	RuleSet                       string   `yaml:"ruleSet"`
	Version                       string   `yaml:"version"`
	TransferWindow                Duration `yaml:"transferWindow"`
	FollowUp                      Duration `yaml:"followUp"`
	ExtendedResponsibility        Duration `yaml:"extendedResponsibility"`
	ExtendedResponsibilityMinStay Duration `yaml:"extendedResponsibilityMinStay"`
	// ExtendedResponsibilityMinAge: the 72-hour rule's minimum age (default
	// 18; 0 for every age).
	ExtendedResponsibilityMinAge *int `yaml:"extendedResponsibilityMinAge"`
	// IncludePsychiatric applies the 72-hour rule to psychiatric stays too
	// (default false: they are excluded).
	IncludePsychiatric   *bool    `yaml:"includePsychiatric"`
	NotificationGrace    Duration `yaml:"notificationGrace"`
	CareVisitWithin      Duration `yaml:"careVisitWithin"`
	OutOfHoursWithin     Duration `yaml:"outOfHoursWithin"`
	ReadmissionWithin    Duration `yaml:"readmissionWithin"`
	ReferralAnswerWithin Duration `yaml:"referralAnswerWithin"`
	MedicationCoverDays  int      `yaml:"medicationCoverDays"`
	// NursingServices are FSIII patterns of municipal nursing (default
	// [G1.*]): active at a discharge home, they bring the 72-hour rule.
	NursingServices []string `yaml:"nursingServices"`
	// CareNeeds replace the default care needs when set.
	CareNeeds []CareNeed `yaml:"careNeeds"`
	// Readmission is the readmission definition.
	Readmission Readmission `yaml:"readmission"`
	// DisabledRules are gap kinds this rule set does not evaluate.
	DisabledRules []string `yaml:"disabledRules"`
}

// CareNeed is one kind of care that must resume after discharge.
type CareNeed struct {
	Name         string   `yaml:"name"`
	Services     []string `yaml:"services"`
	Destinations []string `yaml:"destinations"`
	MetBy        []string `yaml:"metBy"`
}

// Readmission is which stays count as readmissions; absent keys inherit.
type Readmission struct {
	AcuteOnly              *bool `yaml:"acuteOnly"`
	IncludeAcuteOutpatient *bool `yaml:"includeAcuteOutpatient"`
	IncludeHomeAdmissions  *bool `yaml:"includeHomeAdmissions"`
	IncludePsychiatric     *bool `yaml:"includePsychiatric"`
}

// Duration is a time.Duration written as in Go ("250ms", "72h").
type Duration time.Duration

// UnmarshalYAML reads "250ms"-style strings.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	var s string
	if err := n.Decode(&s); err != nil {
		return fmt.Errorf("must be a duration such as 250ms or 72h")
	}
	return d.parse(s)
}

func (d *Duration) parse(s string) error {
	v, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil {
		return fmt.Errorf("must be a duration such as 250ms or 72h, got %q", s)
	}
	if v < 0 {
		return fmt.Errorf("must not be negative, got %q", s)
	}
	*d = Duration(v)
	return nil
}

// D is the value as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// Load reads path (if not empty), applies environment overrides from env
// (os.Environ() form), fills defaults and validates.
func Load(path string, env []string) (*Config, error) {
	cfg := &Config{}
	if path != "" {
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("config: %w", err)
		}
		defer f.Close()
		if err := decode(f, cfg); err != nil {
			return nil, fmt.Errorf("config %s: %w", path, err)
		}
	}
	if err := ApplyEnv(cfg, env); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	if err := cfg.Complete(); err != nil {
		return nil, err
	}
	return cfg, nil
}

// Complete fills defaults and validates a configuration built in code (as
// `klynge demo` does), exactly as Load does for a file.
func (c *Config) Complete() error {
	c.fillDefaults()
	if err := c.Validate(); err != nil {
		return fmt.Errorf("config: %w", err)
	}
	return nil
}

func decode(r io.Reader, cfg *Config) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil
	}
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(cfg); err != nil {
		var te *yaml.TypeError
		if errors.As(err, &te) {
			return errors.New(strings.Join(te.Errors, "; "))
		}
		return err
	}
	return nil
}

func (c *Config) fillDefaults() {
	if c.Listen == "" {
		c.Listen = "127.0.0.1:8080"
	}
	if c.Log.Level == "" {
		c.Log.Level = "info"
	}
	c.Upstreams.fillDefaults()
	c.fillGuardDefaults()
	c.fillAccessDefaults()
	c.fillOperationsDefaults()
	c.fillMetricsDefaults()
	c.fillAlertsDefaults()
}

// Validate checks every value; the error names each bad key and its rule.
func (c *Config) Validate() error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: "+format, append([]any{key}, args...)...))
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		bad("log.level", "must be debug, info, warn or error, got %q", c.Log.Level)
	}
	if c.Loaders.Wait.D() > 100*time.Millisecond {
		bad("loaders.wait", "must be at most 100ms (it is added to every batched level), got %s", c.Loaders.Wait.D())
	}
	if c.Pathways.MedicationCoverDays < 0 || c.Pathways.MedicationCoverDays > 30 {
		bad("pathways.medicationCoverDays", "must be between 1 and 30, got %d", c.Pathways.MedicationCoverDays)
	}
	errs = append(errs, c.Upstreams.validate()...)
	errs = append(errs, c.validateGuards()...)
	errs = append(errs, c.validateAccess()...)
	errs = append(errs, c.validateOperations()...)
	errs = append(errs, c.validateMetrics()...)
	errs = append(errs, c.validateAlerts()...)
	return errors.Join(errs...)
}
