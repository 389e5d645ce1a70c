package ehospital

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/sundhedsklynge/klynge/connectors/ehospital/fhir"
	"github.com/sundhedsklynge/klynge/connectors/upstream"
)

// searchPages POSTs a search to [resourceType]/_search and follows its next
// links, handing each page to visit inside the call (so a page that cannot
// be mapped counts as a bad response). It stops after MaxPages pages, and
// refuses a next link that leaves the server's base URL or repeats a page.
func (c *Client) searchPages(ctx context.Context, op, resourceType string, params url.Values, keys int, visit func(p *page, chk *upstream.Checker) error) error {
	params.Set(fhir.ParamCount, strconv.Itoa(c.opts.PageSize))
	req := upstream.Request{
		Op: op, Method: http.MethodPost, Path: resourceType + "/_search",
		Body: []byte(params.Encode()), ContentType: "application/x-www-form-urlencoded",
		Accept: fhir.ContentType, Safe: true, Keys: keys,
	}
	seen := map[string]bool{}
	for n := 1; ; n++ {
		var next string
		req.Decode = func(body []byte) error {
			p, err := decodeBundle(c.up.System(), op, body)
			if err != nil {
				return err
			}
			next = p.next
			return visit(p, upstream.NewChecker(c.up.System(), op))
		}
		if _, err := c.up.Do(ctx, req); err != nil {
			return outcomeError(err)
		}
		if next == "" {
			return nil
		}
		badLink := func(rule string) error {
			return &upstream.DecodeError{System: c.up.System(), Op: op, Field: "link", Err: errors.New(rule)}
		}
		if _, err := c.up.Resolve(next); err != nil {
			return badLink("next link points outside the server's base URL")
		}
		if seen[next] {
			return badLink("next link repeats an earlier page")
		}
		seen[next] = true
		if n >= c.opts.MaxPages {
			return fmt.Errorf("%w (%d)", ErrTooManyPages, c.opts.MaxPages)
		}
		req = upstream.Request{Op: op, Method: http.MethodGet, Path: next, Accept: fhir.ContentType}
	}
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

var tokenEscaper = strings.NewReplacer(`\`, `\\`, `,`, `\,`, `|`, `\|`, `$`, `\$`)

func escapeToken(s string) string { return tokenEscaper.Replace(s) }
