package main

import (
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/sundhedsklynge/klynge/server/overload"
)

func TestAdmissionRanksByTheTokensRole(t *testing.T) {
	jwt := func(payload string) string {
		return "Bearer eyJhbGciOiJSUzI1NiJ9." + base64.RawURLEncoding.EncodeToString([]byte(payload)) + ".c2ln"
	}
	tests := []struct {
		name, header string
		want         overload.Priority
	}{
		{"a clinician's read", jwt(`{"sub":"a","klynge_role":"clinician","klynge_org":"6630400"}`), overload.Interactive},
		{"a GP", jwt(`{"klynge_role":"gp"}`), overload.Interactive},
		{"a municipal nurse", jwt(`{"klynge_role":"municipal_nurse"}`), overload.Interactive},
		{"an out-of-hours doctor", jwt(`{"klynge_role":"out_of_hours_doctor"}`), overload.Interactive},
		{"a citizen", jwt(`{"klynge_role":"citizen"}`), overload.Interactive},
		{"an integrator's worklist", jwt(`{"klynge_role":"integrator"}`), overload.Bulk},
		{"a privacy officer", jwt(`{"klynge_role":"privacy_officer"}`), overload.Bulk},
		{"no token", "", overload.Bulk},
		{"not a JWT", "Bearer opaque-token", overload.Bulk},
		{"a payload that is not base64", "Bearer a.!!!.c", overload.Bulk},
		{"a payload that is not JSON", "Bearer a." + base64.RawURLEncoding.EncodeToString([]byte("nope")) + ".c", overload.Bulk},
		{"basic auth", "Basic dXNlcjpwYXNz", overload.Bulk},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/graphql", nil)
			if tt.header != "" {
				r.Header.Set("Authorization", tt.header)
			}
			if got := admissionPriority(r); got != tt.want {
				t.Errorf("priority %v, want %v", got, tt.want)
			}
		})
	}
}
