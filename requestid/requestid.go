// Package requestid names each request: an id accepted from the caller only
// in an opaque format (a UUID, or 16 to 64 hex digits, as tracing systems
// and proxies make them) that cannot carry a CPR number, made otherwise,
// echoed in the response, carried in the context and written on every log
// line, trace and access-log record of the request.
//
// It is a leaf: it imports nothing of the project, so that any package may
// read the id without depending on the HTTP surface.
package requestid

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
)

type key struct{}

// Header carries the request id in and out.
const Header = "X-Request-Id"

// From returns the request id of ctx, or "".
func From(ctx context.Context) string {
	id, _ := ctx.Value(key{}).(string)
	return id
}

// With returns ctx carrying id.
func With(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, key{}, id)
}

// Middleware accepts a caller's request id when Acceptable says so (so
// that what reaches the logs is opaque), otherwise makes one, and echoes
// it back.
func Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get(Header)
		if !Acceptable(id) {
			id = New()
		}
		w.Header().Set(Header, id)
		next.ServeHTTP(w, r.WithContext(With(r.Context(), id)))
	})
}

// Acceptable reports whether a caller's id may be used as it is: a UUID
// (8-4-4-4-12 hex digits) or 16 to 64 hex digits, without a run of ten
// decimal digits that reads as a CPR number (hyphens ignored). Free text is
// never accepted: a caller could put a name or a CPR in it, and the id is
// written to every log line and access-log record of the request.
func Acceptable(s string) bool {
	if !uuid(s) && !(len(s) >= 16 && len(s) <= 64 && allHex(s)) {
		return false
	}
	return !holdsCPR(s)
}

func uuid(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := range len(s) {
		switch i {
		case 8, 13, 18, 23:
			if s[i] != '-' {
				return false
			}
		default:
			if !isHex(s[i]) {
				return false
			}
		}
	}
	return true
}

func allHex(s string) bool {
	for i := range len(s) {
		if !isHex(s[i]) {
			return false
		}
	}
	return true
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// holdsCPR reports a run of ten decimal digits (hyphens between them
// ignored, as in 010190-1234) whose first four read as a day (01–31, or
// 61–91 for the synthetic CPRs of test data) and a month: what a CPR number
// looks like. Only the date is checked, so that the check needs no calendar
// and errs towards refusing.
func holdsCPR(s string) bool {
	var run []byte
	for i := range len(s) {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			run = append(run, c)
			if len(run) >= 10 && cprDate(run[len(run)-10:]) {
				return true
			}
		case c == '-':
		default:
			run = run[:0]
		}
	}
	return false
}

func cprDate(d []byte) bool {
	day := int(d[0]-'0')*10 + int(d[1]-'0')
	month := int(d[2]-'0')*10 + int(d[3]-'0')
	return (day >= 1 && day <= 31 || day >= 61 && day <= 91) && month >= 1 && month <= 12
}

// New makes a request id: 24 random hex digits, never one that Acceptable
// would refuse.
func New() string {
	for {
		var b [12]byte
		_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
		if id := hex.EncodeToString(b[:]); !holdsCPR(id) {
			return id
		}
	}
}
