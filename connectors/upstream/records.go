package upstream

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
)

// RecordErrors is returned together with the records a batch call could
// read when some records of the answer could not be read: each bad record
// costs only the keys it belongs to, never the batch. A caller that gets a
// *RecordErrors keeps the records it was given and reports Err(k) for each
// key k that has one. Error() names the system, how many keys failed and
// the first failure; never a key (keys may be CPR numbers).
type RecordErrors[K comparable] struct {
	System string
	byKey  map[K]error
	order  []K // keys in the order their errors were added
}

// NewRecordErrors starts an empty set for system.
func NewRecordErrors[K comparable](system string) *RecordErrors[K] {
	return &RecordErrors[K]{System: system, byKey: map[K]error{}}
}

// Add charges err to key k; the first error per key is kept.
func (e *RecordErrors[K]) Add(k K, err error) {
	if _, ok := e.byKey[k]; ok {
		return
	}
	e.byKey[k] = err
	e.order = append(e.order, k)
}

// Merge adds every key's error of o (nil o: nothing).
func (e *RecordErrors[K]) Merge(o *RecordErrors[K]) {
	if o == nil {
		return
	}
	for _, k := range o.order {
		e.Add(k, o.byKey[k])
	}
}

// Err is the error charged to k, or nil.
func (e *RecordErrors[K]) Err(k K) error {
	if e == nil {
		return nil
	}
	return e.byKey[k]
}

// Len is the number of keys with an error.
func (e *RecordErrors[K]) Len() int {
	if e == nil {
		return 0
	}
	return len(e.byKey)
}

// OrNil is e as an error, or a nil error when no key failed (never a
// typed nil).
func (e *RecordErrors[K]) OrNil() error {
	if e.Len() == 0 {
		return nil
	}
	return e
}

func (e *RecordErrors[K]) Error() string {
	if len(e.order) == 0 {
		return "upstream " + e.System + ": no record errors"
	}
	return fmt.Sprintf("upstream %s: records of %d keys could not be read; first: %v", e.System, len(e.byKey), e.byKey[e.order[0]])
}

// Unwrap is the first failure, so Classify names the system and code.
func (e *RecordErrors[K]) Unwrap() error {
	if len(e.order) == 0 {
		return nil
	}
	return e.byKey[e.order[0]]
}

// Answer is what one batch search returned: the records it could read,
// the keys whose records it could not, and the first record that could not
// be charged to any key asked (it named no key, an unreadable one, or one
// nobody asked for).
type Answer[K comparable, R any] struct {
	Records      []R
	Failed       *RecordErrors[K]
	Unattributed error
}

// maxIsolateSearches bounds the extra searches Isolate may make for one
// batch: an upstream that garbles every record must not turn one batch into
// hundreds of requests.
const maxIsolateSearches = 32

// Isolate runs search over keys. While an answer holds a record that names
// no key asked, it searches again with the keys in halves, down to single
// keys, so that such a record costs only the key whose search returns it:
// one bad record among 100 keys costs 12 to 14 extra searches, and nothing
// when every record names its key. When the budget of extra searches is
// spent, the record is charged to every key of the group still in doubt.
func Isolate[K comparable, R any](ctx context.Context, system string, keys []K, search func(ctx context.Context, keys []K) (Answer[K, R], error)) (Answer[K, R], error) {
	budget := maxIsolateSearches
	return isolate(ctx, system, keys, search, &budget)
}

func isolate[K comparable, R any](ctx context.Context, system string, keys []K, search func(ctx context.Context, keys []K) (Answer[K, R], error), budget *int) (Answer[K, R], error) {
	a, err := search(ctx, keys)
	if err != nil || a.Unattributed == nil {
		return a, err
	}
	if len(keys) == 1 || *budget < 2 {
		// The record came back for this group alone: it is theirs.
		out := Answer[K, R]{Records: a.Records, Failed: NewRecordErrors[K](system)}
		out.Failed.Merge(a.Failed)
		for _, k := range keys {
			out.Failed.Add(k, a.Unattributed)
		}
		return out, nil
	}
	*budget -= 2
	half := len(keys) / 2
	out := Answer[K, R]{Failed: NewRecordErrors[K](system)}
	for _, part := range [][]K{keys[:half], keys[half:]} {
		sub, err := isolate(ctx, system, part, search, budget)
		if err != nil {
			return Answer[K, R]{}, err
		}
		out.Records = append(out.Records, sub.Records...)
		out.Failed.Merge(sub.Failed)
	}
	return out, nil
}

// RecordReader reads the records of a JSON answer of the shape
// {"<Member>": [record, ...]} one by one, so that a record that cannot be
// decoded or mapped costs only the key it names.
type RecordReader[K comparable, W, R any] struct {
	System, Op string
	// Member is the array's name in the answer ("contacts").
	Member string
	// KeyField is the member of each record that names its key ("cpr"),
	// read on its own to charge a record that fails to its key.
	KeyField string
	// ParseKey reads KeyField's string value; ok is false when it is no
	// key.
	ParseKey func(s string) (k K, ok bool)
	// Asked are the keys the search asked for: a record of any other key
	// cannot be charged to one (Answer.Unattributed).
	Asked KeySet[K]
	// Map maps a decoded wire record (chk is positioned on it) and returns
	// the record and the key it belongs to.
	Map func(chk *Checker, w W) (R, K)
}

// Read decodes body. A body that is not such an object is an error for
// the whole batch; a record that is not readable is charged to its key
// (Answer.Failed) or, naming none asked, reported as Answer.Unattributed.
//
// A well-formed answer whose records all decode is read in one pass
// (stream); anything else is read again carefully (readCarefully), record by
// record, which is also what names the field at fault. Both give the same
// Answer for the same body.
func (rr RecordReader[K, W, R]) Read(body []byte) (Answer[K, R], error) {
	ws, spans, ok := rr.stream(body)
	if !ok {
		return rr.readCarefully(body)
	}
	a := Answer[K, R]{Records: make([]R, 0, len(ws)), Failed: NewRecordErrors[K](rr.System)}
	chk := NewChecker(rr.System, rr.Op)
	for i, w := range ws {
		rr.add(&a, chk, i, w, recordAt(body, spans[i]))
	}
	return a, nil
}

// stream reads the answer in one pass: the object's members as tokens and
// each record decoded straight into a W. The careful path scans every
// record's bytes six times (the object, the array, then the record, each
// validated and then decoded); this one twice. ok is false for anything
// but a well-formed object whose Member, named once, is null or an array
// of records that all decode.
func (rr RecordReader[K, W, R]) stream(body []byte) (ws []W, spans [][2]int64, ok bool) {
	dec := json.NewDecoder(bytes.NewReader(body))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, nil, false
	}
	seen := false
	for dec.More() {
		t, err := dec.Token()
		key, isKey := t.(string)
		if err != nil || !isKey {
			return nil, nil, false
		}
		if key != rr.Member {
			var skip json.RawMessage
			if dec.Decode(&skip) != nil {
				return nil, nil, false
			}
			continue
		}
		if seen { // repeated: the careful path decides which one counts
			return nil, nil, false
		}
		seen = true
		if t, err = dec.Token(); err != nil || (t != nil && t != json.Delim('[')) {
			return nil, nil, false
		}
		if t == nil { // "member": null holds no records
			continue
		}
		for dec.More() {
			start := dec.InputOffset()
			var w W
			if dec.Decode(&w) != nil {
				return nil, nil, false
			}
			ws = append(ws, w)
			spans = append(spans, [2]int64{start, dec.InputOffset()})
		}
		if t, err := dec.Token(); err != nil || t != json.Delim(']') {
			return nil, nil, false
		}
	}
	if t, err := dec.Token(); err != nil || t != json.Delim('}') {
		return nil, nil, false
	}
	if _, err := dec.Token(); err != io.EOF { // trailing data after the object
		return nil, nil, false
	}
	return ws, spans, true
}

// recordAt is the record's bytes: the decoder's offset before a record is
// that of the previous token, so the span may start with the separator.
func recordAt(body []byte, span [2]int64) json.RawMessage {
	return bytes.TrimLeft(body[span[0]:span[1]], ", \t\r\n")
}

// readCarefully decodes the object, then its Member's array, then each
// record on its own, so that an error names the record's path and costs
// only its key.
func (rr RecordReader[K, W, R]) readCarefully(body []byte) (Answer[K, R], error) {
	var env map[string]json.RawMessage
	if err := DecodeJSON(rr.System, rr.Op, body, &env); err != nil {
		return Answer[K, R]{}, err
	}
	var raws []json.RawMessage
	if list, ok := env[rr.Member]; ok && string(list) != "null" {
		if err := DecodeJSONAt(rr.System, rr.Op, rr.Member, list, &raws); err != nil {
			return Answer[K, R]{}, err
		}
	}
	a := Answer[K, R]{Records: make([]R, 0, len(raws)), Failed: NewRecordErrors[K](rr.System)}
	chk := NewChecker(rr.System, rr.Op)
	for i, raw := range raws {
		var w W
		if err := DecodeJSONAt(rr.System, rr.Op, rr.Member+"["+strconv.Itoa(i)+"]", raw, &w); err != nil {
			rr.charge(&a, raw, err)
			continue
		}
		rr.add(&a, chk, i, w, raw)
	}
	return a, nil
}

// add maps the decoded record i and keeps it, or charges its failure.
func (rr RecordReader[K, W, R]) add(a *Answer[K, R], chk *Checker, i int, w W, raw json.RawMessage) {
	chk.Next("%s[%d]", rr.Member, i)
	r, k := rr.Map(chk, w)
	if !chk.Failed() && !rr.Asked.Has(k) {
		chk.Fail(rr.KeyField, "is not among the keys asked for")
	}
	if chk.Failed() {
		rr.charge(a, raw, chk.Err())
		return
	}
	a.Records = append(a.Records, r)
}

// charge puts a failed record's error on the key it names, when that key
// was asked for.
func (rr RecordReader[K, W, R]) charge(a *Answer[K, R], raw json.RawMessage, err error) {
	var fields map[string]json.RawMessage
	var s string
	if json.Unmarshal(raw, &fields) == nil && json.Unmarshal(fields[rr.KeyField], &s) == nil {
		if k, ok := rr.ParseKey(s); ok && rr.Asked.Has(k) {
			a.Failed.Add(k, err)
			return
		}
	}
	if a.Unattributed == nil {
		a.Unattributed = err
	}
}
