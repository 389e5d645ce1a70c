package main

import (
	"encoding/json"
	"net"
	"strings"
	"testing"

	"github.com/sundhedsklynge/klynge/config"
	"github.com/sundhedsklynge/klynge/errcode"
	"github.com/sundhedsklynge/klynge/sandbox/controls"
)

// An upstream that cannot be reached fails with a network error that names
// its address ("dial tcp 127.0.0.1:…: connection refused"). The client gets
// the code, the system and the presenter's safe text — in errors and in
// Citizen.sources — and never the address.
func TestAnUnreachableUpstreamsAddressNeverReachesTheClient(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_, port, _ := net.SplitHostPort(addr)
	ln.Close() // nothing listens there now: connection refused

	s := startStack(t, func(cfg *config.Config) {
		cfg.Upstreams.OutOfHours.BaseURL = "http://" + addr + "/outofhours/api/v1"
		none := 0
		cfg.Upstreams.OutOfHours.Retry.Max = &none
	})
	cpr := sampleAndBreakGlass(t, s.demo, 1, controls.WithOutOfHours)[0]
	grantGlass(t, s.demo, []string{cpr})
	r, got, _ := patientContext(t, s.demo, cpr)

	raw, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	for _, leak := range []string{addr, ":" + port, "dial tcp", "connection refused", "/outofhours/api/v1"} {
		if strings.Contains(string(raw), leak) {
			t.Errorf("the response contains %q:\n%s", leak, raw)
		}
	}
	want := "outofhours: the system is unavailable; this part of the answer is missing"
	if len(r.Errors) != 1 || r.Errors[0].Extensions["code"] != errcode.UpstreamUnavailable || r.Errors[0].Message != want {
		t.Errorf("errors %+v, want one UPSTREAM_UNAVAILABLE saying %q", r.Errors, want)
	}
	src := sourceOf(got, "OUT_OF_HOURS")
	if src == nil || src["ok"] != false || src["errorCode"] != errcode.UpstreamUnavailable || src["error"] != want {
		t.Errorf("sources OUT_OF_HOURS = %v, want not ok, UPSTREAM_UNAVAILABLE, %q", src, want)
	}
}
