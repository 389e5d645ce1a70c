package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func writeFile(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "klynge.yaml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

const minimal = `
auth: {issuer: "https://idp.example/realms/klynge"}
upstreams:
  ehospital: {baseURL: "http://127.0.0.1:8081/ehospital/fhir"}
  outofhours: {baseURL: "http://127.0.0.1:8081/outofhours/api/v1"}
  gpreferral: {baseURL: "http://127.0.0.1:8081/gpreferral"}
  municipal:
    baseURLTemplate: "http://127.0.0.1:8081/municipal/{code}/api"
    codes: [330, 370]
`

func TestLoadFillsDefaultsAndTemplates(t *testing.T) {
	cfg, err := Load(writeFile(t, minimal+`
  defaults:
    timeout: 1500ms
    auth: {bearerToken: shared}
`), nil)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if cfg.Listen != "127.0.0.1:8080" || cfg.Log.Level != "info" {
		t.Errorf("defaults not filled: listen %q level %q", cfg.Listen, cfg.Log.Level)
	}
	got := cfg.Upstreams.Municipal.Instances[330]
	if got.BaseURL != "http://127.0.0.1:8081/municipal/330/api" {
		t.Errorf("template not applied: %q", got.BaseURL)
	}
	if got.Timeout.D() != 1500*time.Millisecond || got.Auth.BearerToken != "shared" {
		t.Errorf("defaults not inherited by a municipal instance: %+v", got)
	}
	if cfg.Upstreams.EHospital.CPRIdentifierSystem != DefaultCPRIdentifierSystem {
		t.Errorf("CPR system default = %q", cfg.Upstreams.EHospital.CPRIdentifierSystem)
	}
}

func TestEnvironmentOverrides(t *testing.T) {
	cfg, err := Load(writeFile(t, minimal), []string{
		"KLYNGE_UPSTREAMS_EHOSPITAL_BASEURL=https://ehospital.example/fhir",
		"KLYNGE_UPSTREAMS_MUNICIPAL_INSTANCES_330_AUTH_BEARERTOKEN=secret",
		"KLYNGE_UPSTREAMS_OUTOFHOURS_RETRY_MAX=0",
		"KLYNGE_INTROSPECTION=true",
		"KLYNGE_CORS_ALLOWEDORIGINS=http://localhost:5173, https://portal.example.dk",
		"KLYNGE_LIMITS_FIELDCOSTS=Citizen.timeline:4,Citizen.referrals:2",
		"KLYNGE_TEST_POSTGRES_DSN=ignored",
		"PATH=/usr/bin",
	})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if cfg.Upstreams.EHospital.BaseURL != "https://ehospital.example/fhir" {
		t.Errorf("ehospital baseURL = %q", cfg.Upstreams.EHospital.BaseURL)
	}
	inst := cfg.Upstreams.Municipal.Instances[330]
	if inst.Auth.BearerToken != "secret" || inst.BaseURL != "http://127.0.0.1:8081/municipal/330/api" {
		t.Errorf("instance 330 = %+v: the env token must merge with the templated URL", inst)
	}
	if cfg.Upstreams.OutOfHours.Retry.Max == nil || *cfg.Upstreams.OutOfHours.Retry.Max != 0 {
		t.Errorf("retry.max 0 from env must mean no retries, got %v", cfg.Upstreams.OutOfHours.Retry.Max)
	}
	if !cfg.Introspection {
		t.Error("KLYNGE_INTROSPECTION not applied")
	}
	if got := cfg.CORS.AllowedOrigins; len(got) != 2 || got[0] != "http://localhost:5173" || got[1] != "https://portal.example.dk" {
		t.Errorf("KLYNGE_CORS_ALLOWEDORIGINS gave %q", got)
	}
	if got := cfg.Limits.FieldCosts; len(got) != 2 || got["Citizen.timeline"] != 4 || got["Citizen.referrals"] != 2 {
		t.Errorf("KLYNGE_LIMITS_FIELDCOSTS gave %v", got)
	}
}

func TestBadConfigurationNamesKeyAndRule(t *testing.T) {
	tests := []struct {
		name, yaml string
		env        []string
		want       []string
	}{
		{"unknown key (typo)", minimal + "\nintrospektion: true\n", nil, []string{"introspektion", "not found"}},
		{"missing base URL", `upstreams: {municipal: {baseURLTemplate: "http://x/{code}", codes: [330]}}`, nil,
			[]string{"upstreams.ehospital.baseURL: is required", "upstreams.outofhours.baseURL: is required"}},
		{"relative URL", strings.Replace(minimal, `"http://127.0.0.1:8081/gpreferral"`, `"gpreferral"`, 1), nil,
			[]string{"upstreams.gpreferral.baseURL: must be an absolute http(s) URL"}},
		{"bad duration", minimal + "\nloaders: {wait: soon}\n", nil, []string{"must be a duration"}},
		{"wait too long", minimal + "\nloaders: {wait: 2s}\n", nil, []string{"loaders.wait: must be at most 100ms"}},
		{"bad municipal code", minimal, []string{"KLYNGE_UPSTREAMS_MUNICIPAL_INSTANCES_33_BASEURL=http://x"}, []string{"upstreams.municipal.instances.33: 33 is not a 3-digit"}},
		{"env typo", minimal, []string{"KLYNGE_UPSTREAMS_EHOSPTAL_BASEURL=http://x"}, []string{"KLYNGE_UPSTREAMS_EHOSPTAL_BASEURL: names no configuration setting"}},
		{"env bad bool", minimal, []string{"KLYNGE_PLAYGROUND=yes please"}, []string{"KLYNGE_PLAYGROUND: must be true or false"}},
		{"env map without values", minimal, []string{"KLYNGE_LIMITS_FIELDCOSTS=Citizen.timeline"}, []string{"KLYNGE_LIMITS_FIELDCOSTS: must be name:value pairs"}},
		{"env map bad value", minimal, []string{"KLYNGE_LIMITS_LISTSIZES=Region.municipalities:many"}, []string{"KLYNGE_LIMITS_LISTSIZES: Region.municipalities: must be a whole number"}},
		{"breaker ratio", minimal + "\n  defaults: {breaker: {failureRatio: 1.5}}\n", nil, []string{"breaker.failureRatio: must be in (0, 1]"}},
		{"template without code", `upstreams: {municipal: {baseURLTemplate: "http://x/", codes: [330]}}`, nil, []string{"baseURLTemplate: must contain {code}"}},
		{"log level", minimal + "\nlog: {level: loud}\n", nil, []string{"log.level: must be debug, info, warn or error"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(writeFile(t, tt.yaml), tt.env)
			if err == nil {
				t.Fatal("Load accepted a bad configuration")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestMissingFileIsAClearError(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.yaml"), nil)
	if err == nil || !strings.Contains(err.Error(), "nope.yaml") {
		t.Fatalf("err = %v", err)
	}
}

func TestGuardSections(t *testing.T) {
	cfg, err := Load(writeFile(t, minimal+`
limits:
  maxDepth: 8
  maxCost: -1
  fieldCosts: {Citizen.timeline: 4}
  listSizes: {Region.municipalities: 30}
trustedDocuments: {manifest: /etc/klynge/persisted-documents.json, enforce: true}
cors: {allowedOrigins: ["https://portal.example.dk"], maxAge: 5m}
redis: {addr: "127.0.0.1:6379"}
`), []string{"KLYNGE_RATELIMIT_BURST=7", "KLYNGE_LIMITS_MAXALIASES=12", "KLYNGE_CORS_ALLOWEDORIGINS=https://a.example,https://b.example"})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if cfg.Limits.MaxDepth != 8 || cfg.Limits.MaxCost != -1 || cfg.Limits.MaxAliases != 12 || cfg.Limits.FieldCosts["Citizen.timeline"] != 4 || cfg.Limits.ListSizes["Region.municipalities"] != 30 {
		t.Errorf("limits = %+v", cfg.Limits)
	}
	if !cfg.TrustedDocuments.Enforce || cfg.TrustedDocuments.APQ.CacheSize != 1000 {
		t.Errorf("trustedDocuments = %+v", cfg.TrustedDocuments)
	}
	if len(cfg.CORS.AllowedOrigins) != 2 || cfg.CORS.MaxAge.D() != 5*time.Minute {
		t.Errorf("cors = %+v", cfg.CORS)
	}
	if cfg.RateLimit.Burst != 7 || cfg.RateLimit.RequestsPerSecond != 50 || cfg.Redis.KeyPrefix != "klynge:" {
		t.Errorf("rateLimit = %+v, redis = %+v", cfg.RateLimit, cfg.Redis)
	}
}

func TestGuardSectionsAreValidated(t *testing.T) {
	cases := []struct {
		yaml string
		want string
	}{
		{"limits: {maxDepth: -2}", "limits.maxDepth: must be positive, 0 for the default or -1 for no limit"},
		{"limits: {maxRequestBytes: 100000000}", "limits.maxRequestBytes: must be between"},
		{"limits: {fieldCosts: {timeline: 3}}", `limits.fieldCosts: keys are Type.field, got "timeline"`},
		{"limits: {listSizes: {Region.municipalities: -1}}", "limits.listSizes.Region.municipalities: must not be negative"},
		{"trustedDocuments: {enforce: true}", "trustedDocuments.enforce: needs trustedDocuments.manifest"},
		{"trustedDocuments: {requireId: true}", "trustedDocuments.requireId: only applies with trustedDocuments.enforce"},
		{`cors: {allowedOrigins: ["https://portal.example.dk/app"]}`, "cors.allowedOrigins[0]: must be an origin"},
		{`cors: {allowedOrigins: ["*"], allowCredentials: true}`, `cors.allowedOrigins: "*" cannot be combined with cors.allowCredentials`},
		{`csrf: {preflightHeaders: ["X Bad"]}`, "csrf.preflightHeaders[0]: must be a header name"},
		{"rateLimit: {requestsPerSecond: -1}", "rateLimit.requestsPerSecond: must be above 0"},
		{"redis: {addr: localhost}", `redis.addr: must be host:port, got "localhost"`},
		{"redis: {addr: \"127.0.0.1:6379\", password: a, passwordFile: /b}", "redis: set password or passwordFile, not both"},
		{"limits: {maxDepht: 3}", "maxDepht"},
	}
	for _, tc := range cases {
		t.Run(tc.yaml, func(t *testing.T) {
			_, err := Load(writeFile(t, minimal+tc.yaml+"\n"), nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}
