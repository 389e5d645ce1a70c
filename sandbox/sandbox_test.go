package sandbox_test

import (
	"testing"
	"time"

	"github.com/sundhedsklynge/klynge/sandbox"
	"github.com/sundhedsklynge/klynge/sandbox/sandboxtest"
)

func TestURLs(t *testing.T) {
	u := sandbox.URLs("http://127.0.0.1:8081/")
	for _, tc := range []struct{ got, want string }{
		{u.EHospitalFHIR, "http://127.0.0.1:8081/ehospital/fhir"},
		{u.OutOfHours, "http://127.0.0.1:8081/outofhours/api/v1"},
		{u.GPReferral, "http://127.0.0.1:8081/gpreferral"},
		{u.Controls, "http://127.0.0.1:8081/_sandbox"},
		{u.MunicipalRoot, "http://127.0.0.1:8081/municipal"},
		{u.Municipal(330), "http://127.0.0.1:8081/municipal/330/api"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %s, want %s", tc.got, tc.want)
		}
	}
}

func TestNewAppliesDefaultsAndRefusesNonsense(t *testing.T) {
	sb, err := sandbox.New(sandbox.Config{Population: 100})
	if err != nil {
		t.Fatal(err)
	}
	if now := sb.Now(); now.IsZero() || !now.Equal(now.Truncate(time.Hour)) || time.Since(now) > 2*time.Hour {
		t.Errorf("default now %v is not the current hour", now)
	}
	if sb.World().Seed() != sandbox.DefaultSeed || len(sb.World().Citizens()) != 100 {
		t.Errorf("seed %d, %d citizens", sb.World().Seed(), len(sb.World().Citizens()))
	}
	for _, cfg := range []sandbox.Config{{Population: 5}, {Population: 100, Latency: -time.Second}} {
		if _, err := sandbox.New(cfg); err == nil {
			t.Errorf("New(%+v) accepted", cfg)
		}
	}
}

func TestBaseLatencyLeavesAnswersAlone(t *testing.T) {
	cfg := sandbox.Config{Population: 300, Now: testNow}
	plain := sandboxtest.Start(t, cfg)
	cfg.Latency = 2 * time.Millisecond
	slow := sandboxtest.Start(t, cfg)
	a := get(t, plain.URLs.GPReferral+"/practices")
	b := get(t, slow.URLs.GPReferral+"/practices")
	if a.status != 200 || string(a.body) != string(b.body) {
		t.Errorf("with latency: %d %s", b.status, b.body)
	}
	if slow.Stats(t).Requests("gpreferral") != 1 {
		t.Error("delayed request not counted")
	}
}
