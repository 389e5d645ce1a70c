package upstream

import (
	"context"
	"errors"
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
