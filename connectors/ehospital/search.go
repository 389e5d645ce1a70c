package ehospital

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/sundhedsklynge/klynge/connectors/ehospital/fhir"
	"github.com/sundhedsklynge/klynge/connectors/upstream"
)

// query is one FHIR search: the resource type, its parameters (without
// _count) and the operation name metrics and logs know it by.
type query struct {
	op       string
	resource string
	params   url.Values
	keys     int
}

// pagingParams may travel in a GET next link: they say which page, never
// whom. A link with any other parameter repeats the search, whose values
// may be CPR numbers, so klynge POSTs it instead.
var pagingParams = []string{
	"_getpages", "_getpagesoffset", "_pageId", "_page", "_offset", "_count", "_cursor", "ct",
	"page", "pageId", "_format", "_bundletype", "_pretty", "_total", "_sort", "_summary", "_elements",
}

// search POSTs q to [type]/_search and follows its next links, handing each
// decoded page to visit inside the call (so a page that cannot be handled
// counts as a bad response). It stops after MaxPages pages, and refuses a
// next link that leaves the server's base URL or repeats a page.
func (c *Client) search(ctx context.Context, q query, visit func(p *page) error) error {
	params := url.Values{}
	for k, v := range q.params {
		params[k] = v
	}
	params.Set(fhir.ParamCount, strconv.Itoa(c.opts.PageSize))
	req := upstream.Request{
		Op: q.op, Method: http.MethodPost, Path: q.resource + "/_search",
		Body: []byte(params.Encode()), ContentType: "application/x-www-form-urlencoded",
		Accept: fhir.ContentType, Safe: true, Keys: q.keys,
	}
	seen := map[string]bool{}
	for n := 1; ; n++ {
		var next string
		req.Decode = func(body []byte) error {
			p, err := decodeBundle(c.up.System(), q.op, q.resource, body)
			if err != nil {
				return err
			}
			next = p.next
			return visit(p)
		}
		if _, err := c.up.Do(ctx, req); err != nil {
			return outcomeError(err)
		}
		if next == "" {
			return nil
		}
		if seen[next] {
			return c.badLink(q.op, "next link repeats an earlier page")
		}
		seen[next] = true
		if n >= c.opts.MaxPages {
			return fmt.Errorf("%w (%d)", ErrTooManyPages, c.opts.MaxPages)
		}
		var err error
		if req, err = c.nextRequest(q, next); err != nil {
			return err
		}
	}
}

func (c *Client) badLink(op, rule string) error {
	return &upstream.DecodeError{System: c.up.System(), Op: op, Field: "link", Err: errors.New(rule)}
}

// nextRequest is the request for a next link. The link is resolved by RFC
// 3986 against the base URL (upstream.ResolveLink). An opaque link (only
// paging parameters: HAPI's ?_getpages=...) is fetched with GET. A link
// that repeats the search is sent as FHIR allows any search to be: its
// parameters POSTed to [type]/_search as a form body, so that no CPR ever
// travels in a URL and no request line outgrows a proxy's 8 KiB.
func (c *Client) nextRequest(q query, next string) (upstream.Request, error) {
	u, err := c.up.ResolveLink(next)
	if err != nil {
		return upstream.Request{}, c.badLink(q.op, "next link points outside the server's base URL")
	}
	params := u.Query()
	opaque := true
	for name := range params {
		if !slices.Contains(pagingParams, name) {
			opaque = false
		}
	}
	if opaque {
		return upstream.Request{Op: q.op, Method: http.MethodGet, Path: u.String(), Accept: fhir.ContentType}, nil
	}
	// [base]/[type] or [base]/[type]/_search: POST the parameters there.
	base := c.up.BaseURL().Path
	rest := strings.Trim(strings.TrimPrefix(u.Path, base), "/")
	resource, _, _ := strings.Cut(rest, "/")
	if resource == "" || (rest != resource && rest != resource+"/_search") {
		return upstream.Request{}, c.badLink(q.op, "next link repeats the search but names no resource type to POST it to")
	}
	return upstream.Request{
		Op: q.op, Method: http.MethodPost, Path: resource + "/_search",
		Body: []byte(params.Encode()), ContentType: "application/x-www-form-urlencoded",
		Accept: fhir.ContentType, Safe: true, Keys: q.keys,
	}, nil
}

// tokens writes a token OR list ("sys|a,sys|b"); FHIR escapes the
// separators inside values with a backslash.
func tokens[T ~string](system string, values []T) string {
	var b strings.Builder
	for i, v := range values {
		if i > 0 {
			b.WriteByte(',')
		}
		if system != "" {
			b.WriteString(escapeToken(system))
			b.WriteByte('|')
		}
		b.WriteString(escapeToken(string(v)))
	}
	return b.String()
}

// references writes a reference OR list ("Patient/a,Patient/b").
func references(resource string, ids []string) string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = resource + "/" + escapeToken(id)
	}
	return strings.Join(out, ",")
}

var tokenEscaper = strings.NewReplacer(`\`, `\\`, `,`, `\,`, `|`, `\|`, `$`, `\$`)

func escapeToken(s string) string { return tokenEscaper.Replace(s) }

// chunks splits ids into groups of at most size.
func chunks[T any](ids []T, size int) [][]T {
	var out [][]T
	for start := 0; start < len(ids); start += size {
		out = append(out, ids[start:min(start+size, len(ids))])
	}
	return out
}
