package upstream

import (
	"errors"
	"fmt"
	"net/url"
	"path"
	"slices"
	"strings"
)

// Resolve turns a path relative to the BaseURL ("Patient/_search",
// "/contacts/search", "feed?after=x") or an absolute URL (a FHIR next link)
// into the URL to call. An absolute URL must share the BaseURL's scheme,
// host, port and path prefix: a client never follows a link off-host, where
// its credentials and the search parameters in the link would leak.
// Errors never quote the link, which may carry CPR numbers.
func (c *Client) Resolve(pathOrURL string) (*url.URL, error) {
	fail := func(rule string) (*url.URL, error) {
		return nil, fmt.Errorf("upstream %s: resolve: %w", c.opts.System, errors.New(rule))
	}
	ref, err := url.Parse(pathOrURL)
	if err != nil {
		return fail("malformed URL")
	}
	if ref.Scheme != "" || ref.Host != "" {
		if ref.User != nil {
			return fail("link carries credentials")
		}
		if !strings.EqualFold(ref.Scheme, c.base.Scheme) || !sameHost(ref, c.base) {
			return fail("link points outside " + c.base.Redacted())
		}
		if !underPath(ref.Path, c.base.Path) {
			return fail("link points outside " + c.base.Redacted())
		}
		u := *ref
		u.Scheme, u.Host, u.Fragment, u.RawFragment = c.base.Scheme, c.base.Host, "", ""
		return &u, nil
	}
	if ref.Opaque != "" {
		return fail("malformed URL")
	}
	for _, seg := range strings.Split(ref.Path, "/") {
		if seg == ".." {
			return fail("path must not climb out of the base URL")
		}
	}
	u := *c.base
	if p := strings.TrimPrefix(ref.Path, "/"); p != "" {
		u.Path = c.base.Path + "/" + p
	}
	u.RawPath = ""
	u.RawQuery = ref.RawQuery
	return &u, nil
}

// sameHost compares host names case-insensitively and ports with the
// scheme's default filled in.
func sameHost(a, b *url.URL) bool {
	port := func(u *url.URL) string {
		if p := u.Port(); p != "" {
			return p
		}
		if strings.EqualFold(u.Scheme, "https") {
			return "443"
		}
		return "80"
	}
	return strings.EqualFold(a.Hostname(), b.Hostname()) && port(a) == port(b)
}

func underPath(p, base string) bool {
	if base == "" {
		return true
	}
	clean := path.Clean("/" + p)
	return clean == base || strings.HasPrefix(clean, base+"/")
}

// ResolveLink turns a link the upstream wrote into a response (a FHIR
// Bundle's next link) into the URL to call, by RFC 3986: an absolute link
// as it is, a root-relative one ("/fhir/R4/Encounter?...") against the
// host, a relative one ("Encounter?...") against the base URL as a
// directory (FHIR resolves relative references against the service base).
// A link under Options.PublicBaseURL is moved onto the BaseURL. The result
// must lie under the BaseURL (Resolve's rule): links to other hosts or
// outside the base path are refused. Errors never quote the link.
func (c *Client) ResolveLink(link string) (*url.URL, error) {
	fail := func(rule string) (*url.URL, error) {
		return nil, fmt.Errorf("upstream %s: resolve link: %w", c.opts.System, errors.New(rule))
	}
	ref, err := url.Parse(link)
	if err != nil || ref.Opaque != "" {
		return fail("malformed URL")
	}
	if ref.User != nil {
		return fail("link carries credentials")
	}
	dir := *c.base
	dir.Path = c.base.Path + "/"
	u := dir.ResolveReference(ref)
	u.Fragment, u.RawFragment = "", ""
	if c.opts.PublicBaseURL != "" {
		if moved, ok := c.underPublicBase(u); ok {
			u = moved
		}
	}
	if !strings.EqualFold(u.Scheme, c.base.Scheme) || !sameHost(u, c.base) || !underPath(u.Path, c.base.Path) {
		return fail("link points outside " + c.base.Redacted())
	}
	if slices.Contains(strings.Split(ref.Path, "/"), "..") {
		return fail("path must not climb out of the base URL")
	}
	u.Scheme, u.Host = c.base.Scheme, c.base.Host
	return u, nil
}

// underPublicBase moves u from under the public base onto the base URL.
func (c *Client) underPublicBase(u *url.URL) (*url.URL, bool) {
	pub, err := url.Parse(c.opts.PublicBaseURL)
	if err != nil {
		return nil, false
	}
	pubPath := strings.TrimRight(pub.Path, "/")
	if !strings.EqualFold(u.Scheme, pub.Scheme) || !sameHost(u, pub) || !underPath(u.Path, pubPath) {
		return nil, false
	}
	moved := *u
	moved.Scheme, moved.Host = c.base.Scheme, c.base.Host
	moved.Path = c.base.Path + strings.TrimPrefix(path.Clean("/"+u.Path), pubPath)
	moved.RawPath = ""
	return &moved, true
}
