package audit

import (
	"reflect"
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

// The encoding is a published format: external verifiers recompute it. A
// change here is a new format version, never an edit of v1. The expected
// value was computed by an independent implementation of the format as
// RecordHash's doc comment describes it (a few lines of Python's struct and
// hashlib), not by this code.
func TestRecordHashFormatV1IsStable(t *testing.T) {
	const want = "237642268868a870e432578c525ab9281659d9dc1bd7d8cdb6491ca3e82c1846"
	if got := RecordHash(hashFixture()); got != want {
		t.Errorf("RecordHash = %s, want %s", got, want)
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
			if _, ok := mutations[n]; !ok && n != "Hash" {
				t.Errorf("field %s has no mutation here: is it in the canonical encoding?", n)
			}
		}
	})
	base := RecordHash(hashFixture())
	for name, mutate := range mutations {
		t.Run(name, func(t *testing.T) {
			r := hashFixture()
			mutate(&r)
			if RecordHash(r) == base {
				t.Errorf("changing %s left the hash unchanged", name)
			}
		})
	}
	t.Run("Hash itself is not hashed", func(t *testing.T) {
		r := hashFixture()
		r.Hash = "anything"
		if RecordHash(r) != base {
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
			if RecordHash(ra) == RecordHash(rb) {
				t.Error("two different records have one hash")
			}
		})
	}
}

func TestSealLinksRecordsAfterTheHead(t *testing.T) {
	recs := []Record{hashFixture(), hashFixture(), hashFixture()}
	headSeq, headHash := Seal(recs, 41, "ab")
	if recs[0].Seq != 42 || recs[0].PrevHash != "ab" || recs[2].Seq != 44 || recs[1].PrevHash != recs[0].Hash || recs[2].PrevHash != recs[1].Hash {
		t.Errorf("sealed records are not numbered and linked after the head: %+v", recs)
	}
	if headSeq != 44 || headHash != recs[2].Hash {
		t.Errorf("new head = %d %s, want the last record", headSeq, headHash)
	}
}
