package ehospital

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// fhirRepo is a small FHIR server over recorded resources, for the
// connector's tests: it answers searches as a server does (keeping what was
// asked for, by the CPRs and ids a resource holds, even when the resource
// is otherwise broken), pages them and writes next links in one of the
// styles real servers use. It records every request.
type fhirRepo struct {
	*httptest.Server
	t         *testing.T
	mu        sync.Mutex
	resources map[string][]json.RawMessage
	requests  []seenRequest
	// capCount caps _count (0: no cap); links is "opaque" (HAPI's
	// _getpages, absolute), "repeat" (the whole search, absolute, as
	// Medplum) or "root" (the whole search, root-relative).
	capCount int
	links    string
	// refuse answers 400 with an OperationOutcome to a search using one
	// of these parameters (or include values), as HAPI words it.
	refuse []string
	// maxRequestLine answers 414 to longer request lines (0: no limit).
	maxRequestLine int
	stored         map[string]url.Values
}

// newRepo serves the resources of the given testdata bundles.
func newRepo(t *testing.T, files ...string) *fhirRepo {
	t.Helper()
	r := &fhirRepo{t: t, resources: map[string][]json.RawMessage{}, links: "opaque", stored: map[string]url.Values{}}
	for _, f := range files {
		raw, err := os.ReadFile("testdata/" + f)
		if err != nil {
			t.Fatal(err)
		}
		r.load(raw)
	}
	r.Server = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.Close)
	return r
}

// load adds a bundle's resources (replacing those with the same type and id).
func (r *fhirRepo) load(bundle []byte) {
	var b struct {
		Entry []struct {
			Resource json.RawMessage `json:"resource"`
		} `json:"entry"`
	}
	if err := json.Unmarshal(bundle, &b); err != nil {
		r.t.Fatal(err)
	}
	for _, e := range b.Entry {
		var head struct{ ResourceType, ID string }
		_ = json.Unmarshal(e.Resource, &head)
		if head.ResourceType == "" {
			head.ResourceType = "Encounter" // a record broken on purpose
		}
		r.resources[head.ResourceType] = append(r.resources[head.ResourceType], e.Resource)
	}
}

func (r *fhirRepo) base() string { return r.URL + "/ehospital/fhir" }

func (r *fhirRepo) seen() []seenRequest {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.requests)
}

func (r *fhirRepo) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	form, _ := url.ParseQuery(string(body))
	r.mu.Lock()
	r.requests = append(r.requests, seenRequest{req.Method, req.URL.Path, req.Header.Get("Content-Type"), req.Header.Get("Accept"), req.URL.Query(), form})
	r.mu.Unlock()
	w.Header().Set("Content-Type", "application/fhir+json")
	if r.maxRequestLine > 0 && len(req.Method)+len(req.URL.RequestURI())+10 > r.maxRequestLine {
		http.Error(w, "request line too long", http.StatusRequestURITooLong)
		return
	}
	params := req.URL.Query()
	for k, v := range form {
		params[k] = append(params[k], v...)
	}
	rest := strings.Trim(strings.TrimPrefix(req.URL.Path, "/ehospital/fhir"), "/")
	resource, _, _ := strings.Cut(rest, "/")
	if id := params.Get("_getpages"); id != "" {
		r.mu.Lock()
		stored := r.stored[id]
		r.mu.Unlock()
		resource = stored.Get("__type")
		offset := params.Get("_getpagesoffset")
		params = url.Values{}
		for k, v := range stored {
			params[k] = v
		}
		params.Set("_offset", offset)
	}
	for _, name := range r.refuse {
		for k, vs := range params {
			if k == name || slices.Contains(vs, name) {
				w.WriteHeader(http.StatusBadRequest)
				fmt.Fprintf(w, `{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"processing","diagnostics":"Unknown search parameter \"%s\" for resource type \"%s\". Valid search parameters for this search are: [_id, date, identifier, patient, status]"}]}`, name, resource)
				return
			}
		}
	}
	_, _ = w.Write(r.searchset(resource, params))
}

// searchset answers one page of a search.
func (r *fhirRepo) searchset(resource string, params url.Values) []byte {
	var matches []json.RawMessage
	for _, raw := range r.resources[resource] {
		if r.matches(raw, params) {
			matches = append(matches, raw)
		}
	}
	count, _ := strconv.Atoi(params.Get("_count"))
	if count == 0 || (r.capCount > 0 && count > r.capCount) {
		count = max(r.capCount, 0)
		if count == 0 {
			count = 100
		}
	}
	offset, _ := strconv.Atoi(params.Get("_offset"))
	page := matches[min(offset, len(matches)):min(offset+count, len(matches))]
	type entry struct {
		Resource json.RawMessage   `json:"resource"`
		Search   map[string]string `json:"search"`
	}
	var entries []entry
	for _, raw := range page {
		entries = append(entries, entry{raw, map[string]string{"mode": "match"}})
	}
	for _, raw := range r.includes(resource, page, params) {
		entries = append(entries, entry{raw, map[string]string{"mode": "include"}})
	}
	b := map[string]any{"resourceType": "Bundle", "type": "searchset", "entry": entries}
	if offset+count < len(matches) {
		b["link"] = []map[string]string{{"relation": "next", "url": r.next(resource, params, offset+count, count)}}
	}
	out, _ := json.Marshal(b)
	return out
}

func (r *fhirRepo) next(resource string, params url.Values, offset, count int) string {
	switch r.links {
	case "opaque":
		id := fmt.Sprintf("s%d", len(r.stored)+1)
		stored := url.Values{"__type": {resource}}
		for k, v := range params {
			if k != "_offset" && k != "_getpages" && k != "_getpagesoffset" {
				stored[k] = v
			}
		}
		r.mu.Lock()
		r.stored[id] = stored
		r.mu.Unlock()
		return fmt.Sprintf("%s?_getpages=%s&_getpagesoffset=%d&_count=%d", r.base(), id, offset, count)
	}
	q := url.Values{}
	for k, v := range params {
		q[k] = v
	}
	q.Set("_offset", strconv.Itoa(offset))
	q.Set("_count", strconv.Itoa(count))
	if r.links == "root" {
		return "/ehospital/fhir/" + resource + "?" + q.Encode()
	}
	return r.base() + "/" + resource + "?" + q.Encode()
}

// matches keeps what the search asks for, by the values a resource holds
// anywhere in it: the server knows whose record it is even when klynge
// cannot read it. A patient is named by CPR or by any reference to the
// Patient holding that CPR (as a server resolves a chain).
func (r *fhirRepo) matches(raw json.RawMessage, params url.Values) bool {
	s := string(raw)
	values := func(list string) []string {
		var out []string
		for _, v := range strings.Split(list, ",") {
			if _, value, ok := strings.Cut(v, "|"); ok {
				v = value
			}
			out = append(out, v)
		}
		return out
	}
	refers := func(ref string) bool {
		return strings.Contains(s, ref+`"`) || strings.Contains(s, ref+`/_history`)
	}
	for k, vs := range params {
		ok := false
		for _, v := range values(vs[0]) {
			switch k {
			case "identifier":
				ok = ok || strings.Contains(s, v)
			case "patient.identifier":
				ok = ok || strings.Contains(s, v) || slices.ContainsFunc(r.patientIDs(v), func(id string) bool { return refers("Patient/" + id) })
			case "_id":
				var head struct{ ID string }
				ok = ok || json.Unmarshal(raw, &head) == nil && head.ID == v
			case "patient":
				ok = ok || refers(v) || slices.ContainsFunc(r.cprsOf(strings.TrimPrefix(v, "Patient/")), func(c string) bool { return strings.Contains(s, c) })
			case "target":
				ok = ok || refers(v)
			case "status":
				var head struct{ Status string }
				ok = ok || json.Unmarshal(raw, &head) == nil && head.Status == v
			default:
				ok = true
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// patientIDs are the ids of the Patients holding value.
func (r *fhirRepo) patientIDs(value string) []string {
	var out []string
	for _, p := range r.resources["Patient"] {
		var head struct{ ID string }
		if json.Unmarshal(p, &head) == nil && strings.Contains(string(p), value) {
			out = append(out, head.ID)
		}
	}
	return out
}

// cprsOf are the identifier values of Patient id.
func (r *fhirRepo) cprsOf(id string) []string {
	for _, p := range r.resources["Patient"] {
		var pt struct {
			ID         string
			Identifier []struct{ Value string }
		}
		if json.Unmarshal(p, &pt) == nil && pt.ID == id {
			var out []string
			for _, i := range pt.Identifier {
				out = append(out, i.Value)
			}
			return out
		}
	}
	return nil
}

// includes are the _include'd patients and _revinclude'd provenances of
// a page of encounters.
func (r *fhirRepo) includes(resource string, page []json.RawMessage, params url.Values) []json.RawMessage {
	if resource != "Encounter" {
		return nil
	}
	var out []json.RawMessage
	if params.Get("_include") != "" {
		for _, p := range r.resources["Patient"] {
			var head struct{ ID string }
			_ = json.Unmarshal(p, &head)
			for _, e := range page {
				if strings.Contains(string(e), `Patient/`+head.ID+`"`) {
					out = append(out, p)
					break
				}
			}
		}
	}
	if params.Get("_revinclude") != "" {
		for _, p := range r.resources["Provenance"] {
			for _, e := range page {
				var head struct{ ID string }
				_ = json.Unmarshal(e, &head)
				if head.ID != "" && (strings.Contains(string(p), `Encounter/`+head.ID+`"`) || strings.Contains(string(p), `Encounter/`+head.ID+`/_history`)) {
					out = append(out, p)
					break
				}
			}
		}
	}
	return out
}
