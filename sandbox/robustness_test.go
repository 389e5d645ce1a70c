package sandbox_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/sundhedsklynge/klynge/sandbox/controls"
)

// TestNoRouteFailsOnGarbage sends every route malformed bodies, media types,
// path values and query strings: each gets a 4xx (or a 200 where garbage is
// harmless), always with a JSON body, never a 500 or a dropped connection.
func TestNoRouteFailsOnGarbage(t *testing.T) {
	s := start(t)
	var idx controls.Index
	get(t, s.URLs.Controls+"/").decode(t, &idx)

	bodies := []string{
		"", "{", "}", "null", "[]", `"text"`, "123", "true",
		`{"cprs":null}`, `{"cprs":[null]}`, `{"cprs":[1,2]}`, `{"cprs":{}}`, `{"cprs":["` + strings.Repeat("9", 5000) + `"]}`,
		`{"cprs":["6101320306"],"from":1}`, `{"cprs":["6101320306"],"to":"2025-99-99T00:00:00Z"}`,
		`{"ydernumre":[{}]}`, `{"ydernumre":"900001"}`, strings.Repeat("[", 20000) + strings.Repeat("]", 20000),
		"\x00\xff\xfe binary", "identifier=%ZZ&_count=1", "patient.identifier=|||&date=ge",
	}
	contentTypes := []string{"application/json", "application/x-www-form-urlencoded", "text/plain", "", "application/json; charset=\"", "multipart/form-data; boundary=x"}
	fills := []*strings.Replacer{
		strings.NewReplacer("{code}", "330", "{id}", "x", "{ydernummer}", "abc", "{$}", ""),
		strings.NewReplacer("{code}", "999", "{id}", "pat-0", "{ydernummer}", "900001", "{$}", ""),
		strings.NewReplacer("{code}", "%00", "{id}", "enc-%25%00", "{ydernummer}", strings.Repeat("9", 300), "{$}", ""),
		strings.NewReplacer("{code}", "-1", "{id}", "ntf-000001-", "{ydernummer}", "..", "{$}", ""),
	}
	queries := []string{
		"", "?_count=99999999999999999999", "?date=ge", "?date=ge2025-02-30", "?identifier=|||", "?identifier=,,",
		"?after=-1", "?after=1e3", "?limit=abc", "?%zz", "?municipality=0", "?_getpages=&_getpagesoffset=x",
		"?status=finished&status=in-progress", "?_revinclude=*", "?class=IMP,,EMER", "?patient.municipality=0330,",
		"?_format=xml", "?cluster=", "?sample=-1",
	}
	requests := 0
	check := func(method, url, contentType, body string) {
		t.Helper()
		requests++
		req, err := http.NewRequest(method, url, strings.NewReader(body))
		if err != nil {
			return // not a URL a client could send
		}
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s %s (%s) %.40q: connection failed: %v", method, url, contentType, body, err)
		}
		defer resp.Body.Close()
		var v any
		if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
			t.Errorf("%s %s (%s) %.40q: %d with a body that is not JSON: %v", method, url, contentType, body, resp.StatusCode, err)
		}
		if resp.StatusCode >= 500 {
			t.Errorf("%s %s (%s) %.40q: %d", method, url, contentType, body, resp.StatusCode)
		}
	}
	for _, sys := range idx.Systems {
		for _, route := range sys.Routes {
			method, pattern, _ := strings.Cut(route, " ")
			for _, fill := range fills {
				path := s.URL + fill.Replace(pattern)
				if method == http.MethodPost {
					for _, ct := range contentTypes {
						for _, b := range bodies {
							check(method, path, ct, b)
						}
					}
				}
				for _, q := range queries {
					check(method, path+q, "", "")
				}
			}
		}
	}
	for _, q := range queries {
		check(http.MethodGet, s.URLs.Controls+"/truth/gaps"+q, "", "")
		check(http.MethodGet, s.URLs.Controls+"/citizens"+q, "", "")
	}
	for _, b := range bodies {
		check(http.MethodPut, s.URLs.Controls+"/faults", "application/json", b)
	}
	s.ClearFaults(t)
	if requests < 1000 {
		t.Errorf("only %d requests sent", requests)
	}
}
