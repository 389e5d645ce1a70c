package audit

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/sundhedsklynge/klynge/domain"
)

func hashFixture() Record {
	return Record{
		Seq:       7,
		Time:      time.Date(2026, 3, 4, 10, 0, 0, 123456000, time.UTC),
		RequestID: "req-1",
		Principal: Principal{Subject: "gp-4412", Role: "gp", Organization: "012345"},
		Citizen:   domain.CPR("6101801234"),
		Fields:    []string{"Citizen.hospitalEncounters", "Citizen.careServices"},
		Sources:   []string{"ehospital"},
		Purpose:   PurposeBreakTheGlass,
		Outcome:   OutcomeAllowed,
		Reason:    "unconscious patient",
		PrevHash:  GenesisHash,
	}
}

// testKey is a chain key for tests only.
var testKey = mustKey("klynge-test-chain-key-0123456789abcdef")

func mustKey(secret string) ChainKey {
	k, err := NewChainKey([]byte(secret))
	if err != nil {
		panic(err)
	}
	return k
}

// The encodings are published formats: external verifiers recompute them.
// A change here is a new format version, never an edit of an old one. The
// expected values were computed by an independent implementation of the
// formats as the doc comments of UnkeyedRecordHash, ChainKey.RecordHash and
// ChainKey.GrantHash describe them (a few lines of Python's struct, hashlib
// and hmac), not by this code.
func TestRecordHashFormatV1IsStable(t *testing.T) {
	const want = "237642268868a870e432578c525ab9281659d9dc1bd7d8cdb6491ca3e82c1846"
	if got := UnkeyedRecordHash(hashFixture()); got != want {
		t.Errorf("UnkeyedRecordHash = %s, want %s", got, want)
	}
}

func TestRecordHashFormatV2IsStable(t *testing.T) {
	if testKey.ID() != "1938a93b2f7092ca" {
		t.Errorf("key id = %s, want 1938a93b2f7092ca", testKey.ID())
	}
	r := hashFixture()
	r.GrantID, r.GrantHash = 12, strings.Repeat("f", 64)
	const want = "82d4141e2af280a2b62860f93e5f2b6e5d4f534879dfcd70c381181a57e0326c"
	if got := testKey.RecordHash(r); got != want {
		t.Errorf("RecordHash = %s, want %s", got, want)
	}
}

func TestGrantHashFormatIsStable(t *testing.T) {
	at := time.Date(2026, 3, 4, 10, 0, 0, 123456000, time.UTC)
	g := Grant{ID: 12, Principal: Principal{Subject: "doc-88", Role: "clinician", Organization: "7005051"},
		Citizen: "6101801234", Reason: "unconscious patient", GrantedAt: at, ExpiresAt: at.Add(4 * time.Hour)}
	const want = "3721d280a49a8f1b6dfa39cde814e09865fe524bcc5251dfd2294c9cd233cf1d"
	if got := testKey.GrantHash(g); got != want {
		t.Errorf("GrantHash = %s, want %s", got, want)
	}
}

// Without the key, nobody can make a seal: another key's seal, and the
// unkeyed hash an attacker can compute, both differ.
func TestTheSealNeedsTheKey(t *testing.T) {
	r := hashFixture()
	sealed := testKey.RecordHash(r)
	if other := mustKey("another-key-of-at-least-32-bytes-length").RecordHash(r); other == sealed {
		t.Error("two keys seal a record alike")
	}
	if UnkeyedRecordHash(r) == sealed {
		t.Error("the unkeyed hash equals the seal")
	}
	if _, err := NewChainKey([]byte("too short")); err == nil {
		t.Error("a 9-byte key was accepted")
	}
}

func TestChangingAnyFieldChangesTheHash(t *testing.T) {
	mutations := map[string]func(*Record){
		"Seq":                    func(r *Record) { r.Seq++ },
		"Time":                   func(r *Record) { r.Time = r.Time.Add(time.Microsecond) },
		"RequestID":              func(r *Record) { r.RequestID += "x" },
		"Principal.Subject":      func(r *Record) { r.Principal.Subject = "gp-4413" },
		"Principal.Role":         func(r *Record) { r.Principal.Role = "clinician" },
		"Principal.Organization": func(r *Record) { r.Principal.Organization = "012346" },
		"Citizen":                func(r *Record) { r.Citizen = "6101801235" },
		"Pseudonymised":          func(r *Record) { r.Pseudonymised = true },
		"Fields":                 func(r *Record) { r.Fields = r.Fields[:1] },
		"Sources":                func(r *Record) { r.Sources = append(r.Sources, "municipal") },
		"Purpose":                func(r *Record) { r.Purpose = PurposeTreatment },
		"Outcome":                func(r *Record) { r.Outcome = OutcomeDenied },
		"Reason":                 func(r *Record) { r.Reason += "." },
		"FlaggedForReview":       func(r *Record) { r.FlaggedForReview = true },
		"PrevHash":               func(r *Record) { r.PrevHash = "1" + r.PrevHash[1:] },
		"GrantID":                func(r *Record) { r.GrantID = 3 },
		"GrantHash":              func(r *Record) { r.GrantHash = "ab" },
	}
	t.Run("every field but Hash is covered", func(t *testing.T) {
		var names []string
		var walk func(prefix string, typ reflect.Type)
		walk = func(prefix string, typ reflect.Type) {
			for i := range typ.NumField() {
				f := typ.Field(i)
				if f.Type.Kind() == reflect.Struct && f.Type != reflect.TypeOf(time.Time{}) {
					walk(prefix+f.Name+".", f.Type)
					continue
				}
				names = append(names, prefix+f.Name)
			}
		}
		walk("", reflect.TypeOf(Record{}))
		for _, n := range names {
			// KeyID is the sealing key's own id (RecordHash sets it), so
			// another KeyID means another key.
			if _, ok := mutations[n]; !ok && n != "Hash" && n != "KeyID" {
				t.Errorf("field %s has no mutation here: is it in the canonical encoding?", n)
			}
		}
	})
	base := testKey.RecordHash(hashFixture())
	for name, mutate := range mutations {
		t.Run(name, func(t *testing.T) {
			r := hashFixture()
			mutate(&r)
			if testKey.RecordHash(r) == base {
				t.Errorf("changing %s left the hash unchanged", name)
			}
		})
	}
	t.Run("Hash itself is not hashed", func(t *testing.T) {
		r := hashFixture()
		r.Hash = "anything"
		if testKey.RecordHash(r) != base {
			t.Error("the Hash field changed the hash")
		}
	})
}

func TestMovingBytesBetweenFieldsChangesTheHash(t *testing.T) {
	pairs := []struct {
		name string
		a, b func(*Record)
	}{
		{"between subject and role",
			func(r *Record) { r.Principal.Subject, r.Principal.Role = "ab", "c" },
			func(r *Record) { r.Principal.Subject, r.Principal.Role = "a", "bc" }},
		{"between list elements",
			func(r *Record) { r.Fields = []string{"ab"} },
			func(r *Record) { r.Fields = []string{"a", "b"} }},
		{"between a list and the next list",
			func(r *Record) { r.Fields, r.Sources = []string{"a", "b"}, nil },
			func(r *Record) { r.Fields, r.Sources = []string{"a"}, []string{"b"} }},
	}
	for _, p := range pairs {
		t.Run(p.name, func(t *testing.T) {
			ra, rb := hashFixture(), hashFixture()
			p.a(&ra)
			p.b(&rb)
			if testKey.RecordHash(ra) == testKey.RecordHash(rb) {
				t.Error("two different records have one hash")
			}
		})
	}
}

func TestSealLinksRecordsAfterTheHead(t *testing.T) {
	recs := []Record{hashFixture(), hashFixture(), hashFixture()}
	keys := &Keys{current: testKey, byID: map[string]ChainKey{testKey.id: testKey}}
	head := keys.Seal(recs, ChainHead{Seq: 41, Hash: "ab"})
	if recs[0].Seq != 42 || recs[0].PrevHash != "ab" || recs[2].Seq != 44 || recs[1].PrevHash != recs[0].Hash || recs[2].PrevHash != recs[1].Hash {
		t.Errorf("sealed records are not numbered and linked after the head: %+v", recs)
	}
	if recs[0].KeyID != testKey.ID() || recs[0].Hash != testKey.RecordHash(recs[0]) {
		t.Errorf("record 42 is not sealed with the current key: %+v", recs[0])
	}
	if head.Seq != 44 || head.Hash != recs[2].Hash {
		t.Errorf("new head = %+v, want the last record", head)
	}
}
