package resolvers

import (
	"encoding/base64"
	"errors"
	"math"
	"slices"
	"strconv"
	"testing"

	"github.com/sundhedsklynge/klynge/domain"
)

func cursorFor(raw string) *string {
	c := base64.RawURLEncoding.EncodeToString([]byte(raw))
	return &c
}

func intp(n int) *int { return &n }

func ptr(s string) *string { return &s }

func TestPage(t *testing.T) {
	items := make([]int, 45)
	for i := range items {
		items[i] = i
	}
	tests := []struct {
		name      string
		first     *int
		after     *string
		want      []int
		next      bool
		endCursor string // the offset the end cursor holds, "" for none
	}{
		{"defaults to the first 20", nil, nil, items[:20], true, "off:19"},
		{"first 5", intp(5), nil, items[:5], true, "off:4"},
		{"after the 20th", nil, cursorFor("off:19"), items[20:40], true, "off:39"},
		{"the last page is short and says so", nil, cursorFor("off:39"), items[40:], false, "off:44"},
		{"after the last item is an empty page without a cursor", nil, cursorFor("off:44"), []int{}, false, ""},
		{"a cursor past the end (the data shrank) is an empty page", nil, cursorFor("off:1000"), []int{}, false, ""},
		{"the largest offset a cursor may hold", intp(100), cursorFor("off:" + strconv.Itoa(maxCursorOffset)), []int{}, false, ""},
		{"100 at once", intp(100), nil, items, false, "off:44"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, info, total, err := page(items, tt.first, tt.after)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) || info.HasNextPage != tt.next || total != len(items) {
				t.Errorf("got %v next %v total %d, want %v next %v total %d", got, info.HasNextPage, total, tt.want, tt.next, len(items))
			}
			switch {
			case tt.endCursor == "" && info.EndCursor != nil:
				t.Errorf("end cursor %q, want none", *info.EndCursor)
			case tt.endCursor != "" && (info.EndCursor == nil || *info.EndCursor != *cursorFor(tt.endCursor)):
				t.Errorf("end cursor %v, want the cursor of %s", info.EndCursor, tt.endCursor)
			}
		})
	}
}

func TestPageRefusesBadArguments(t *testing.T) {
	tests := []struct {
		name, field string
		first       *int
		after       *string
	}{
		{"first 0", "first", intp(0), nil},
		{"first 101", "first", intp(101), nil},
		{"first negative", "first", intp(-1), nil},
		{"not base64", "after", nil, ptr("not a cursor!")},
		{"another connection's cursor", "after", nil, cursorFor("seq:5")},
		{"a negative offset", "after", nil, cursorFor("off:-1")},
		{"not a number", "after", nil, cursorFor("off:ten")},
		{"an offset beyond any list (MaxInt would overflow)", "after", nil, cursorFor("off:" + strconv.Itoa(math.MaxInt))},
		{"one past the largest offset", "after", nil, cursorFor("off:" + strconv.Itoa(maxCursorOffset+1))},
		{"an offset beyond int64", "after", nil, cursorFor("off:99999999999999999999")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, _, err := page([]int{1, 2, 3}, tt.first, tt.after)
			var input *domain.InputError
			if !errors.As(err, &input) || input.Field != tt.field {
				t.Fatalf("err = %v, want an input error on %s", err, tt.field)
			}
		})
	}
}

func TestCursorRoundTrip(t *testing.T) {
	for _, off := range []int{0, 1, 19, 99, maxCursorOffset} {
		got, err := decodeCursor(encodeCursor(off))
		if err != nil || got != off {
			t.Errorf("decodeCursor(encodeCursor(%d)) = %d, %v", off, got, err)
		}
	}
}

func TestSeqCursor(t *testing.T) {
	for _, n := range []int64{1, 42, math.MaxInt64} {
		got, err := decodeSeqCursor(encodeSeqCursor(n))
		if err != nil || got != n {
			t.Errorf("decodeSeqCursor(encodeSeqCursor(%d)) = %d, %v", n, got, err)
		}
	}
	if n, err := decodeSeqCursor(nil); n != 0 || err != nil {
		t.Errorf("no cursor = %d, %v; want from the start", n, err)
	}
	for _, bad := range []*string{ptr("!!"), cursorFor("off:3"), cursorFor("seq:0"), cursorFor("seq:-4"), cursorFor("seq:x")} {
		var input *domain.InputError
		if _, err := decodeSeqCursor(bad); !errors.As(err, &input) || input.Field != "after" {
			t.Errorf("decodeSeqCursor(%q) = %v, want an input error on after", *bad, err)
		}
	}
}

// FuzzPage: no cursor and no page size makes page panic; each either pages
// within the list or is an input error naming first or after.
func FuzzPage(f *testing.F) {
	for _, s := range []string{"", "off:0", "off:19", "off:" + strconv.Itoa(math.MaxInt), "off:-1", "seq:3", "off:+5", "off:0x10"} {
		f.Add(base64.RawURLEncoding.EncodeToString([]byte(s)), 20)
	}
	f.Add("%%%", 0)
	items := make([]int, 57)
	f.Fuzz(func(t *testing.T, after string, first int) {
		got, info, total, err := page(items, &first, &after)
		if err != nil {
			var input *domain.InputError
			if !errors.As(err, &input) || (input.Field != "first" && input.Field != "after") {
				t.Fatalf("err = %v, want an input error on first or after", err)
			}
			return
		}
		if len(got) > first || len(got) > maxPageSize || total != len(items) {
			t.Fatalf("%d items for first %d, total %d", len(got), first, total)
		}
		if info.HasNextPage && len(got) == 0 {
			t.Fatal("an empty page says there is a next one")
		}
	})
}
