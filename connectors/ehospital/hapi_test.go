package ehospital

import (
	"context"
	"net/http"
	"os"
	"testing"

	"github.com/sundhedsklynge/klynge/connectors/upstream"
	"github.com/sundhedsklynge/klynge/domain"
)

// A HAPI server behind a proxy: it writes its links and fullUrls with its
// public name, subjects as bare references, the patients as includes, and
// pages with an opaque _getpages link on its base.
func TestHAPIBehindAProxy(t *testing.T) {
	pages := map[string][]byte{}
	for _, p := range []string{"1", "2"} {
		raw, err := os.ReadFile("testdata/hapi-encounters-" + p + ".json")
		if err != nil {
			t.Fatal(err)
		}
		pages[p] = raw
	}
	f := newFakeEHospital(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		if r.URL.Query().Get("_getpages") != "" {
			_, _ = w.Write(pages["2"])
			return
		}
		_, _ = w.Write(pages["1"])
	})
	up, err := upstream.New(upstream.Options{System: "ehospital", BaseURL: f.URL + "/fhir", PublicBaseURL: "https://hapi.region.example/fhir"})
	if err != nil {
		t.Fatal(err)
	}
	defer up.Close()
	c, err := New(up, Options{CPRSystem: "https://klynge.sundhedsklynge.dk/fhir/NamingSystem/synthetic-cpr", PageSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.EncountersByCPR(context.Background(), []domain.CPR{cprKarl, cprInger})
	if err != nil {
		t.Fatal(err)
	}
	reqs := f.seen()
	if len(reqs) != 2 || reqs[1].method != http.MethodGet || reqs[1].path != "/fhir" || reqs[1].query.Get("_getpagesoffset") != "2" {
		t.Fatalf("requests %+v; want the search and one GET of the opaque link on the real base", reqs)
	}
	karl := got[cprKarl]
	if len(karl) != 2 || karl[0].ID != "8812" || karl[1].ID != "9301" || karl[1].Destination != "" {
		t.Fatalf("Karl's encounters %+v", karl)
	}
	if n := karl[0].Notifications; len(n) != 2 || n[0].Code != domain.NotifyAdmitted || n[1].Code != domain.NotifyDischarged || n[1].Replaces != "" {
		t.Errorf("notifications across pages %+v", n)
	}
	if karl[0].Hospital.Name != "" || karl[0].Hospital.SOR != "6621000" {
		t.Errorf("a hospital without a display keeps its SOR and no name: %+v", karl[0].Hospital)
	}
	if inger := got[cprInger]; len(inger) != 1 || inger[0].Class != domain.ClassHomeHealth || !inger[0].Ongoing() {
		t.Errorf("Inger's encounters %+v", inger)
	}
}
