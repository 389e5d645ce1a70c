// Package ehospital simulates eHospitalet's FHIR R4 REST API (contract
// connectors/ehospital/fhir) over the generated world: Patient and Encounter
// search (GET or POST _search) and read, the MedCom HospitalNotifications as
// Provenance, opaque paging, and a CapabilityStatement that lists exactly the
// search parameters it honours.
//
// It is strict where a FHIR server may be lenient: unknown parameters and
// malformed values are 400 OperationOutcomes naming the parameter and the
// rule. It serves; it never logs a request's contents.
package ehospital

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"

	"github.com/sundhedsklynge/klynge/connectors/ehospital/fhir"
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
	searches    *searchStore
	departments map[domain.SORCode]population.Department
	encCitizen  []int32 // citizen index of each encounter
}

// System describes eHospitalet's routes over w.
func System(w *population.World) httpapi.System {
	s := &server{world: w, searches: newSearchStore(), departments: departmentsBySOR(w)}
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
		return httpapi.Response{Status: status, Description: desc, ContentType: fhir.ContentType, Schema: fhir.OperationOutcome{}}
	}
	bundle := httpapi.Response{Status: 200, Description: "Bundle of type searchset with total and paging links", ContentType: fhir.ContentType, Schema: fhir.Bundle{}}
	searchErrs := []httpapi.Response{
		outcome(400, "unknown parameter or malformed value, naming the parameter and the rule"),
		outcome(413, "body over 1 MiB"),
		outcome(415, "POST body is not application/x-www-form-urlencoded"),
	}
	idParam := func(desc string) []httpapi.Param {
		return []httpapi.Param{{Name: "id", In: "path", Description: desc}}
	}
	var routes []httpapi.Route
	for _, res := range []struct {
		name   string
		specs  []paramSpec
		search http.HandlerFunc
		read   http.HandlerFunc
		readID string
	}{
		{"Patient", patientParams, s.searchHandler("Patient"), s.readPatient, "logical id, e.g. pat-000123 (never the CPR)"},
		{"Encounter", encounterParams, s.searchHandler("Encounter"), s.readEncounter, "logical id, e.g. enc-000123"},
	} {
		routes = append(routes,
			httpapi.Route{
				Method: http.MethodGet, Pattern: base + "/" + res.name, OperationID: "search" + res.name,
				Summary:     "Search " + res.name + " (GET)",
				Description: "Prefer POST " + res.name + "/_search: a GET puts the identifiers (CPRs) in the URL.",
				Params:      queryParams(res.specs), Responses: append([]httpapi.Response{bundle}, searchErrs...),
				Handler: res.search,
			},
			httpapi.Route{
				Method: http.MethodPost, Pattern: base + "/" + res.name + "/_search", OperationID: "search" + res.name + "Post",
				Summary:   "Search " + res.name + " (POST form body, parameters as for GET)",
				Request:   &httpapi.Body{ContentType: "application/x-www-form-urlencoded", Form: formParams(res.specs), Required: true},
				Responses: append([]httpapi.Response{bundle}, searchErrs...),
				Handler:   res.search,
			},
			httpapi.Route{
				Method: http.MethodGet, Pattern: base + "/" + res.name + "/{id}", OperationID: "read" + res.name,
				Summary: "Read one " + res.name, Params: idParam(res.readID),
				Responses: []httpapi.Response{
					{Status: 200, ContentType: fhir.ContentType, Schema: resourceSchema(res.name)},
					outcome(404, "no such "+res.name),
				},
				Handler: res.read,
			},
		)
	}
	routes = append(routes,
		httpapi.Route{
			Method: http.MethodGet, Pattern: base + "/Provenance/{id}", OperationID: "readProvenance",
			Summary: "Read one MedCom HospitalNotification as Provenance", Params: idParam("notification id, e.g. ntf-000123-1"),
			Responses: []httpapi.Response{{Status: 200, ContentType: fhir.ContentType, Schema: fhir.Provenance{}}, outcome(404, "no such notification")},
			Handler:   s.readProvenance,
		},
		httpapi.Route{
			Method: http.MethodGet, Pattern: base + "/metadata", OperationID: "capabilities",
			Summary:   "CapabilityStatement: the resources, interactions and search parameters served",
			Responses: []httpapi.Response{{Status: 200, ContentType: fhir.ContentType, Schema: capabilityStatement{}}},
			Handler:   s.metadata,
		},
		httpapi.Route{
			Method: http.MethodGet, Pattern: base, OperationID: "getPages",
			Summary:     "Another page of a stored search (the target of next/previous links)",
			Description: "Links are opaque and carry no search parameters, so no CPR ever appears in them.",
			Params: []httpapi.Param{
				{Name: "_getpages", In: "query", Required: true, Description: "stored search id"},
				{Name: "_getpagesoffset", In: "query", Type: "integer", Description: "index of the first match on the page"},
				{Name: fhir.ParamCount, In: "query", Type: "integer", Description: "page size, 0..100"},
			},
			Responses: []httpapi.Response{bundle, outcome(400, "missing or malformed paging parameter"), outcome(410, "the stored search has expired; search again")},
			Handler:   s.pages,
		},
	)
	return routes
}

func resourceSchema(name string) any {
	if name == "Patient" {
		return fhir.Patient{}
	}
	return fhir.Encounter{}
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
	httpapi.WriteJSON(w, status, fhir.ContentType, fhir.NewOperationOutcome(issue, message))
}

func fail(w http.ResponseWriter, err error) {
	e := httpapi.AsError(err)
	WriteError(w, e.Status, e.Code, e.Message)
}

// baseURL is the FHIR base as the client reached it.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + base
}

func (s *server) searchHandler(resource string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
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
		q, err := parseQuery(resource, values, s.world.Location())
		if err != nil {
			fail(w, err)
			return
		}
		httpapi.SetKeys(r.Context(), q.keys)
		id := s.searches.put(q)
		s.writeBundle(w, r, q, id, 0, q.count)
	}
}

func (s *server) pages(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	if err := httpapi.OnlyParams(v, "_getpages", "_getpagesoffset", fhir.ParamCount, "_format"); err != nil {
		fail(w, err)
		return
	}
	id := v.Get("_getpages")
	if id == "" {
		fail(w, httpapi.BadRequest("_getpages: the stored search id is required"))
		return
	}
	q, ok := s.searches.get(id)
	if !ok {
		fail(w, &httpapi.Error{Status: http.StatusGone, Code: "gone", Message: "_getpages: search " + id + " is unknown or expired; search again"})
		return
	}
	offset, err := nonNegative(v, "_getpagesoffset", 0)
	if err != nil {
		fail(w, err)
		return
	}
	count, err := nonNegative(v, fhir.ParamCount, q.count)
	if err != nil {
		fail(w, err)
		return
	}
	s.writeBundle(w, r, q, id, offset, min(count, fhir.MaxCount))
}

func nonNegative(v url.Values, name string, def int) (int, error) {
	raw := v.Get(name)
	if raw == "" {
		return def, nil
	}
	var n int
	for _, c := range raw {
		if c < '0' || c > '9' || n > 1e9 {
			return 0, httpapi.BadRequest("%s: must be a non-negative integer, got %q", name, raw)
		}
		n = n*10 + int(c-'0')
	}
	return n, nil
}

func (s *server) writeBundle(w http.ResponseWriter, r *http.Request, q *query, id string, offset, count int) {
	matches := s.run(q)
	total := len(matches)
	b := fhir.Bundle{ResourceType: "Bundle", ID: id, Type: "searchset", Total: &total}
	root := baseURL(r)
	page := func(off int) string {
		return root + "?_getpages=" + url.QueryEscape(id) + "&_getpagesoffset=" + itoa(off) + "&" + fhir.ParamCount + "=" + itoa(count)
	}
	b.Link = []fhir.BundleLink{{Relation: "self", URL: page(offset)}}
	if count > 0 && offset+count < total {
		b.Link = append(b.Link, fhir.BundleLink{Relation: "next", URL: page(offset + count)})
	}
	if offset > 0 && count > 0 {
		b.Link = append(b.Link, fhir.BundleLink{Relation: "previous", URL: page(max(0, offset-count))})
	}
	lo, hi := min(offset, total), min(offset+count, total)
	b.Entry = []fhir.BundleEntry{}
	var includes []fhir.BundleEntry
	for _, k := range matches[lo:hi] {
		if q.resource == "Patient" {
			b.Entry = append(b.Entry, entry(root+"/Patient/"+patientID(k), s.patient(k), "match"))
			continue
		}
		e := s.world.Encounters()[k]
		b.Entry = append(b.Entry, entry(root+"/Encounter/"+e.ID, s.encounter(k), "match"))
		if q.revInclude {
			for _, n := range e.Notifications {
				includes = append(includes, entry(root+"/Provenance/"+n.ID, s.provenance(e, n), "include"))
			}
		}
	}
	b.Entry = append(b.Entry, includes...)
	httpapi.WriteJSON(w, http.StatusOK, fhir.ContentType, b)
}

func entry(fullURL string, resource any, mode string) fhir.BundleEntry {
	raw, _ := httpapi.Marshal(resource)
	return fhir.BundleEntry{FullURL: fullURL, Resource: bytes.TrimSpace(raw), Search: &fhir.BundleEntrySearch{Mode: mode}}
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for ; n > 0; n /= 10 {
		i--
		b[i] = byte('0' + n%10)
	}
	return string(b[i:])
}

func (s *server) readPatient(w http.ResponseWriter, r *http.Request) {
	httpapi.SetKeys(r.Context(), 1)
	id := r.PathValue("id")
	i, ok := parsePatientID(id)
	if !ok || i < 0 || i >= len(s.world.Citizens()) {
		fail(w, httpapi.NotFound("Patient/%s is not known", id))
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, fhir.ContentType, s.patient(i))
}

func (s *server) readEncounter(w http.ResponseWriter, r *http.Request) {
	httpapi.SetKeys(r.Context(), 1)
	id := r.PathValue("id")
	k, ok := s.encounterIndex(id)
	if !ok {
		fail(w, httpapi.NotFound("Encounter/%s is not known", id))
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, fhir.ContentType, s.encounter(k))
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
	// ntf-000123-2 belongs to enc-000123.
	num, _, ok := strings.Cut(strings.TrimPrefix(id, "ntf-"), "-")
	if ok && strings.HasPrefix(id, "ntf-") {
		if k, found := s.encounterIndex("enc-" + num); found {
			e := s.world.Encounters()[k]
			for _, n := range e.Notifications {
				if n.ID == id {
					httpapi.WriteJSON(w, http.StatusOK, fhir.ContentType, s.provenance(e, n))
					return
				}
			}
		}
	}
	fail(w, httpapi.NotFound("Provenance/%s is not known", id))
}
