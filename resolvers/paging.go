package resolvers

import (
	"encoding/base64"
	"math"
	"strconv"
	"strings"

	"github.com/sundhedsklynge/klynge/domain"
	"github.com/sundhedsklynge/klynge/graph/model"
)

// Page sizes for every connection.
const (
	defaultPageSize = 20
	maxPageSize     = 100
)

// maxCursorOffset bounds the offset a cursor may hold. Every list behind a
// connection is held in memory whole, so no cursor klynge issues comes near
// it; a larger one is forged, and would overflow the slicing that follows.
const maxCursorOffset = math.MaxInt32

// page slices one page out of items (already filtered and ordered). Cursors
// are opaque offsets: the data behind a citizen's lists is read whole from
// the upstreams in each request, so an offset is stable for equal data.
func page[T any](items []T, first *int, after *string) ([]T, model.PageInfo, int, error) {
	n := defaultPageSize
	if first != nil {
		n = *first
	}
	if n < 1 || n > maxPageSize {
		return nil, model.PageInfo{}, 0, domain.InvalidInput("first", "must be between 1 and %d, got %d", maxPageSize, n)
	}
	start := 0
	if after != nil {
		off, err := decodeCursor(*after)
		if err != nil {
			return nil, model.PageInfo{}, 0, err
		}
		start = off + 1
	}
	total := len(items)
	if start > total {
		start = total
	}
	end := min(start+n, total)
	info := model.PageInfo{HasNextPage: end < total}
	if end > start {
		c := encodeCursor(end - 1)
		info.EndCursor = &c
	}
	return items[start:end], info, total, nil
}

const cursorPrefix = "off:"

func encodeCursor(offset int) string {
	return base64.RawURLEncoding.EncodeToString([]byte(cursorPrefix + strconv.Itoa(offset)))
}

func decodeCursor(c string) (int, error) {
	bad := domain.InvalidInput("after", "not a cursor from this connection's pageInfo.endCursor")
	raw, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return 0, bad
	}
	s, ok := strings.CutPrefix(string(raw), cursorPrefix)
	if !ok {
		return 0, bad
	}
	off, err := strconv.Atoi(s)
	if err != nil || off < 0 || off > maxCursorOffset {
		return 0, bad
	}
	return off, nil
}
