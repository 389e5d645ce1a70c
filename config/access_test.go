package config

import (
	"strings"
	"testing"
	"time"
)

func TestAccessSectionsDefaults(t *testing.T) {
	cfg, err := Load(writeFile(t, minimal), nil)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if cfg.Auth.Audience != "klynge" {
		t.Errorf("auth.audience default %q", cfg.Auth.Audience)
	}
	if cfg.Audit.SQLite != DefaultAuditFile || cfg.Audit.Postgres != "" {
		t.Errorf("audit defaults %+v, want the SQLite file", cfg.Audit)
	}
	if cfg.Access != (Access{}) {
		t.Errorf("access %+v: left out, every key must stay zero (the rules' defaults)", cfg.Access)
	}
}

func TestAccessSectionsFromFileAndEnvironment(t *testing.T) {
	cfg, err := Load(writeFile(t, noIssuer()+`
auth: {issuer: "https://idp.region.example/realms/klynge", audience: klynge-gateway, clockSkew: 10s}
access: {hospitalWindow: 168h, breakGlassDuration: 2h}
`), []string{
		"KLYNGE_AUDIT_POSTGRES=postgres://klynge@db.example/audit",
		"KLYNGE_AUDIT_SQLITE=",
		"KLYNGE_ACCESS_PSEUDONYMSECRET=" + strings.Repeat("s", 32),
		"KLYNGE_ACCESS_BREAKGLASSMINREASON=30",
	})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if cfg.Auth.Issuer != "https://idp.region.example/realms/klynge" || cfg.Auth.Audience != "klynge-gateway" || cfg.Auth.ClockSkew.D() != 10*time.Second {
		t.Errorf("auth %+v", cfg.Auth)
	}
	if cfg.Audit.Postgres == "" || cfg.Audit.SQLite != "" {
		t.Errorf("audit %+v: postgres from the environment must replace the SQLite default", cfg.Audit)
	}
	a := cfg.Access
	if a.HospitalWindow.D() != 7*24*time.Hour || a.BreakGlassDuration.D() != 2*time.Hour || a.BreakGlassMinReason != 30 || a.OutOfHoursWindow != 0 {
		t.Errorf("access %+v", a)
	}
	if len(cfg.Access.PseudonymSecret) != 32 {
		t.Error("pseudonym secret not read from the environment")
	}
}

func TestAccessSectionsRefuseBadValues(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		env  []string
		want string
	}{
		{"no issuer", noIssuer(), nil, "auth.issuer: is required"},
		{"relative issuer", noIssuer() + "\nauth: {issuer: /realms/klynge}\n", nil, "auth.issuer: must be an absolute http(s) URL"},
		{"blank audience", minimal, []string{"KLYNGE_AUTH_AUDIENCE= "}, "auth.audience: must not be blank"},
		{"huge clock skew", minimal, []string{"KLYNGE_AUTH_CLOCKSKEW=1h"}, "auth.clockSkew: must be at most 5m"},
		{"both stores", minimal + "\naudit: {sqlite: a.db, postgres: postgres://x/y}\n", nil, "audit: set sqlite or postgres, not both"},
		{"negative batch", minimal + "\naudit: {maxBatch: -1}\n", nil, "audit.maxBatch: must be between 1 and 10000"},
		{"unknown key", minimal + "\naccess: {hospitalWindw: 1h}\n", nil, "hospitalWindw"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(writeFile(t, tt.yaml), tt.env)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Load = %v, want an error containing %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "short\"") || strings.Contains(err.Error(), "postgres://x") {
				t.Fatalf("error %q quotes a secret", err)
			}
		})
	}
}

// noIssuer is the minimal configuration without its auth section.
func noIssuer() string {
	return strings.Replace(minimal, `auth: {issuer: "https://idp.example/realms/klynge"}`, "", 1)
}
