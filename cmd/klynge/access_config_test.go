package main

import (
	"strings"
	"testing"
	"time"

	"github.com/sundhedsklynge/klynge/config"
)

func TestAccessRulesFromConfiguration(t *testing.T) {
	r, err := accessRules(config.Access{})
	if err != nil {
		t.Fatal(err)
	}
	if r.HospitalWindow != 30*24*time.Hour || r.OutOfHoursWindow != 24*time.Hour || r.BreakGlassDuration != 4*time.Hour || r.BreakGlassMinReason != 20 {
		t.Errorf("an empty access section must mean the defaults, got %+v", r)
	}
	r, err = accessRules(config.Access{HospitalWindow: config.Duration(7 * 24 * time.Hour), BreakGlassMinReason: 30})
	if err != nil || r.HospitalWindow != 7*24*time.Hour || r.BreakGlassMinReason != 30 || r.BreakGlassDuration != 4*time.Hour {
		t.Errorf("configured values not applied beside the defaults: %+v, %v", r, err)
	}
}

func TestAccessRulesRefuseBadValues(t *testing.T) {
	tests := []struct {
		name string
		a    config.Access
		want string
	}{
		{"break glass for two days", config.Access{BreakGlassDuration: config.Duration(48 * time.Hour)}, "access.breakGlassDuration: must be between 1 minute and 24 hours"},
		{"hospital window of two years", config.Access{HospitalWindow: config.Duration(17520 * time.Hour)}, "access.hospitalWindow: must be more than 0 and at most 365 days"},
		{"short pseudonym secret", config.Access{PseudonymSecret: "short"}, "access.pseudonymSecret: must be at least 32 bytes, got 5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := accessRules(tt.a)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("accessRules = %v, want an error containing %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "short\"") {
				t.Fatalf("error %q quotes a secret", err)
			}
		})
	}
}
