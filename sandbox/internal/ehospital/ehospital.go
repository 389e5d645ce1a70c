// Package ehospital simulates eHospitalet's FHIR R4 REST API over the
// generated world: Patient, Encounter and Provenance search (GET or POST
// _search) and read, the MedCom HospitalNotifications as Provenance, paging,
// and a CapabilityStatement that lists exactly what is supported.
//
// It writes its FHIR from the population model with its own types (it
// shares none with the ehospital connector), and speaks one of several
// server dialects at a time (Dialect): eHospitalet's own, and those of HAPI,
// Medplum and a minimal facade, with their paging, subjects, partial dates,
// includes and refusals. It is strict: unknown parameters and malformed
// values are 400 OperationOutcomes naming the parameter and the rule. It
// serves; it never logs a request's contents.
package ehospital

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/sundhedsklynge/klynge/domain"
	"github.com/sundhedsklynge/klynge/sandbox/controls"
	"github.com/sundhedsklynge/klynge/sandbox/internal/httpapi"
	"github.com/sundhedsklynge/klynge/sandbox/population"
)

// Prefix is the system's path prefix; the FHIR base URL is Prefix + "/fhir".
const Prefix = "/ehospital"

const base = Prefix + "/fhir"

type server struct {
	world       *population.World
	dialect     *Switch
	searches    *Searches
	departments map[domain.SORCode]population.Department
	encCitizen  []int32 // citizen index of each encounter
}

// System describes eHospitalet's routes over w, in the dialect sw serves,
// keeping the searches its next links name in searches.
func System(w *population.World, sw *Switch, searches *Searches) httpapi.System {
	s := &server{world: w, dialect: sw, searches: searches, departments: departmentsBySOR(w)}
	s.encCitizen = make([]int32, len(w.Encounters()))
	for i := range w.Citizens() {
		for _, k := range w.EncounterIndexes(i) {
			s.encCitizen[k] = int32(i)
		}
	}
	return httpapi.System{
		Name:       "ehospital",
		Title:      "eHospitalet, Region Sjælland (FHIR R4)",
		Version:    "4.0.1",
		Prefix:     Prefix,
		Key:        func(*http.Request) (string, bool) { return controls.SystemEHospital, true },
		Routes:     s.routes(),
		WriteError: WriteError,
	}
}

func (s *server) routes() []httpapi.Route {
	outcome := func(status int, desc string) httpapi.Response {
		return httpapi.Response{Status: status, Description: desc, ContentType: contentType, Schema: operationOutcome{}}
	}
	bundle := httpapi.Response{Status: 200, Description: "Bundle of type searchset with paging links (and total, in dialects that write it)", ContentType: contentType, Schema: searchBundle{}}
	searchErrs := []httpapi.Response{
		outcome(400, "unknown or unsupported parameter, or malformed value, naming the parameter and the rule"),
		outcome(413, "body over 1 MiB"),
		outcome(414, "request line over the dialect's limit (8 KiB in some)"),
		outcome(415, "POST body is not application/x-www-form-urlencoded"),
	}
	idParam := func(desc string) []httpapi.Param {
		return []httpapi.Param{{Name: "id", In: "path", Description: desc}}
	}
	var routes []httpapi.Route
	for _, res := range []struct {
		name   string
		read   http.HandlerFunc
		readID string
		schema any
	}{
		{"Patient", s.readPatient, "logical id, e.g. pat-000123 (never the CPR)", patientResource{}},
		{"Encounter", s.readEncounter, "logical id, e.g. enc-000123", encounterResource{}},
		{"Provenance", s.readProvenance, "notification id, e.g. ntf-000123-1", provenanceResource{}},
	} {
		specs := specsOf(res.name)
		routes = append(routes,
			httpapi.Route{
				Method: http.MethodGet, Pattern: base + "/" + res.name, OperationID: "search" + res.name,
				Summary:     "Search " + res.name + " (GET)",
				Description: "Prefer POST " + res.name + "/_search: a GET puts the identifiers (CPRs) in the URL.",
				Params:      queryParams(specs), Responses: append([]httpapi.Response{bundle}, searchErrs...),
				Handler: s.searchHandler(res.name),
			},
			httpapi.Route{
				Method: http.MethodPost, Pattern: base + "/" + res.name + "/_search", OperationID: "search" + res.name + "Post",
				Summary:   "Search " + res.name + " (POST form body, parameters as for GET)",
				Request:   &httpapi.Body{ContentType: "application/x-www-form-urlencoded", Form: formParams(specs), Required: true},
				Responses: append([]httpapi.Response{bundle}, searchErrs...),
				Handler:   s.searchHandler(res.name),
			},
			httpapi.Route{
				Method: http.MethodGet, Pattern: base + "/" + res.name + "/{id}", OperationID: "read" + res.name,
				Summary: "Read one " + res.name, Params: idParam(res.readID),
				Responses: []httpapi.Response{
					{Status: 200, ContentType: contentType, Schema: res.schema},
					outcome(404, "no such "+res.name),
				},
				Handler: res.read,
			},
		)
	}
	return append(routes,
		httpapi.Route{
			Method: http.MethodGet, Pattern: base + "/metadata", OperationID: "capabilities",
			Summary:   "CapabilityStatement: the resources, interactions and search parameters the current dialect serves",
			Responses: []httpapi.Response{{Status: 200, ContentType: contentType, Schema: capabilityStatement{}}},
			Handler:   s.metadata,
		},
		httpapi.Route{
			Method: http.MethodGet, Pattern: base, OperationID: "getPages",
			Summary:     "Another page of a stored search (the target of opaque next/previous links)",
			Description: "Opaque links carry no search parameters, so no CPR ever appears in them.",
			Params: []httpapi.Param{
				{Name: "_getpages", In: "query", Required: true, Description: "stored search id"},
				{Name: "_getpagesoffset", In: "query", Type: "integer", Description: "index of the first match on the page"},
				{Name: paramCount, In: "query", Type: "integer", Description: "page size, capped by the dialect"},
			},
			Responses: []httpapi.Response{bundle, outcome(400, "missing or malformed paging parameter"), outcome(410, "the stored search has expired; search again")},
			Handler:   s.pages,
		},
	)
}

func queryParams(specs []paramSpec) []httpapi.Param {
	out := make([]httpapi.Param, 0, len(specs))
	for _, p := range specs {
		t := "string"
		if p.typ == "number" {
			t = "integer"
		}
		out = append(out, httpapi.Param{Name: p.name, In: "query", Type: t, Description: p.doc})
	}
	return out
}

func formParams(specs []paramSpec) []httpapi.Param {
	out := queryParams(specs)
	for i := range out {
		out[i].In = ""
	}
	return out
}

// issueCodes map the sandbox's error codes to FHIR issue types.
var issueCodes = map[string]string{
	"bad_request":            "invalid",
	"not_found":              "not-found",
	"gone":                   "not-found",
	"body_too_large":         "too-costly",
	"uri_too_long":           "too-costly",
	"unsupported_media_type": "not-supported",
	"method_not_allowed":     "not-supported",
	"injected_fault":         "transient",
	"internal":               "exception",
}

// WriteError answers an OperationOutcome, as a FHIR server does.
func WriteError(w http.ResponseWriter, status int, code, message string) {
	issue, ok := issueCodes[code]
	if !ok {
		issue = "processing"
	}
	httpapi.WriteJSON(w, status, contentType, operationOutcome{ResourceType: "OperationOutcome",
		Issue: []outcomeIssue{{Severity: "error", Code: issue, Diagnostics: message}}})
}

func fail(w http.ResponseWriter, err error) {
	e := httpapi.AsError(err)
	WriteError(w, e.Status, e.Code, e.Message)
}

// refuse answers a parameter the dialect does not support, in the words
// of the server it imitates.
func refuse(w http.ResponseWriter, d Dialect, r *refusal) {
	issue := outcomeIssue{Severity: "error", Code: "not-supported", Diagnostics: r.name + ": not supported by this server"}
	switch d.Wording {
	case "hapi":
		issue.Code = "processing"
		issue.Diagnostics = fmt.Sprintf(`HAPI-0524: Unknown search parameter "%s" for resource type "%s". Valid search parameters for this search are: [_id, class, date, identifier, patient, service-provider, status, subject]`, r.name, r.resource)
	case "medplum":
		issue.Code = "invalid"
		issue.Diagnostics = ""
		issue.Details = &concept{Text: "Unknown search parameter: " + r.name}
	}
	httpapi.WriteJSON(w, http.StatusBadRequest, contentType, operationOutcome{ResourceType: "OperationOutcome", Issue: []outcomeIssue{issue}})
}

// tooLong answers 414 when the request line is over the dialect's limit.
func tooLong(w http.ResponseWriter, r *http.Request, d Dialect) bool {
	if d.MaxRequestLine == 0 || len(r.Method)+len(r.RequestURI)+len(r.Proto)+2 <= d.MaxRequestLine {
		return false
	}
	WriteError(w, http.StatusRequestURITooLong, "uri_too_long", fmt.Sprintf("request line over %d bytes", d.MaxRequestLine))
	return true
}

// baseURL is the FHIR base as the client reached it.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + base
}

func (s *server) refs() resolver {
	return resolver{
		patient: func(id string) (int, bool) {
			i, ok := parsePatientID(id)
			return i, ok && i >= 0 && i < len(s.world.Citizens())
		},
		encounter: s.encounterIndex,
	}
}

func (s *server) searchHandler(resource string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		d := s.dialect.Current()
		if tooLong(w, r, d) {
			return
		}
		values := r.URL.Query()
		if r.Method == http.MethodPost {
			form, err := httpapi.ParseForm(w, r)
			if err != nil {
				fail(w, err)
				return
			}
			for k, vs := range form {
				values[k] = append(values[k], vs...)
			}
		}
		q, err := parseQuery(d, resource, values, s.world.Location(), s.refs())
		if rf, ok := err.(*refusal); ok {
			refuse(w, d, rf)
			return
		}
		if err != nil {
			fail(w, err)
			return
		}
		httpapi.SetKeys(r.Context(), q.keys)
		id := ""
		if d.Links == linksOpaque {
			id = s.searches.put(q)
		}
		s.writeBundle(w, r, d, q, id, q.offset, q.count)
	}
}

func (s *server) pages(w http.ResponseWriter, r *http.Request) {
	d := s.dialect.Current()
	v := r.URL.Query()
	if err := httpapi.OnlyParams(v, "_getpages", "_getpagesoffset", paramCount, "_format", "_bundletype"); err != nil {
		fail(w, err)
		return
	}
	id := v.Get("_getpages")
	if id == "" {
		fail(w, httpapi.BadRequest("_getpages: the stored search id is required"))
		return
	}
	stored, ok := s.searches.get(id)
	if !ok {
		fail(w, &httpapi.Error{Status: http.StatusGone, Code: "gone", Message: "_getpages: search " + id + " is unknown or expired; search again"})
		return
	}
	// The search again, over the world this view serves (which may be
	// later than the one it was stored in: Searches).
	q, err := parseQuery(d, stored.resource, stored.params, s.world.Location(), s.refs())
	if err != nil {
		fail(w, err)
		return
	}
	offset, err := nonNegative(v, "_getpagesoffset", 0)
	if err != nil {
		fail(w, err)
		return
	}
	count, err := nonNegative(v, paramCount, q.count)
	if err != nil {
		fail(w, err)
		return
	}
	s.writeBundle(w, r, d, q, id, offset, min(count, d.MaxCount))
}

func nonNegative(v url.Values, name string, def int) (int, error) {
	raw := v.Get(name)
	if raw == "" {
		return def, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < 0 || n > 1e9 {
		return 0, httpapi.BadRequest("%s: must be a non-negative integer, got %q", name, raw)
	}
	return n, nil
}

// writeBundle answers one page of q in dialect d.
func (s *server) writeBundle(w http.ResponseWriter, r *http.Request, d Dialect, q *query, id string, offset, count int) {
	var matches []json.RawMessage
	var fullURLs []string
	var encounters []int
	root := baseURL(r)
	total := 0
	switch q.resource {
	case "Provenance":
		refs := s.runProvenance(q)
		total = len(refs)
		for _, n := range refs[min(offset, total):min(offset+count, total)] {
			matches = append(matches, marshal(s.provenance(n.encounter, n.notification)))
			fullURLs = append(fullURLs, root+"/Provenance/"+s.world.Encounters()[n.encounter].Notifications[n.notification].ID)
		}
	default:
		found := s.run(q)
		total = len(found)
		for _, k := range found[min(offset, total):min(offset+count, total)] {
			if q.resource == "Patient" {
				matches = append(matches, marshal(s.patient(d, k)))
				fullURLs = append(fullURLs, root+"/Patient/"+patientID(k))
				continue
			}
			encounters = append(encounters, k)
			matches = append(matches, marshal(s.encounter(d, k)))
			fullURLs = append(fullURLs, root+"/Encounter/"+s.world.Encounters()[k].ID)
		}
	}
	b := searchBundle{ResourceType: "Bundle", ID: id, Type: "searchset", Entry: []bundleEntry{}}
	if d.Total || q.total {
		b.Total = &total
	}
	b.Link = []bundleLink{{Relation: "self", URL: s.pageLink(d, root, q, id, offset, count)}}
	if count > 0 && offset+count < total {
		b.Link = append(b.Link, bundleLink{Relation: "next", URL: s.pageLink(d, root, q, id, offset+count, count)})
	}
	if offset > 0 && count > 0 {
		b.Link = append(b.Link, bundleLink{Relation: "previous", URL: s.pageLink(d, root, q, id, max(0, offset-count), count)})
	}
	for i, m := range matches {
		b.Entry = append(b.Entry, bundleEntry{FullURL: fullURLs[i], Resource: m, Search: &entrySearch{Mode: "match"}})
	}
	b.Entry = append(b.Entry, s.includes(d, root, q, encounters)...)
	httpapi.WriteJSON(w, http.StatusOK, contentType, b)
}

// pageLink writes the link to the page at offset in the dialect's style.
func (s *server) pageLink(d Dialect, root string, q *query, id string, offset, count int) string {
	if d.Links == linksOpaque {
		return root + "?_getpages=" + url.QueryEscape(id) + "&_getpagesoffset=" + strconv.Itoa(offset) + "&" + paramCount + "=" + strconv.Itoa(count) + "&_bundletype=searchset"
	}
	v := url.Values{}
	for k, vs := range q.params {
		v[k] = vs
	}
	v.Set(paramCount, strconv.Itoa(count))
	v.Set(paramOffset, strconv.Itoa(offset))
	if d.Links == linksRootRelative {
		return base + "/" + q.resource + "?" + v.Encode()
	}
	return root + "/" + q.resource + "?" + v.Encode()
}

// includes are the include entries of a page of encounters: the patients
// (_include), the notifications (_revinclude), and in dialects that add
// them unasked, each stay's preceding stay.
func (s *server) includes(d Dialect, root string, q *query, encounters []int) []bundleEntry {
	var out []bundleEntry
	include := func(fullURL string, resource any) {
		out = append(out, bundleEntry{FullURL: fullURL, Resource: marshal(resource), Search: &entrySearch{Mode: "include"}})
	}
	seen := map[int]bool{}
	for _, k := range encounters {
		if ci := int(s.encCitizen[k]); q.include && !seen[ci] {
			seen[ci] = true
			include(root+"/Patient/"+patientID(ci), s.patient(d, ci))
		}
	}
	for _, k := range encounters {
		if q.revInclude {
			for j, n := range s.world.Encounters()[k].Notifications {
				include(root+"/Provenance/"+n.ID, s.provenance(k, j))
			}
		}
	}
	if d.UnaskedIncludes {
		for _, k := range encounters {
			if prev, ok := s.previousStay(k); ok {
				include(root+"/Encounter/"+s.world.Encounters()[prev].ID, s.encounter(d, prev))
			}
		}
	}
	return out
}

func marshal(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("sandbox: marshal %T: %v", v, err))
	}
	return b
}

func (s *server) readPatient(w http.ResponseWriter, r *http.Request) {
	httpapi.SetKeys(r.Context(), 1)
	id := r.PathValue("id")
	i, ok := s.refs().patient(id)
	if !ok {
		fail(w, httpapi.NotFound("Patient/%s is not known", id))
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, contentType, s.patient(s.dialect.Current(), i))
}

func (s *server) readEncounter(w http.ResponseWriter, r *http.Request) {
	httpapi.SetKeys(r.Context(), 1)
	id := r.PathValue("id")
	k, ok := s.encounterIndex(id)
	if !ok {
		fail(w, httpapi.NotFound("Encounter/%s is not known", id))
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, contentType, s.encounter(s.dialect.Current(), k))
}

func (s *server) encounterIndex(id string) (int, bool) {
	all := s.world.Encounters()
	lo, hi := 0, len(all)
	for lo < hi {
		m := (lo + hi) / 2
		if all[m].ID < id {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo, lo < len(all) && all[lo].ID == id
}

func (s *server) readProvenance(w http.ResponseWriter, r *http.Request) {
	httpapi.SetKeys(r.Context(), 1)
	id := r.PathValue("id")
	for k, e := range s.world.Encounters() {
		for j, n := range e.Notifications {
			if n.ID == id {
				httpapi.WriteJSON(w, http.StatusOK, contentType, s.provenance(k, j))
				return
			}
		}
	}
	fail(w, httpapi.NotFound("Provenance/%s is not known", id))
}
