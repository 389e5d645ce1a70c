package loaders_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/sundhedsklynge/klynge/connectors/upstream"
	"github.com/sundhedsklynge/klynge/errcode"
	"github.com/sundhedsklynge/klynge/loaders"
	"github.com/sundhedsklynge/klynge/sandbox"
	"github.com/sundhedsklynge/klynge/sandbox/sandboxtest"
)

type observedBatch struct {
	loaders.Batch
	code string // "" when the batch succeeded
}

func TestObserverSeesEveryBatchPerInstanceWithItsOutcome(t *testing.T) {
	sb := sandboxtest.Start(t, sandbox.Config{Population: 3000})
	var mu sync.Mutex
	var seen []observedBatch
	up := connect(t, sb)
	l := loaders.New(up, loaders.Options{Observe: func(ctx context.Context, b loaders.Batch) (context.Context, func(error)) {
		return ctx, func(err error) {
			_, code, _ := upstream.Classify(err)
			mu.Lock()
			defer mu.Unlock()
			seen = append(seen, observedBatch{b, code})
		}
	}})
	ctx := context.Background()
	keys := cprs(t, sb, 120, "care")
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
	l.CareServices.Prefetch(ctx, mkeys)

	perMunicipality := map[string]int{}
	for _, k := range mkeys {
		perMunicipality[fmt.Sprintf("municipal/%d", k.Municipality)]++
	}
	patientKeys := 0
	services := map[string]observedBatch{}
	for _, b := range seen {
		switch b.Loader {
		case "patient":
			if b.System != "ehospital" || b.code != "" {
				t.Errorf("patient batch %+v", b)
			}
			patientKeys += b.Keys
		case "careservices":
			services[b.System] = b
		default:
			t.Errorf("unexpected batch %+v", b)
		}
	}
	if patientKeys != len(keys) {
		t.Errorf("patient batches asked for %d keys, want %d", patientKeys, len(keys))
	}
	if len(services) != len(perMunicipality) {
		t.Fatalf("care-service batches for %d instances, want one per municipality (%d): %+v", len(services), len(perMunicipality), services)
	}
	for system, n := range perMunicipality {
		b := services[system]
		if b.Keys != n {
			t.Errorf("%s: batch of %d keys, want %d", system, b.Keys, n)
		}
		wantCode := ""
		if system == "municipal/330" {
			wantCode = errcode.UpstreamUnavailable
		}
		if b.code != wantCode {
			t.Errorf("%s: outcome %q, want %q", system, b.code, wantCode)
		}
	}
}
