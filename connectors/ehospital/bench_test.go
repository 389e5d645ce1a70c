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
	c := &Client{opts: Options{CPRSystem: "https://klynge.sundhedsklynge.dk/fhir/NamingSystem/synthetic-cpr"}}
	asked := upstream.NewKeySet(cprs)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		p, err := decodeBundle("ehospital", "bench", body)
		if err != nil {
			b.Fatal(err)
		}
		encounters, _, err := c.mapPage(p, upstream.NewChecker("ehospital", "bench"), asked)
		if err != nil || len(encounters) != 100 || len(encounters[99].Notifications) != 3 {
			b.Fatalf("mapped %d encounters: %v", len(encounters), err)
		}
	}
}
