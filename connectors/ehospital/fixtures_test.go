package ehospital

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/sundhedsklynge/klynge/connectors/ehospital/fhir"
	"github.com/sundhedsklynge/klynge/connectors/upstream"
	"github.com/sundhedsklynge/klynge/domain"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// Synthetic replacement numbers (day of birth + 60) used in testdata/.
var (
	cprKarl  = domain.MustParseCPR("6703851235") // male, 7 March 1985
	cprInger = domain.MustParseCPR("6811424562") // female, 8 November 1942
	cprNone  = domain.MustParseCPR("6102030405") // known to no one
)

// fakeEHospital is a real HTTP server speaking just enough of the FHIR
// contract: it records every request and answers with handle.
type fakeEHospital struct {
	*httptest.Server
	mu       sync.Mutex
	requests []seenRequest
	handle   func(w http.ResponseWriter, r *http.Request, n int)
}

type seenRequest struct {
	method, path, contentType, accept string
	query                             url.Values
	form                              url.Values
}

func newFakeEHospital(t *testing.T, handle func(w http.ResponseWriter, r *http.Request, n int)) *fakeEHospital {
	f := &fakeEHospital{handle: handle}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		form, _ := url.ParseQuery(string(body))
		f.mu.Lock()
		f.requests = append(f.requests, seenRequest{r.Method, r.URL.Path, r.Header.Get("Content-Type"), r.Header.Get("Accept"), r.URL.Query(), form})
		n := len(f.requests)
		f.mu.Unlock()
		w.Header().Set("Content-Type", fhir.ContentType)
		f.handle(w, r, n)
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeEHospital) seen() []seenRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]seenRequest(nil), f.requests...)
}

// base is the FHIR base URL the client is configured with.
func (f *fakeEHospital) base() string { return f.URL + "/ehospital/fhir" }

func serveFile(t *testing.T, name string) func(http.ResponseWriter, *http.Request, int) {
	data, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return func(w http.ResponseWriter, _ *http.Request, _ int) { _, _ = w.Write(data) }
}

func newClient(t *testing.T, base string, opts Options) *Client {
	t.Helper()
	up, err := upstream.New(upstream.Options{System: "ehospital", BaseURL: base, Retry: upstream.RetryOptions{Max: -1}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(up.Close)
	if opts.CPRSystem == "" {
		opts.CPRSystem = fhir.SystemSyntheticCPR
	}
	c, err := New(up, opts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Builders for generated bundles (paging tests, fuzz seeds, benchmark).

func encounterResource(id string, cpr domain.CPR, start time.Time) fhir.Encounter {
	return fhir.Encounter{
		ResourceType: "Encounter", ID: id, Status: "finished",
		Class:       fhir.Coding{System: fhir.SystemActCode, Code: "IMP"},
		ServiceType: &fhir.CodeableConcept{Coding: []fhir.Coding{{System: fhir.SystemSpecialty, Code: "internal-medicine"}}},
		Subject:     &fhir.Reference{Identifier: &fhir.Identifier{System: fhir.SystemSyntheticCPR, Value: string(cpr)}},
		Period:      &fhir.Period{Start: start.Format(time.RFC3339), End: start.Add(50 * time.Hour).Format(time.RFC3339)},
		Hospitalization: &fhir.EncounterHospitalization{DischargeDisposition: &fhir.CodeableConcept{
			Coding: []fhir.Coding{{System: fhir.SystemDischargeDisposition, Code: "home-nursing"}}}},
		Location:        []fhir.EncounterLocation{{Location: fhir.Reference{Identifier: &fhir.Identifier{System: fhir.SystemSOR, Value: "6621010"}, Display: "Medicinsk afdeling"}}},
		ServiceProvider: &fhir.Reference{Identifier: &fhir.Identifier{System: fhir.SystemSOR, Value: "6621000"}, Display: "Slagelse Sygehus"},
	}
}

func provenanceResource(id, encounterID, activity string, at time.Time) fhir.Provenance {
	sent := at.Add(2 * time.Minute).Format(time.RFC3339)
	return fhir.Provenance{
		ResourceType: "Provenance", ID: id,
		Extension: []fhir.Extension{
			{URL: fhir.ExtReceiverMunicipality, ValueCoding: &fhir.Coding{System: fhir.SystemMunicipality, Code: "0330"}},
			{URL: fhir.ExtNotificationSent, ValueDateTime: &sent},
		},
		Target:           []fhir.Reference{{Reference: "Encounter/" + encounterID}},
		OccurredDateTime: at.Format(time.RFC3339),
		Recorded:         at.Add(3 * time.Minute).Format(time.RFC3339),
		Activity:         &fhir.CodeableConcept{Coding: []fhir.Coding{{System: fhir.SystemMedComActivity, Code: activity}}},
		Agent:            []fhir.ProvenanceAgent{{Who: fhir.Reference{Identifier: &fhir.Identifier{System: fhir.SystemSOR, Value: "6621000"}, Display: "Slagelse Sygehus"}}},
	}
}

func bundle(next string, resources ...any) []byte {
	b := fhir.Bundle{ResourceType: "Bundle", Type: "searchset"}
	if next != "" {
		b.Link = []fhir.BundleLink{{Relation: "next", URL: next}}
	}
	for _, r := range resources {
		raw, err := json.Marshal(r)
		if err != nil {
			panic(err)
		}
		mode := "match"
		if _, ok := r.(fhir.Provenance); ok {
			mode = "include"
		}
		b.Entry = append(b.Entry, fhir.BundleEntry{Resource: raw, Search: &fhir.BundleEntrySearch{Mode: mode}})
	}
	out, err := json.Marshal(b)
	if err != nil {
		panic(err)
	}
	return out
}

// encounterBundle is n encounters of distinct synthetic citizens, each
// with an admission, a discharge and a revised discharge notification.
func encounterBundle(n int) ([]byte, []domain.CPR) {
	start := time.Date(2026, 2, 1, 10, 0, 0, 0, time.UTC)
	var resources []any
	cprs := make([]domain.CPR, n)
	for i := range n {
		cprs[i] = domain.MustParseCPR(fmt.Sprintf("%02d%02d60%04d", 61+i%28, 1+(i/28)%12, i))
		id := fmt.Sprintf("enc-%d", i)
		at := start.Add(time.Duration(i) * time.Hour)
		resources = append(resources,
			encounterResource(id, cprs[i], at),
			provenanceResource(id+"-p1", id, "admit-inpatient", at),
			provenanceResource(id+"-p2", id, "discharge-inpatient-home", at.Add(50*time.Hour)),
			provenanceResource(id+"-p3", id, "revise-discharge-inpatient-home", at.Add(51*time.Hour)))
	}
	return bundle("", resources...), cprs
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

func mustTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// fuzzUpstream is a client that is never called, for tests that map
// without HTTP.
func fuzzUpstream(tb testing.TB) *upstream.Client {
	up, err := upstream.New(upstream.Options{System: "ehospital", BaseURL: "http://127.0.0.1:1/fhir"})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(up.Close)
	return up
}
