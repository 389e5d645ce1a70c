package ehospital

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/sundhedsklynge/klynge/connectors/ehospital/fhir"
	"github.com/sundhedsklynge/klynge/connectors/upstream"
)

// FuzzDecodeBundle feeds arbitrary bytes to the searchset decoder and the
// mapping behind it, as an upstream body would arrive. Whatever comes in,
// the answer is a value or a *upstream.DecodeError, never a panic.
func FuzzDecodeBundle(f *testing.F) {
	for _, file := range []string{"testdata/patients.json", "testdata/encounters.json"} {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	small, _ := encounterBundle(2)
	f.Add(small)
	f.Add([]byte(`{"resourceType":"Bundle","type":"searchset","entry":[{"resource":{"resourceType":"Provenance","target":[{"reference":"Encounter/"}]}}]}`))
	f.Add([]byte(`{"resourceType":"Bundle","type":"searchset","entry":[{"resource":{"resourceType":"Encounter","period":null,"subject":{"identifier":null}}}]}`))
	f.Add([]byte(`[]`))
	f.Add([]byte{})

	c := &Client{opts: Options{CPRSystem: fhir.SystemSyntheticCPR, PageSize: 100, MaxPages: 50}, up: fuzzUpstream(f)}
	f.Fuzz(func(t *testing.T, body []byte) {
		fast, fastOK := decodeFast("Encounter", body)
		careful, carefulErr := decodeBundleByEntry("ehospital", "fuzz", "Encounter", body)
		// With repeated keys the two decodes legitimately differ (a struct
		// merges both values, a RawMessage keeps the last); FHIR forbids them.
		if fastOK && !hasRepeatedKeys(body) && (carefulErr != nil || !reflect.DeepEqual(fast, careful)) {
			t.Fatalf("the fast path accepted what the careful path decodes differently (%v)", carefulErr)
		}
		p, err := decodeBundle("ehospital", "fuzz", "Encounter", body)
		if err != nil {
			var de *upstream.DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("decode failed with %T, want *upstream.DecodeError: %v", err, err)
			}
			return
		}
		d := newDirectory(fhir.SystemSyntheticCPR)
		c.learnPatients(d, "fuzz", p)
		h := &harvested{provenances: p.provenances, bad: p.bad}
		for _, e := range p.encounters {
			if e.match {
				h.encounters = append(h.encounters, e)
			}
		}
		r := c.assemble("fuzz", d, h, nil)
		for _, ch := range r.charges {
			if !errors.As(ch.err, new(*upstream.DecodeError)) {
				t.Fatalf("a record failed with %T: %v", ch.err, ch.err)
			}
		}
	})
}

// hasRepeatedKeys reports an object with two keys encoding/json would
// match to one field (it matches names case-insensitively).
func hasRepeatedKeys(data []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(data))
	type frame struct {
		object    bool
		expectKey bool
		keys      map[string]bool
	}
	var stack []*frame
	for {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
			stack = stack[:len(stack)-1]
			if len(stack) > 0 && stack[len(stack)-1].object {
				stack[len(stack)-1].expectKey = true
			}
			continue
		}
		if top != nil && top.object && top.expectKey {
			key := strings.ToLower(tok.(string))
			if top.keys[key] {
				return true
			}
			top.keys[key] = true
			top.expectKey = false
			continue
		}
		if d, ok := tok.(json.Delim); ok {
			stack = append(stack, &frame{object: d == '{', expectKey: d == '{', keys: map[string]bool{}})
			continue
		}
		if top != nil && top.object {
			top.expectKey = true
		}
	}
}
