package ehospital

import (
	"os"
	"reflect"
	"testing"
)

func TestFastAndCarefulDecodingAgree(t *testing.T) {
	generated, _ := encounterBundle(5)
	inputs := map[string][]byte{"generated": generated}
	for _, file := range []string{"patients.json", "encounters.json"} {
		data, err := os.ReadFile("testdata/" + file)
		if err != nil {
			t.Fatal(err)
		}
		inputs[file] = data
	}
	for name, body := range inputs {
		t.Run(name, func(t *testing.T) {
			fast, ok := decodeFast("Encounter", body)
			if !ok {
				t.Fatal("the fast path gave up on a well-formed bundle")
			}
			careful, err := decodeBundleByEntry("ehospital", "test", "Encounter", body)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(fast, careful) {
				t.Fatalf("fast and careful decoding differ:\n%+v\n%+v", fast, careful)
			}
		})
	}
}

func TestUnknownResourceWithClashingFieldsIsSkipped(t *testing.T) {
	// A Location's address is an object, where Patient's is a list: the
	// one-pass decode fails on it and the careful path must skip it.
	body := []byte(`{"resourceType":"Bundle","type":"searchset","entry":[
		{"resource":{"resourceType":"Location","id":"l1","address":{"city":"Slagelse"},"status":"active"}},
		{"resource":` + string(mustJSON(encounterResource("enc-1", cprKarl, mustTime("2026-02-01T10:00:00Z")))) + `}]}`)
	if _, ok := decodeFast("Encounter", body); ok {
		t.Fatal("the fast path accepted a clashing shape; this test no longer covers the fallback")
	}
	p, err := decodeBundle("ehospital", "test", "Encounter", body)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.encounters) != 1 || p.encounters[0].index != 1 {
		t.Fatalf("encounter after an unknown resource: %+v", p)
	}
}
