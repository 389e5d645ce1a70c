package sandbox_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/sundhedsklynge/klynge/sandbox"
	"github.com/sundhedsklynge/klynge/sandbox/controls"
	"github.com/sundhedsklynge/klynge/sandbox/sandboxtest"
)

// searchRaw POSTs a search and decodes the Bundle loosely.
func searchRaw(t *testing.T, s *sandboxtest.Server, resource string, params url.Values) (int, map[string]any) {
	t.Helper()
	resp, err := http.PostForm(s.URLs.EHospitalFHIR+"/"+resource+"/_search", params)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&b); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}

func link(b map[string]any, rel string) string {
	links, _ := b["link"].([]any)
	for _, l := range links {
		if m := l.(map[string]any); m["relation"] == rel {
			return m["url"].(string)
		}
	}
	return ""
}

func TestDialectsWriteAndPageAsTheirServersDo(t *testing.T) {
	s := sandboxtest.Start(t, sandbox.Config{Population: 2000})
	w := s.Sandbox.World()
	var cprs []string
	for _, c := range w.Citizens() {
		if len(w.EncountersOf(c.CPR)) > 0 {
			cprs = append(cprs, string(c.CPR))
		}
	}
	search := url.Values{"patient.identifier": {strings.Join(cprs[:40], ",")}, "_count": {"10"}}
	for _, tt := range []struct {
		dialect   string
		linkStart string
		total     bool
		refOnly   bool
		pageSize  int
	}{
		{"ehospital", s.URLs.EHospitalFHIR + "?_getpages=", true, false, 10},
		{"hapi", s.URLs.EHospitalFHIR + "?_getpages=", true, true, 10},
		{"medplum", s.URLs.EHospitalFHIR + "/Encounter?", false, true, 10},
	} {
		t.Run(tt.dialect, func(t *testing.T) {
			s.SetDialect(t, tt.dialect)
			status, b := searchRaw(t, s, "Encounter", search)
			if status != http.StatusOK {
				t.Fatalf("status %d: %v", status, b)
			}
			entries := b["entry"].([]any)
			subject := entries[0].(map[string]any)["resource"].(map[string]any)["subject"].(map[string]any)
			_, hasIdentifier := subject["identifier"]
			if hasIdentifier == tt.refOnly || !strings.HasPrefix(subject["reference"].(string), "Patient/pat-") {
				t.Errorf("subject %v", subject)
			}
			if _, ok := b["total"]; ok != tt.total {
				t.Errorf("total written: %v, want %v", ok, tt.total)
			}
			if len(entries) > tt.pageSize {
				t.Errorf("%d entries on a page, cap %d", len(entries), tt.pageSize)
			}
			next := link(b, "next")
			if !strings.HasPrefix(next, tt.linkStart) {
				t.Errorf("next link %q, want it to start %q", next, tt.linkStart)
			}
		})
	}
	t.Run("strict", func(t *testing.T) {
		s.SetDialect(t, "strict")
		status, b := searchRaw(t, s, "Encounter", search)
		if status != http.StatusBadRequest || !strings.Contains(mustJSON(t, b), "patient.identifier") {
			t.Errorf("a chained search: %d %v, want 400 naming patient.identifier", status, b)
		}
		i, _ := w.CitizenIndex(w.Citizens()[13].CPR) // 13 % 9 == 4: the year only
		status, b = searchRaw(t, s, "Encounter", url.Values{"patient": {"Patient/pat-000014"}, "_count": {"100"}})
		if status != http.StatusOK {
			t.Fatalf("%d %v", status, b)
		}
		if next := link(b, "next"); next != "" && !strings.HasPrefix(next, "/ehospital/fhir/Encounter?") {
			t.Errorf("next link %q is not root-relative", next)
		}
		_, b = searchRaw(t, s, "Patient", url.Values{"_id": {"pat-000014"}})
		p := b["entry"].([]any)[0].(map[string]any)["resource"].(map[string]any)
		if p["birthDate"] != w.Citizens()[i].BirthDate.Format("2006") {
			t.Errorf("birthDate %v, want the year only", p["birthDate"])
		}
		long := url.Values{"identifier": {strings.Repeat("6101010000,", 800)}}
		resp, err := http.Get(s.URLs.EHospitalFHIR + "/Patient?" + long.Encode())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestURITooLong {
			t.Errorf("a 9 KB request line: %d, want 414", resp.StatusCode)
		}
	})
	t.Run("the control", func(t *testing.T) {
		var d controls.Dialect
		resp, err := http.Get(s.URLs.Controls + "/dialect")
		if err != nil {
			t.Fatal(err)
		}
		_ = json.NewDecoder(resp.Body).Decode(&d)
		resp.Body.Close()
		if d.Name != "strict" || len(d.Available) != 4 {
			t.Errorf("GET /_sandbox/dialect = %+v", d)
		}
		req, _ := http.NewRequest(http.MethodPut, s.URLs.Controls+"/dialect", strings.NewReader(`{"name":"epic"}`))
		req.Header.Set("Content-Type", "application/json")
		resp, err = http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("an unknown dialect: %d", resp.StatusCode)
		}
	})
}

func mustJSON(t *testing.T, v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestAnUnknownDialectIsRefusedAtStart(t *testing.T) {
	if _, err := sandbox.New(sandbox.Config{Population: 500, FHIRDialect: "epic"}); err == nil || !strings.Contains(err.Error(), "ehospital, hapi, medplum, strict") {
		t.Errorf("err = %v", err)
	}
}
