package gqlhttp

import (
	"fmt"
	"net/http"

	"github.com/sundhedsklynge/klynge/errcode"
)

// DefaultMaxHeaderBytes bounds the request line and headers when no bound is
// configured.
const DefaultMaxHeaderBytes = 16 << 10

// Bound refuses requests whose headers (request line included) exceed
// maxHeader bytes with 431, and bodies that declare or turn out to exceed
// maxBody bytes with 413, before any handler reads them. Zero means the
// package default. http.Server.MaxHeaderBytes still applies before this, as
// the hard ceiling of what the server reads at all.
func Bound(maxBody, maxHeader int64, next http.Handler) http.Handler {
	if maxBody <= 0 {
		maxBody = DefaultMaxBodyBytes
	}
	if maxHeader <= 0 {
		maxHeader = DefaultMaxHeaderBytes
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n := headerBytes(r); n > maxHeader {
			WriteError(w, r, errcode.HeadersTooLarge,
				fmt.Sprintf("the request line and headers exceed the limit of %d bytes (limits.maxHeaderBytes)", maxHeader))
			return
		}
		if r.ContentLength > maxBody {
			WriteError(w, r, errcode.RequestTooLarge,
				fmt.Sprintf("the request body exceeds the limit of %d bytes (limits.maxRequestBytes)", maxBody))
			return
		}
		if r.Body != nil {
			r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		}
		next.ServeHTTP(w, r)
	})
}

// headerBytes approximates the bytes of the request line and headers as
// they arrived: method, URI and protocol, then "Name: value\r\n" per value.
func headerBytes(r *http.Request) int64 {
	n := int64(len(r.Method) + len(r.RequestURI) + len(r.Proto) + 4)
	if r.RequestURI == "" && r.URL != nil {
		n += int64(len(r.URL.RequestURI()))
	}
	n += int64(len(r.Host) + 8)
	for k, vs := range r.Header {
		for _, v := range vs {
			n += int64(len(k) + len(v) + 4)
		}
	}
	return n
}
