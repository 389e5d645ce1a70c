package sandbox_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/sundhedsklynge/klynge/connectors/ehospital/fhir"
	"github.com/sundhedsklynge/klynge/domain"
	"github.com/sundhedsklynge/klynge/sandbox/population"
	"github.com/sundhedsklynge/klynge/sandbox/sandboxtest"
)

// fhirSearch posts a search as klynge does (form body, no CPR in the URL).
func fhirSearch(t *testing.T, s *sandboxtest.Server, resource string, params url.Values) (fhir.Bundle, answer) {
	t.Helper()
	a := call(t, http.MethodPost, s.URLs.EHospitalFHIR+"/"+resource+"/_search", "application/x-www-form-urlencoded", params.Encode())
	var b fhir.Bundle
	if a.status == http.StatusOK {
		a.decode(t, &b)
	}
	return b, a
}

// entries splits a bundle's entries into matches and includes.
func entries[T any](t *testing.T, b fhir.Bundle, mode string) []T {
	t.Helper()
	var out []T
	for _, e := range b.Entry {
		if e.Search == nil || e.Search.Mode != mode {
			continue
		}
		var v T
		if err := json.Unmarshal(e.Resource, &v); err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	return out
}

// withEncounters finds citizens with at least n encounters, one carrying
// notifications.
func withEncounters(w *population.World, n int) []domain.Citizen {
	var out []domain.Citizen
	for _, c := range w.Citizens() {
		es := w.EncountersOf(c.CPR)
		if len(es) >= n && len(es[0].Notifications) > 0 {
			out = append(out, c)
		}
	}
	return out
}

func TestEHospitalPatients(t *testing.T) {
	s := start(t)
	w := s.Sandbox.World()
	citizens := w.Citizens()

	t.Run("search by an OR list of synthetic identifiers returns those patients", func(t *testing.T) {
		ids := fhir.SystemSyntheticCPR + "|" + string(citizens[5].CPR) + "," + string(citizens[9].CPR) + "," + fhir.SystemSyntheticCPR + "|" + citizens[7].CPR.String()
		b, a := fhirSearch(t, s, "Patient", url.Values{"identifier": {ids}})
		wantStatus(t, a, 200)
		if ct := a.header.Get("Content-Type"); ct != fhir.ContentType {
			t.Errorf("Content-Type %q", ct)
		}
		if b.Type != "searchset" || b.Total == nil || *b.Total != 3 {
			t.Fatalf("bundle type %q total %v, want searchset 3", b.Type, b.Total)
		}
		patients := entries[fhir.Patient](t, b, "match")
		var got []string
		for _, p := range patients {
			got = append(got, p.Identifier[0].Value)
		}
		want := []string{string(citizens[5].CPR), string(citizens[7].CPR), string(citizens[9].CPR)}
		if !slices.Equal(got, want) {
			t.Errorf("patients %v, want %v", got, want)
		}
	})

	t.Run("a patient carries name, birth date, municipality and GP", func(t *testing.T) {
		c := citizens[11]
		a := get(t, s.URLs.EHospitalFHIR+"/Patient?identifier="+string(c.CPR))
		wantStatus(t, a, 200)
		var b fhir.Bundle
		a.decode(t, &b)
		p := entries[fhir.Patient](t, b, "match")[0]
		muni := p.Address[0].Extension[0]
		switch {
		case p.Identifier[0].System != fhir.SystemSyntheticCPR:
			t.Errorf("identifier system %q claims more than a synthetic number", p.Identifier[0].System)
		case p.Name[0].Family != c.FamilyName || p.BirthDate != c.BirthDate.Format("2006-01-02") || p.Gender != string(c.Sex):
			t.Errorf("patient %+v does not match citizen", p)
		case muni.URL != fhir.ExtMunicipality || muni.ValueCodeableConcept.Code(fhir.SystemMunicipality) != fmt.Sprintf("%04d", int(c.Address.Municipality)):
			t.Errorf("municipality extension %+v, want %04d", muni, int(c.Address.Municipality))
		case p.GeneralPractitioner[0].Identifier.System != fhir.SystemYdernummer || p.GeneralPractitioner[0].Identifier.Value != string(c.GP):
			t.Errorf("GP %+v, want ydernummer %s", p.GeneralPractitioner[0], c.GP)
		case strings.Contains(b.Entry[0].FullURL, string(c.CPR)):
			t.Error("the patient's URL carries the CPR")
		}
		read := get(t, b.Entry[0].FullURL)
		wantStatus(t, read, 200)
		var again fhir.Patient
		read.decode(t, &again)
		if again.ID != p.ID {
			t.Errorf("read %s, searched %s", again.ID, p.ID)
		}
	})

	t.Run("a dead patient has deceasedDateTime", func(t *testing.T) {
		for _, c := range citizens {
			if c.DeceasedAt == nil {
				continue
			}
			b, _ := fhirSearch(t, s, "Patient", url.Values{"identifier": {string(c.CPR)}})
			if p := entries[fhir.Patient](t, b, "match"); len(p) != 1 || p[0].DeceasedDateTime == nil {
				t.Fatalf("dead citizen served without deceasedDateTime")
			}
			return
		}
		t.Fatal("no dead citizen in the world")
	})

	t.Run("the real CPR system and unknown numbers find nothing", func(t *testing.T) {
		for _, id := range []string{fhir.SystemCPR + "|" + string(citizens[3].CPR), "6101999999", "urn:other|" + string(citizens[3].CPR)} {
			b, a := fhirSearch(t, s, "Patient", url.Values{"identifier": {id}})
			wantStatus(t, a, 200)
			if *b.Total != 0 || len(b.Entry) != 0 {
				t.Errorf("identifier %q found %d patients", id, *b.Total)
			}
		}
	})

	t.Run("bad searches are 400 OperationOutcomes naming the parameter", func(t *testing.T) {
		for _, tc := range []struct {
			name   string
			params url.Values
			want   string
		}{
			{"unknown parameter", url.Values{"name": {"Jensen"}}, "name: unknown search parameter"},
			{"malformed CPR", url.Values{"identifier": {fhir.SystemSyntheticCPR + "|12345"}}, "identifier: value 1"},
			{"empty code", url.Values{"identifier": {fhir.SystemSyntheticCPR + "|"}}, "code must not be empty"},
			{"negative count", url.Values{"_count": {"-1"}}, "_count: must be a non-negative integer"},
			{"count twice", url.Values{"_count": {"1", "2"}}, "_count: may be given once"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, a := fhirSearch(t, s, "Patient", tc.params)
				wantStatus(t, a, 400, tc.want, `"resourceType":"OperationOutcome"`, `"code":"invalid"`)
			})
		}
	})

	t.Run("unknown patient is 404, unknown resource type 404, wrong method 405 with Allow", func(t *testing.T) {
		wantStatus(t, get(t, s.URLs.EHospitalFHIR+"/Patient/pat-999999"), 404, "OperationOutcome", "not-found")
		wantStatus(t, get(t, s.URLs.EHospitalFHIR+"/Observation?code=x"), 404, "OperationOutcome")
		a := call(t, http.MethodDelete, s.URLs.EHospitalFHIR+"/Patient", "", nil)
		wantStatus(t, a, 405, "OperationOutcome", "not-supported")
		if !strings.Contains(a.header.Get("Allow"), "GET") {
			t.Errorf("Allow %q", a.header.Get("Allow"))
		}
	})

	t.Run("POST search needs a form body within 1 MiB", func(t *testing.T) {
		a := call(t, http.MethodPost, s.URLs.EHospitalFHIR+"/Patient/_search", "application/json", `{"identifier":"x"}`)
		wantStatus(t, a, 415, "OperationOutcome", "x-www-form-urlencoded")
		big := "identifier=" + strings.Repeat("6101320306,", 100000)
		a = call(t, http.MethodPost, s.URLs.EHospitalFHIR+"/Patient/_search", "application/x-www-form-urlencoded", big)
		wantStatus(t, a, 413, "OperationOutcome", "too-costly")
	})
}

func TestEHospitalEncounters(t *testing.T) {
	s := start(t)
	w := s.Sandbox.World()
	people := withEncounters(w, 2)
	if len(people) < 3 {
		t.Fatalf("only %d citizens with two encounters", len(people))
	}
	c := people[0]

	t.Run("search by patient identifier finds all their encounters with notifications as Provenance", func(t *testing.T) {
		b, a := fhirSearch(t, s, "Encounter", url.Values{"patient.identifier": {fhir.SystemSyntheticCPR + "|" + string(c.CPR)}, "_revinclude": {fhir.RevIncludeProvenance}})
		wantStatus(t, a, 200)
		want := w.EncountersOf(c.CPR)
		got := entries[fhir.Encounter](t, b, "match")
		if len(got) != len(want) || *b.Total != len(want) {
			t.Fatalf("%d encounters (total %d), want %d", len(got), *b.Total, len(want))
		}
		notes := 0
		for i, e := range got {
			if e.ID != want[i].ID || e.Subject.Identifier.Value != string(c.CPR) || e.Class.Code != string(want[i].Class) {
				t.Errorf("encounter %d: %+v, want %s", i, e, want[i].ID)
			}
			notes += len(want[i].Notifications)
		}
		provs := entries[fhir.Provenance](t, b, "include")
		if len(provs) != notes {
			t.Fatalf("%d Provenance, want %d notifications", len(provs), notes)
		}
		for _, p := range provs {
			code, ok := fhir.ClassicCode(p.Activity.Code(fhir.SystemMedComActivity))
			if !ok || !strings.HasPrefix(p.Target[0].Reference, "Encounter/enc-") || p.Recorded == "" {
				t.Errorf("Provenance %s: activity %v target %v", p.ID, p.Activity, p.Target)
			}
			if strings.HasPrefix(code, "RE_") || strings.HasPrefix(code, "AN_") {
				if len(p.Entity) != 1 {
					t.Errorf("%s %s names no replaced notification", p.ID, code)
				}
			}
		}
	})

	t.Run("an encounter and a notification can be read by id", func(t *testing.T) {
		e := w.EncountersOf(c.CPR)[0]
		a := get(t, s.URLs.EHospitalFHIR+"/Encounter/"+e.ID)
		wantStatus(t, a, 200)
		var got fhir.Encounter
		a.decode(t, &got)
		if got.ID != e.ID || got.ServiceProvider.Identifier.Value != string(e.Hospital.SOR) {
			t.Errorf("read %+v", got)
		}
		n := e.Notifications[0]
		a = get(t, s.URLs.EHospitalFHIR+"/Provenance/"+n.ID)
		wantStatus(t, a, 200)
		var p fhir.Provenance
		a.decode(t, &p)
		if p.ID != n.ID || p.Target[0].Reference != "Encounter/"+e.ID {
			t.Errorf("read %+v", p)
		}
		wantStatus(t, get(t, s.URLs.EHospitalFHIR+"/Encounter/enc-999999"), 404, "OperationOutcome")
		wantStatus(t, get(t, s.URLs.EHospitalFHIR+"/Provenance/ntf-000001-99"), 404, "OperationOutcome")
	})

	t.Run("filters narrow the result as documented", func(t *testing.T) {
		for _, tc := range []struct {
			name   string
			params url.Values
			keep   func(domain.Encounter) bool
		}{
			{"municipality", url.Values{"patient.municipality": {"0330"}}, func(e domain.Encounter) bool {
				p, _ := w.Citizen(e.CPR)
				return p.Address.Municipality == 330
			}},
			{"municipality OR list with system", url.Values{"patient.municipality": {fhir.SystemMunicipality + "|0330,0370"}}, func(e domain.Encounter) bool {
				p, _ := w.Citizen(e.CPR)
				return p.Address.Municipality == 330 || p.Address.Municipality == 370
			}},
			{"status", url.Values{"status": {"in-progress,onleave"}}, func(e domain.Encounter) bool {
				return e.Status == domain.EncounterInProgress || e.Status == domain.EncounterOnLeave
			}},
			{"class", url.Values{"class": {fhir.SystemActCode + "|HH"}}, func(e domain.Encounter) bool { return e.Class == domain.ClassHomeHealth }},
			{"service provider", url.Values{"service-provider": {fhir.SystemSOR + "|" + string(w.Hospitals()[2].Org.SOR)}}, func(e domain.Encounter) bool {
				return e.Hospital.SOR == w.Hospitals()[2].Org.SOR
			}},
			{"date range overlaps the period", url.Values{"date": {"ge2025-11-01", "lt2025-11-10T00:00:00+01:00"}}, func(e domain.Encounter) bool {
				lo := mustTime(t, "2025-11-01T00:00:00+01:00")
				hi := mustTime(t, "2025-11-10T00:00:00+01:00")
				return e.Start.Before(hi) && (e.End.IsZero() || !e.End.Before(lo))
			}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				var want []string
				for _, e := range w.Encounters() {
					if tc.keep(e) {
						want = append(want, e.ID)
					}
				}
				got := allPages(t, s, "Encounter", tc.params)
				if len(want) == 0 {
					t.Fatal("the filter matches nothing in the world: the test proves nothing")
				}
				if !slices.Equal(got, want) {
					t.Errorf("%d encounters, want %d", len(got), len(want))
				}
			})
		}
	})

	t.Run("paging follows opaque next links that carry no CPR", func(t *testing.T) {
		var ids []string
		for _, p := range people[:3] {
			ids = append(ids, string(p.CPR))
		}
		params := url.Values{"patient.identifier": {strings.Join(ids, ",")}, "_count": {"1"}}
		b, a := fhirSearch(t, s, "Encounter", params)
		wantStatus(t, a, 200)
		seen := len(b.Entry)
		for next := b.NextURL(); next != ""; next = b.NextURL() {
			for _, id := range ids {
				if strings.Contains(next, id) {
					t.Fatalf("next link %s carries a CPR", next)
				}
			}
			if !strings.HasPrefix(next, s.URLs.EHospitalFHIR+"?_getpages=") {
				t.Fatalf("next link %s is not under the base URL", next)
			}
			a := get(t, next)
			wantStatus(t, a, 200)
			b = fhir.Bundle{}
			a.decode(t, &b)
			seen += len(b.Entry)
		}
		if seen != *b.Total {
			t.Errorf("paged through %d entries, total %d", seen, *b.Total)
		}
	})

	t.Run("_count above 100 is clamped, default 50", func(t *testing.T) {
		b, _ := fhirSearch(t, s, "Encounter", url.Values{"_count": {"500"}})
		if len(b.Entry) != 100 || *b.Total <= 100 {
			t.Errorf("%d entries of %d, want a page of 100", len(b.Entry), *b.Total)
		}
		b, _ = fhirSearch(t, s, "Encounter", url.Values{})
		if len(b.Entry) != 50 {
			t.Errorf("default page %d entries, want 50", len(b.Entry))
		}
	})

	t.Run("malformed encounter searches are 400 naming the parameter and rule", func(t *testing.T) {
		for _, tc := range []struct {
			params url.Values
			want   string
		}{
			{url.Values{"date": {"2025-13-45"}}, "date: \"2025-13-45\" must be"},
			{url.Values{"date": {"ne2025-01-01"}}, "prefix \"ne\" is not supported"},
			{url.Values{"date": {"2025-01-01T10:00:00"}}, "dateTime with a zone"},
			{url.Values{"status": {"done"}}, "status: value 1: \"done\" is not an Encounter.status"},
			{url.Values{"class": {"XYZ"}}, "class: value 1"},
			{url.Values{"patient.municipality": {"330"}}, "4-digit municipality code"},
			{url.Values{"service-provider": {"Organization/1"}}, "service-provider: value 1"},
			{url.Values{"_revinclude": {"Provenance:entity"}}, "only Provenance:target"},
			{url.Values{"subject": {"Group/1"}}, "subject: value 1: must be a reference Patient/[id]"},
			{url.Values{"patient.name": {"Karl"}}, "patient.name: unknown search parameter"},
			{url.Values{"_include": {"Encounter:patient"}}, "_include: not supported"},
			{url.Values{"_count": {"ten"}}, "_count: must be a non-negative integer"},
		} {
			_, a := fhirSearch(t, s, "Encounter", tc.params)
			wantStatus(t, a, 400, tc.want, "OperationOutcome")
		}
	})

	t.Run("an unknown stored search is 410, a bad offset 400", func(t *testing.T) {
		wantStatus(t, get(t, s.URLs.EHospitalFHIR+"?_getpages=deadbeef&_getpagesoffset=0&_count=10"), 410, "OperationOutcome", "expired")
		wantStatus(t, get(t, s.URLs.EHospitalFHIR+"?_getpagesoffset=0"), 400, "_getpages")
		b, _ := fhirSearch(t, s, "Encounter", url.Values{"_count": {"2"}})
		next, _ := url.Parse(b.NextURL())
		q := next.Query()
		q.Set("_getpagesoffset", "-5")
		wantStatus(t, get(t, s.URLs.EHospitalFHIR+"?"+q.Encode()), 400, "_getpagesoffset")
	})
}

func TestEHospitalCapabilityStatementListsTheSearchParameters(t *testing.T) {
	s := start(t)
	a := get(t, s.URLs.EHospitalFHIR+"/metadata")
	wantStatus(t, a, 200)
	var cs struct {
		ResourceType string `json:"resourceType"`
		Rest         []struct {
			Resource []struct {
				Type        string `json:"type"`
				SearchParam []struct {
					Name string `json:"name"`
				} `json:"searchParam"`
			} `json:"resource"`
		} `json:"rest"`
	}
	a.decode(t, &cs)
	params := map[string][]string{}
	for _, r := range cs.Rest[0].Resource {
		for _, p := range r.SearchParam {
			params[r.Type] = append(params[r.Type], p.Name)
		}
	}
	if !slices.Equal(params["Patient"], []string{fhir.ParamIdentifier, fhir.ParamID}) {
		t.Errorf("Patient params %v", params["Patient"])
	}
	want := []string{fhir.ParamPatientIdentifier, fhir.ParamPatientMunicipality, fhir.ParamPatient, fhir.ParamSubject,
		fhir.ParamDate, fhir.ParamStatus, fhir.ParamClass, fhir.ParamServiceProvider}
	if !slices.Equal(params["Encounter"], want) {
		t.Errorf("Encounter params %v, want %v", params["Encounter"], want)
	}
	// Every advertised parameter is accepted.
	for _, p := range want {
		value := map[string]string{
			fhir.ParamPatientIdentifier: "6101320306", fhir.ParamPatientMunicipality: "0330", fhir.ParamDate: "ge2025-01-01",
			fhir.ParamStatus: "finished", fhir.ParamClass: "IMP", fhir.ParamServiceProvider: "990100000000100",
			fhir.ParamPatient: "Patient/pat-000001", fhir.ParamSubject: "Patient/pat-000002",
		}[p]
		_, a := fhirSearch(t, s, "Encounter", url.Values{p: {value}})
		wantStatus(t, a, 200)
	}
}

// allPages collects the ids of every match of a search, following next.
func allPages(t *testing.T, s *sandboxtest.Server, resource string, params url.Values) []string {
	t.Helper()
	params.Set("_count", "100")
	b, a := fhirSearch(t, s, resource, params)
	wantStatus(t, a, 200)
	var ids []string
	for {
		for _, e := range b.Entry {
			if e.Search.Mode == "match" {
				var h fhir.ResourceHeader
				json.Unmarshal(e.Resource, &h)
				ids = append(ids, h.ID)
			}
		}
		next := b.NextURL()
		if next == "" {
			return ids
		}
		a := get(t, next)
		wantStatus(t, a, 200)
		b = fhir.Bundle{}
		a.decode(t, &b)
	}
}
