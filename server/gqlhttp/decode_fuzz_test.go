package gqlhttp_test

import (
	"net/http"
	"testing"

	"github.com/sundhedsklynge/klynge/errcode"
	"github.com/sundhedsklynge/klynge/server/gqlhttp"
)

// FuzzDecodeBody feeds arbitrary bodies to the POST decoder: it must never
// panic, refuse only with a 4xx and a code, and accept only requests that
// name a document.
func FuzzDecodeBody(f *testing.F) {
	for _, seed := range []string{
		`{"query":"{ version }"}`,
		`{"query":"query($c: CPR!){ citizen(cpr: $c) { cpr } }","variables":{"c":"0101011234"},"operationName":null}`,
		`{"extensions":{"persistedQuery":{"version":1,"sha256Hash":"abc"}}}`,
		`{"documentId":"sha256:00"}`,
		`[{"query":"{ version }"}]`,
		`{"query":1}`, `{"variables":[]}`, `{`, ``, `null`, `{"query":"x"} {}`,
		"\xef\xbb\xbf{\"query\":\"{ version }\"}",
		`{"query":"{ version }","variables":{"n":12345678901234567890}}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		req, rerr := gqlhttp.DecodeBody(body)
		if rerr != nil {
			if errcode.Status(rerr.Code) < 400 || errcode.Status(rerr.Code) > 499 || rerr.Code == "" || rerr.Message == "" {
				t.Fatalf("refusal %+v is not a 4xx with a code and a message", rerr)
			}
			if errcode.Status(rerr.Code) == http.StatusMethodNotAllowed {
				t.Fatalf("a body cannot make a 405")
			}
			return
		}
		if req == nil || req.Params == nil {
			t.Fatal("accepted without params")
		}
		if req.Params.Query == "" && req.DocumentID == "" && req.Params.Extensions["persistedQuery"] == nil {
			t.Fatalf("accepted a request that names no document: %q", body)
		}
	})
}
