package upstream

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/sundhedsklynge/klynge/errcode"
)

// fakeSearch answers a batch with one record per key, except that key bad
// yields a record naming no key (or naming itself, when attributed), and
// counts the searches.
func fakeSearch(bad int, attributed bool, searches *atomic.Int32) func(context.Context, []int) (Answer[int, int], error) {
	return func(_ context.Context, keys []int) (Answer[int, int], error) {
		searches.Add(1)
		a := Answer[int, int]{Failed: NewRecordErrors[int]("sys")}
		for _, k := range keys {
			if k != bad {
				a.Records = append(a.Records, k)
				continue
			}
			err := &DecodeError{System: "sys", Op: "search", Field: "records[0].cpr", Err: errors.New("must be a CPR number")}
			if attributed {
				a.Failed.Add(k, err)
			} else if a.Unattributed == nil {
				a.Unattributed = err
			}
		}
		return a, nil
	}
}

func TestABadRecordCostsOnlyItsKey(t *testing.T) {
	keys := make([]int, 100)
	for i := range keys {
		keys[i] = i
	}
	for _, tt := range []struct {
		name         string
		attributed   bool
		wantSearches int32
	}{
		{"record names its key: no extra search", true, 1},
		{"record names no key: found by halving", false, 13},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var searches atomic.Int32
			out, err := CollectInBatches(context.Background(), "sys", keys, 100, fakeSearch(37, tt.attributed, &searches), func(r int) int { return r })
			var re *RecordErrors[int]
			if !errors.As(err, &re) {
				t.Fatalf("err = %v, want *RecordErrors", err)
			}
			if re.Len() != 1 || re.Err(37) == nil {
				t.Fatalf("keys charged: %d, key 37: %v; want only 37", re.Len(), re.Err(37))
			}
			if len(out) != 99 || out[36] == nil || out[38] == nil || out[37] != nil {
				t.Fatalf("got records for %d keys, want the other 99", len(out))
			}
			if got := searches.Load(); got != tt.wantSearches {
				t.Errorf("%d searches, want %d", got, tt.wantSearches)
			}
			var de *DecodeError
			if !errors.As(err, &de) || de.Field != "records[0].cpr" {
				t.Errorf("the error does not unwrap to the record's DecodeError: %v", err)
			}
			if sys, code, ok := Classify(err); !ok || sys != "sys" || code != errcode.UpstreamBadResponse {
				t.Errorf("Classify = %s %s %v", sys, code, ok)
			}
			if strings.Contains(err.Error(), "37") {
				t.Errorf("error names a key: %v", err)
			}
		})
	}
}

func TestIsolateStopsWhenEveryRecordIsBad(t *testing.T) {
	var searches atomic.Int32
	search := func(_ context.Context, keys []int) (Answer[int, int], error) {
		searches.Add(1)
		return Answer[int, int]{Unattributed: errors.New("garbled")}, nil
	}
	keys := make([]int, 200)
	for i := range keys {
		keys[i] = i
	}
	a, err := Isolate(context.Background(), "sys", keys, search)
	if err != nil {
		t.Fatal(err)
	}
	if a.Failed.Len() != 200 {
		t.Errorf("%d keys charged, want all 200", a.Failed.Len())
	}
	if n := searches.Load(); n > 1+maxIsolateSearches {
		t.Errorf("%d searches for one batch, want at most %d", n, 1+maxIsolateSearches)
	}
}

func TestIsolatePassesSearchErrorsOn(t *testing.T) {
	boom := errors.New("boom")
	_, err := Isolate(context.Background(), "sys", []int{1, 2}, func(context.Context, []int) (Answer[int, int], error) {
		return Answer[int, int]{}, boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
}

func TestRecordErrorsKeepTheFirstErrorPerKey(t *testing.T) {
	e := NewRecordErrors[string]("sys")
	first, second := errors.New("first"), errors.New("second")
	e.Add("a", first)
	e.Add("a", second)
	e.Add("b", second)
	o := NewRecordErrors[string]("sys")
	o.Add("b", first)
	o.Add("c", first)
	e.Merge(o)
	if e.Err("a") != first || e.Err("b") != second || e.Err("c") != first || e.Len() != 3 {
		t.Fatalf("a=%v b=%v c=%v len=%d", e.Err("a"), e.Err("b"), e.Err("c"), e.Len())
	}
	var none *RecordErrors[string]
	if none.OrNil() != nil || NewRecordErrors[string]("s").OrNil() != nil {
		t.Error("an empty set is not a nil error")
	}
	if !slices.Equal(e.order, []string{"a", "b", "c"}) {
		t.Errorf("order %v", e.order)
	}
}

// pairRecord is a record of the answers the reader tests read.
type pairRecord struct {
	Key string `json:"key"`
	N   int    `json:"n"`
}

func pairReader() RecordReader[string, pairRecord, int] {
	return RecordReader[string, pairRecord, int]{
		System: "sys", Op: "search", Member: "records", KeyField: "key",
		ParseKey: func(s string) (string, bool) { return s, s != "" },
		Asked:    NewKeySet([]string{"a", "b", "c"}),
		Map: func(chk *Checker, w pairRecord) (int, string) {
			if w.N < 0 {
				chk.Fail("n", "must not be negative")
			}
			return w.N, w.Key
		},
	}
}

// describe renders an answer so that two can be compared.
func describe(a Answer[string, int], err error) string {
	var b strings.Builder
	fmt.Fprintf(&b, "records %v; ", a.Records)
	for _, k := range []string{"a", "b", "c"} {
		if e := a.Failed.Err(k); e != nil {
			fmt.Fprintf(&b, "%s: %v; ", k, e)
		}
	}
	fmt.Fprintf(&b, "unattributed %v; err %v", a.Unattributed, err)
	return b.String()
}

// The one-pass reading must give what the careful reading gives, for
// answers it reads and answers it hands over.
func TestOnePassAndCarefulReadingAgree(t *testing.T) {
	for _, tt := range []struct {
		name, body string
		onePass    bool
	}{
		{"records", `{"records":[{"key":"a","n":1},{"key":"b","n":2}]}`, true},
		{"spaces and other members", " {\"next\": {\"x\": [1]}, \"records\" : [ {\"key\":\"a\",\"n\":1} ,\n\t{\"key\":\"c\",\"n\":3} ], \"total\": 2 }\n", true},
		{"null records", `{"records":null,"total":0}`, true},
		{"no records member", `{"total":0}`, true},
		{"empty records", `{"records":[]}`, true},
		{"a record that fails its check", `{"records":[{"key":"a","n":1},{"key":"b","n":-1}]}`, true},
		{"a record of a key not asked", `{"records":[{"key":"z","n":1},{"key":"c","n":3}]}`, true},
		{"a record of the wrong type", `{"records":[{"key":"a","n":"one"},{"key":"b","n":2}]}`, false},
		{"a record that is no object", `{"records":[7,{"key":"b","n":2}]}`, false},
		{"records not an array", `{"records":{"key":"a"}}`, false},
		{"records twice", `{"records":[{"key":"a","n":1}],"records":[{"key":"b","n":2}]}`, false},
		{"trailing data", `{"records":[]} {}`, false},
		{"not an object", `[{"key":"a","n":1}]`, false},
		{"truncated", `{"records":[{"key":"a","n":1}`, false},
		{"empty body", ``, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rr := pairReader()
			if _, _, ok := rr.stream([]byte(tt.body)); ok != tt.onePass {
				t.Errorf("read in one pass: %v, want %v", ok, tt.onePass)
			}
			got, want := describe(rr.Read([]byte(tt.body))), describe(rr.readCarefully([]byte(tt.body)))
			if got != want {
				t.Errorf("Read:\n  %s\nthe careful reading:\n  %s", got, want)
			}
		})
	}
}

// FuzzOnePassAndCarefulReadingAgree: for any body, what Read returns is
// what the careful reading returns.
func FuzzOnePassAndCarefulReadingAgree(f *testing.F) {
	for _, body := range []string{
		`{"records":[{"key":"a","n":1},{"key":"b","n":-2}],"next":"x"}`,
		`{"records":null}`, `{"records":[{"key":"z"}]}`, `{"records":[{"key":"a","n":"1"}]}`,
		`{"records":[],"records":[{"key":"a"}]}`, `{"Records":[{"KEY":"a","N":1}]}`,
		"{\"records\":[{\"key\":\"a\\u0000\",\"n\":1}]}", `{"records":[{"key":"a","n":1e400}]}`,
	} {
		f.Add([]byte(body))
	}
	rr := pairReader()
	f.Fuzz(func(t *testing.T, body []byte) {
		got, want := describe(rr.Read(body)), describe(rr.readCarefully(body))
		if got != want {
			t.Fatalf("body %q\nRead:\n  %s\nthe careful reading:\n  %s", body, got, want)
		}
	})
}

func BenchmarkRecordReader(b *testing.B) {
	var body strings.Builder
	body.WriteString(`{"records":[`)
	for i := range 50 {
		if i > 0 {
			body.WriteString(",")
		}
		fmt.Fprintf(&body, `{"key":"%c","n":%d,"note":"a visit planned for the morning team"}`, "abc"[i%3], i)
	}
	body.WriteString(`],"total":50}`)
	data := []byte(body.String())
	rr := pairReader()
	b.Run("one-pass", func(b *testing.B) {
		for b.Loop() {
			if a, _ := rr.Read(data); len(a.Records) != 50 {
				b.Fatal(len(a.Records))
			}
		}
	})
	b.Run("careful", func(b *testing.B) {
		for b.Loop() {
			if a, _ := rr.readCarefully(data); len(a.Records) != 50 {
				b.Fatal(len(a.Records))
			}
		}
	})
}
