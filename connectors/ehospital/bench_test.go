package ehospital

import (
	"testing"

	"github.com/sundhedsklynge/klynge/connectors/upstream"
)

// BenchmarkDecodeEncounterBundle measures what one page of an
// EncountersByCPR answer costs to decode and map: 100 encounters, each
// with three _revinclude'd notifications.
func BenchmarkDecodeEncounterBundle(b *testing.B) {
	body, cprs := encounterBundle(100)
	up, err := upstream.New(upstream.Options{System: "ehospital", BaseURL: "http://127.0.0.1:1/fhir"})
	if err != nil {
		b.Fatal(err)
	}
	defer up.Close()
	c := &Client{up: up, opts: Options{CPRSystem: "https://klynge.sundhedsklynge.dk/fhir/NamingSystem/synthetic-cpr"}}
	asked := upstream.NewKeySet(cprs)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		p, err := decodeBundle("ehospital", "bench", "Encounter", body)
		if err != nil {
			b.Fatal(err)
		}
		h := &harvested{encounters: p.encounters, provenances: p.provenances}
		r := c.assemble("bench", newDirectory(c.opts.CPRSystem), h, asked)
		if len(r.charges) != 0 || len(r.encounters) != 100 || len(r.encounters[99].Notifications) != 3 {
			b.Fatalf("mapped %d encounters: %v", len(r.encounters), r.charges)
		}
	}
}
