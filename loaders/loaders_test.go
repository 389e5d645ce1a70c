package loaders_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/sundhedsklynge/klynge/connectors/ehospital"
	"github.com/sundhedsklynge/klynge/connectors/ehospital/fhir"
	"github.com/sundhedsklynge/klynge/connectors/gpreferral"
	"github.com/sundhedsklynge/klynge/connectors/municipal"
	"github.com/sundhedsklynge/klynge/connectors/outofhours"
	"github.com/sundhedsklynge/klynge/connectors/upstream"
	"github.com/sundhedsklynge/klynge/domain"
	"github.com/sundhedsklynge/klynge/errcode"
	"github.com/sundhedsklynge/klynge/loaders"
	"github.com/sundhedsklynge/klynge/sandbox"
	"github.com/sundhedsklynge/klynge/sandbox/sandboxtest"
)

// connect wires real connectors to a sandbox over loopback HTTP, with
// retries and breakers off so that counts are exact.
func connect(t *testing.T, sb *sandboxtest.Server) loaders.Upstreams {
	t.Helper()
	client := func(system, base string) *upstream.Client {
		c, err := upstream.New(upstream.Options{System: system, BaseURL: base,
			Retry: upstream.RetryOptions{Max: -1}, Breaker: upstream.BreakerOptions{Disabled: true}})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(c.Close)
		return c
	}
	eh, err := ehospital.New(client("ehospital", sb.URLs.EHospitalFHIR), ehospital.Options{CPRSystem: fhir.SystemSyntheticCPR})
	if err != nil {
		t.Fatal(err)
	}
	inst := map[domain.MunicipalityCode]*upstream.Client{}
	for _, code := range []domain.MunicipalityCode{253, 259, 265, 269, 306, 316, 320, 326, 329, 330, 336, 340, 350, 360, 370, 376, 390} {
		inst[code] = client(fmt.Sprintf("municipal/%d", code), sb.URLs.Municipal(code))
	}
	return loaders.Upstreams{
		EHospital:  eh,
		OutOfHours: outofhours.New(client("outofhours", sb.URLs.OutOfHours)),
		Municipal:  municipal.NewDirectory(inst),
		GPReferral: gpreferral.New(client("gpreferral", sb.URLs.GPReferral)),
	}
}

func cprs(t *testing.T, sb *sandboxtest.Server, n int, with string) []domain.CPR {
	t.Helper()
	var out []domain.CPR
	for _, s := range sb.Citizens(t, n, with) {
		out = append(out, domain.MustParseCPR(s))
	}
	return out
}

func TestPrefetchAsksOncePerCapacityChunk(t *testing.T) {
	sb := sandboxtest.Start(t, sandbox.Config{Population: 3000})
	l := loaders.New(connect(t, sb), loaders.Options{})
	var keys []domain.CPR
	for _, c := range sb.Sandbox.World().Citizens()[:250] {
		keys = append(keys, c.CPR)
	}
	sb.ResetStats(t)
	l.Patient.Prefetch(context.Background(), keys)
	l.OutOfHours.Prefetch(context.Background(), keys)
	st := sb.Stats(t)
	if got := st.Route("ehospital", "POST /ehospital/fhir/Patient/_search").Requests; got != 3 {
		t.Errorf("250 patients: %d searches, want 3 (capacity 100, one page each)", got)
	}
	if got := st.Route("outofhours", "POST /outofhours/api/v1/contacts/search").Requests; got != 2 {
		t.Errorf("250 CPRs to Lægevagten: %d requests, want 2 (its limit is 200)", got)
	}
	// Everything is cached now: loading again costs nothing.
	sb.ResetStats(t)
	for _, k := range keys {
		if _, err := l.Patient.Load(context.Background(), k)(); err != nil {
			t.Fatalf("cached patient: %v", err)
		}
	}
	if n := sb.Stats(t).TotalRequests(); n != 0 {
		t.Errorf("loading prefetched keys made %d upstream requests, want 0", n)
	}
}

func TestUnknownPatientIsNotFoundAndDoesNotFailOthers(t *testing.T) {
	sb := sandboxtest.Start(t, sandbox.Config{Population: 500})
	l := loaders.New(connect(t, sb), loaders.Options{})
	known := cprs(t, sb, 2, "discharge")
	unknown := domain.MustParseCPR("6101011234") // synthetic, not in this population
	all := append(known, unknown)
	l.Patient.Prefetch(context.Background(), all)
	fetched, errs := l.Patient.LoadMany(context.Background(), all)()
	for i := range known {
		if errs != nil && errs[i] != nil {
			t.Errorf("known citizen %d: %v", i, errs[i])
		}
		if fetched[i].Value.CPR != known[i] {
			t.Errorf("result %d is for another citizen: results must be in key order", i)
		}
	}
	if errs == nil || !errors.Is(errs[2], loaders.ErrNotFound) {
		t.Fatalf("unknown CPR: err = %v, want ErrNotFound", errs)
	}
	list, err := l.OutOfHours.Load(context.Background(), unknown)()
	if err != nil || len(list.Value) != 0 {
		t.Errorf("a citizen without contacts gets an empty list, got %v, %v", list.Value, err)
	}
}

func TestOneMunicipalityFailingFailsOnlyItsCitizens(t *testing.T) {
	sb := sandboxtest.Start(t, sandbox.Config{Population: 3000})
	up := connect(t, sb)
	l := loaders.New(up, loaders.Options{})
	ctx := context.Background()
	keys := cprs(t, sb, 200, "care")
	l.Patient.Prefetch(ctx, keys)
	var mkeys []loaders.MunicipalKey
	for _, k := range keys {
		p, err := l.Patient.Load(ctx, k)()
		if err != nil {
			t.Fatal(err)
		}
		mkeys = append(mkeys, loaders.MunicipalKey{Municipality: p.Value.Address.Municipality, CPR: k})
	}
	sb.SetFaults(t, map[string]sandboxtest.Fault{"municipal/330": {ErrorRate: 1, ErrorStatus: 503}})
	sb.ResetStats(t)
	l.CareServices.Prefetch(ctx, mkeys)
	failed, ok := 0, 0
	for _, k := range mkeys {
		_, err := l.CareServices.Load(ctx, k)()
		switch {
		case k.Municipality == 330:
			var se *loaders.SourceError
			if !errors.As(err, &se) || se.Source.System != "municipal/330" {
				t.Fatalf("Slagelse citizen: err = %v, want a SourceError naming municipal/330", err)
			}
			if sys, code, _ := upstream.Classify(err); sys != "municipal/330" || code != errcode.UpstreamUnavailable {
				t.Errorf("Classify = %s %s", sys, code)
			}
			failed++
		case err != nil:
			t.Fatalf("citizen of municipality %d failed with %v", k.Municipality, err)
		default:
			ok++
		}
	}
	if failed == 0 || ok == 0 {
		t.Fatalf("sample has %d Slagelse and %d other citizens; want both", failed, ok)
	}
	// The failure is cached for the operation: asking again costs nothing.
	before := sb.Stats(t).Requests("municipal/330")
	for _, k := range mkeys {
		if k.Municipality == 330 {
			l.CareServices.Load(ctx, k)()
		}
	}
	if after := sb.Stats(t).Requests("municipal/330"); after != before {
		t.Errorf("a failed instance was asked again within the operation (%d → %d requests)", before, after)
	}
}

func TestUnconfiguredMunicipalityIsUnavailable(t *testing.T) {
	sb := sandboxtest.Start(t, sandbox.Config{Population: 500})
	up := connect(t, sb)
	up.Municipal = municipal.NewDirectory(nil)
	l := loaders.New(up, loaders.Options{})
	_, err := l.CareVisits.Load(context.Background(), loaders.MunicipalKey{Municipality: 101, CPR: domain.MustParseCPR("6101011234")})()
	if sys, code, ok := upstream.Classify(err); !ok || sys != "municipal/101" || code != errcode.UpstreamUnavailable {
		t.Fatalf("Classify(%v) = %q %q %v, want municipal/101 unavailable", err, sys, code, ok)
	}
}

func TestOnceRunsOncePerOperation(t *testing.T) {
	l := loaders.New(loaders.Upstreams{}, loaders.Options{})
	n := 0
	done := make(chan struct{})
	for range 10 {
		go func() {
			l.Once("x", func() { n++ })
			done <- struct{}{}
		}()
	}
	for range 10 {
		<-done
	}
	if n != 1 {
		t.Fatalf("ran %d times", n)
	}
	l.Once("y", func() { n++ })
	if n != 2 {
		t.Fatal("another name did not run")
	}
}
