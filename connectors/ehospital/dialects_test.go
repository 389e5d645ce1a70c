package ehospital

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/sundhedsklynge/klynge/connectors/upstream"
	"github.com/sundhedsklynge/klynge/domain"
	"github.com/sundhedsklynge/klynge/errcode"
)

// referenceOnly is encounters.json with every subject a bare reference,
// as HAPI, Epic and most servers write it: relative, absolute, versioned.
func referenceOnly(t *testing.T) []byte {
	return mutate(t, "encounters.json", func(b map[string]any) {
		resource(b, 0)["subject"] = map[string]any{"reference": "Patient/pat-1"}
		resource(b, 4)["subject"] = map[string]any{"reference": "Patient/pat-2", "display": "Inger"}
		resource(b, 6)["subject"] = map[string]any{"reference": "https://ehospital.example/fhir/Patient/pat-1/_history/3"}
	})
}

// loggedClient is newClient with the operator's log captured.
func loggedClient(t *testing.T, base string, opts Options) (*Client, *bytes.Buffer) {
	var logs bytes.Buffer
	opts.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	return newClient(t, base, opts), &logs
}

func assertKarlAndInger(t *testing.T, got map[domain.CPR][]domain.Encounter, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	if len(got[cprKarl]) != 2 || len(got[cprInger]) != 1 {
		t.Fatalf("Karl %d encounters (want 2), Inger %d (want 1)", len(got[cprKarl]), len(got[cprInger]))
	}
	if n := got[cprKarl][1].Notifications; len(n) != 3 || n[0].CPR != cprKarl {
		t.Errorf("Karl's stay has notifications %+v", n)
	}
	if got[cprInger][0].ID != "enc-2" || got[cprInger][0].CPR != cprInger {
		t.Errorf("Inger's encounter %+v", got[cprInger][0])
	}
}

func TestReferenceOnlySubjectsAreResolved(t *testing.T) {
	t.Run("the patients come along with _include", func(t *testing.T) {
		repo := newRepo(t, "patients.json")
		repo.load(referenceOnly(t))
		c := newClient(t, repo.base(), Options{})
		got, err := c.EncountersByCPR(context.Background(), []domain.CPR{cprKarl, cprInger})
		assertKarlAndInger(t, got, err)
		if n := len(repo.seen()); n != 1 {
			t.Errorf("%d requests, want 1", n)
		}
	})
	t.Run("without _include they are read by id", func(t *testing.T) {
		repo := newRepo(t, "patients.json")
		repo.load(referenceOnly(t))
		repo.refuse = []string{"_include"}
		c, logs := loggedClient(t, repo.base(), Options{})
		got, err := c.EncountersByCPR(context.Background(), []domain.CPR{cprKarl, cprInger})
		assertKarlAndInger(t, got, err)
		reqs := repo.seen()
		if len(reqs) != 3 || reqs[2].path != "/ehospital/fhir/Patient/_search" || reqs[2].form.Get("_id") != "pat-1,pat-2" {
			t.Errorf("requests %+v; want the refused search, the search without _include, one Patient?_id", reqs)
		}
		if !strings.Contains(logs.String(), "parameter=_include") {
			t.Errorf("the operator's log does not name the refused parameter:\n%s", logs)
		}
		// The refusal is remembered: the next call asks without it.
		if _, err := c.EncountersByCPR(context.Background(), []domain.CPR{cprKarl}); err != nil || len(repo.seen()) != 5 {
			t.Errorf("second call: %v after %d requests, want 2 more", err, len(repo.seen())-3)
		}
	})
}

func TestNextLinksOfEveryStyleAreFollowedWithoutCPRsInURLs(t *testing.T) {
	// 100 citizens, as the citizen list asks: a link repeating the search
	// would carry a request line of about 9 KB.
	cprs := []domain.CPR{cprKarl, cprInger}
	for i := range 98 {
		cprs = append(cprs, domain.MustParseCPR(fmt.Sprintf("%02d%02d70%04d", 61+i%28, 1+i%12, i)))
	}
	for _, tt := range []struct {
		links    string
		wantNext string
	}{
		{"opaque", http.MethodGet},
		{"repeat", http.MethodPost},
		{"root", http.MethodPost},
	} {
		t.Run(tt.links, func(t *testing.T) {
			repo := newRepo(t, "encounters.json", "patients.json")
			repo.links, repo.capCount, repo.maxRequestLine = tt.links, 1, 8192
			c := newClient(t, repo.base(), Options{})
			got, err := c.EncountersByCPR(context.Background(), cprs)
			assertKarlAndInger(t, got, err)
			reqs := repo.seen()
			if len(reqs) != 3 {
				t.Fatalf("%d requests, want 3: one per page at a cap of 1", len(reqs))
			}
			for i, r := range reqs[1:] {
				if r.method != tt.wantNext {
					t.Errorf("page %d fetched with %s, want %s", i+2, r.method, tt.wantNext)
				}
				if tt.wantNext == http.MethodPost && (r.path != "/ehospital/fhir/Encounter/_search" || r.form.Get("_offset") == "") {
					t.Errorf("page %d posted as %+v, want the link's parameters to Encounter/_search", i+2, r)
				}
			}
			for _, r := range reqs {
				for _, cpr := range cprs {
					if strings.Contains(r.query.Encode(), string(cpr)) {
						t.Fatalf("a CPR travelled in a URL: %s %s", r.method, r.path)
					}
				}
			}
		})
	}
}

func TestRefusedParametersFallBack(t *testing.T) {
	t.Run("chained search", func(t *testing.T) {
		repo := newRepo(t, "encounters.json", "patients.json")
		repo.refuse = []string{"patient.identifier"}
		c, logs := loggedClient(t, repo.base(), Options{})
		got, err := c.EncountersByCPR(context.Background(), []domain.CPR{cprKarl, cprInger})
		assertKarlAndInger(t, got, err)
		reqs := repo.seen()
		if len(reqs) != 3 || reqs[1].path != "/ehospital/fhir/Patient/_search" || reqs[2].form.Get("patient") != "Patient/pat-1,Patient/pat-2" {
			t.Errorf("requests %+v; want the refused search, Patient?identifier, Encounter?patient", reqs)
		}
		if !strings.Contains(logs.String(), "parameter=patient.identifier") {
			t.Errorf("log: %s", logs)
		}
	})
	t.Run("_revinclude", func(t *testing.T) {
		repo := newRepo(t, "encounters.json", "patients.json")
		repo.refuse = []string{"_revinclude"}
		c := newClient(t, repo.base(), Options{})
		got, err := c.EncountersByCPR(context.Background(), []domain.CPR{cprKarl, cprInger})
		assertKarlAndInger(t, got, err)
		reqs := repo.seen()
		if len(reqs) != 3 || reqs[2].path != "/ehospital/fhir/Provenance/_search" || !strings.Contains(reqs[2].form.Get("target"), "Encounter/enc-1") {
			t.Errorf("requests %+v; want the refused search, the search without it, Provenance?target", reqs)
		}
	})
	t.Run("the worklist's municipality parameter", func(t *testing.T) {
		repo := newRepo(t, "encounters.json", "patients.json")
		repo.refuse = []string{"patient.municipality"}
		c, logs := loggedClient(t, repo.base(), Options{})
		got, err := c.SearchEncounters(context.Background(), EncounterQuery{Municipalities: []domain.MunicipalityCode{330}})
		if err != nil {
			t.Fatal(err)
		}
		// Karl lives in Slagelse (330), Inger in Sorø (340).
		if len(got) != 2 || got[0].CPR != cprKarl || got[1].CPR != cprKarl {
			t.Fatalf("got %d encounters %+v, want Karl's two", len(got), got)
		}
		if !strings.Contains(logs.String(), "parameter=patient.municipality") {
			t.Errorf("log: %s", logs)
		}
	})
	t.Run("a required parameter has no fallback", func(t *testing.T) {
		repo := newRepo(t, "patients.json")
		repo.refuse = []string{"identifier"}
		c, logs := loggedClient(t, repo.base(), Options{})
		_, err := c.PatientsByCPR(context.Background(), []domain.CPR{cprKarl})
		var oe *OutcomeError
		if !asOutcome(err, &oe) || strings.Contains(err.Error(), "identifier") {
			t.Fatalf("err = %v; want an OutcomeError that does not name the parameter", err)
		}
		if _, code, _ := upstream.Classify(err); code != errcode.UpstreamBadResponse {
			t.Errorf("code %s", code)
		}
		if logs.Len() != 0 && strings.Contains(logs.String(), string(cprKarl)) {
			t.Errorf("the log holds a CPR: %s", logs)
		}
	})
}

func TestIncludedEntriesAreNeverMatches(t *testing.T) {
	// A server that adds Karl's acute visit as an include (say, for
	// Encounter:part-of) to a search for Inger must not hand it to her.
	body := mutate(t, "encounters.json", func(b map[string]any) {
		entries := b["entry"].([]any)
		entries[0].(map[string]any)["search"] = map[string]any{"mode": "include"}
		entries[6].(map[string]any)["search"] = map[string]any{"mode": "include"}
	})
	f := newFakeEHospital(t, func(w http.ResponseWriter, _ *http.Request, _ int) { _, _ = w.Write(body) })
	c := newClient(t, f.base(), Options{})
	got, err := c.EncountersByCPR(context.Background(), []domain.CPR{cprInger})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || len(got[cprInger]) != 1 {
		t.Fatalf("got %+v; want Inger's one encounter only", got)
	}
}

func TestMORSIsAnAdmissionCodeOnAFollowUpOfAFinishedStay(t *testing.T) {
	repo := newRepo(t, "patients.json")
	repo.load(mutate(t, "encounters.json", func(b map[string]any) {
		resource(b, 0)["hospitalization"] = map[string]any{"dischargeDisposition": map[string]any{"coding": []any{map[string]any{
			"system": "https://klynge.sundhedsklynge.dk/fhir/CodeSystem/discharge-destination", "code": "deceased"}}}}
		// prov-2, the discharge, becomes the MedCom way of saying the
		// patient died: the admission's code on a follow-up message.
		resource(b, 3)["activity"].(map[string]any)["coding"].([]any)[0].(map[string]any)["code"] = "admit-inpatient"
		resource(b, 3)["entity"] = []any{map[string]any{"role": "revision", "what": map[string]any{"reference": "Provenance/prov-1"}}}
		b["entry"] = append(b["entry"].([]any)[:1], b["entry"].([]any)[2:]...) // without the RE_SLHJ
	}))
	c := newClient(t, repo.base(), Options{})
	got, err := c.EncountersByCPR(context.Background(), []domain.CPR{cprKarl})
	if err != nil {
		t.Fatal(err)
	}
	n := got[cprKarl][1].Notifications
	if len(n) != 2 || n[0].Code != domain.NotifyAdmitted || n[1].Code != domain.NotifyDied || n[1].Replaces != "" {
		t.Fatalf("notifications %+v; want STIN then MORS (which replaces nothing)", n)
	}
}

func asOutcome(err error, oe **OutcomeError) bool {
	for e := err; e != nil; {
		if o, ok := e.(*OutcomeError); ok {
			*oe = o
			return true
		}
		u, ok := e.(interface{ Unwrap() error })
		if !ok {
			return false
		}
		e = u.Unwrap()
	}
	return false
}
