package ehospital

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/sundhedsklynge/klynge/connectors/ehospital/fhir"
	"github.com/sundhedsklynge/klynge/domain"
)

func TestPatientsAreFoundInOneSearchAndMapped(t *testing.T) {
	f := newFakeEHospital(t, serveFile(t, "patients.json"))
	c := newClient(t, f.base(), Options{})
	got, err := c.PatientsByCPR(context.Background(), []domain.CPR{cprKarl, cprInger, cprNone, cprKarl})
	if err != nil {
		t.Fatal(err)
	}

	reqs := f.seen()
	if len(reqs) != 1 {
		t.Fatalf("eHospitalet saw %d requests, want 1", len(reqs))
	}
	r := reqs[0]
	wantIdentifier := fhir.SystemSyntheticCPR + "|" + string(cprKarl) + "," + fhir.SystemSyntheticCPR + "|" + string(cprInger) + "," + fhir.SystemSyntheticCPR + "|" + string(cprNone)
	if r.method != "POST" || r.path != "/ehospital/fhir/Patient/_search" || r.contentType != "application/x-www-form-urlencoded" ||
		r.accept != fhir.ContentType || r.form.Get("identifier") != wantIdentifier || r.form.Get("_count") != "100" || len(r.query) != 0 {
		t.Errorf("search sent as %+v", r)
	}

	if _, ok := got[cprNone]; ok {
		t.Error("a CPR eHospitalet does not know is present")
	}
	karl := got[cprKarl]
	wantKarl := domain.Citizen{
		CPR: cprKarl, GivenName: "Karl Otto", FamilyName: "Testesen",
		BirthDate: time.Date(1985, 3, 7, 0, 0, 0, 0, time.UTC), Sex: domain.SexMale,
		Address: domain.Address{Line: "Syntetisk Allé 12, 2. th.", PostalCode: "4200", City: "Slagelse", Municipality: 330},
		GP:      "012345",
	}
	if karl.DeceasedAt != nil || karl.CPR != wantKarl.CPR || karl.Name() != "Karl Otto Testesen" || !karl.BirthDate.Equal(wantKarl.BirthDate) ||
		karl.Sex != wantKarl.Sex || karl.Address != wantKarl.Address || karl.GP != wantKarl.GP {
		t.Errorf("Karl mapped as\n %+v\nwant %+v", karl, wantKarl)
	}

	inger := got[cprInger]
	if inger.Sex != domain.SexFemale {
		t.Errorf("gender unknown: sex %s, want female from the CPR", inger.Sex)
	}
	if !inger.BirthDate.Equal(time.Date(1942, 11, 8, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("no birthDate: birth date %v, want the CPR's", inger.BirthDate)
	}
	if inger.DeceasedAt == nil || !inger.DeceasedAt.Equal(time.Date(2026, 2, 14, 2, 20, 0, 0, time.UTC)) {
		t.Errorf("deceased at %v", inger.DeceasedAt)
	}
	if inger.Address.Municipality != 340 || inger.Address.Line != "Søvej 3" || inger.GP != "" {
		t.Errorf("Inger's address/GP mapped as %+v / %q", inger.Address, inger.GP)
	}
}

func TestNoCPRsMeansNoRequest(t *testing.T) {
	f := newFakeEHospital(t, serveFile(t, "patients.json"))
	c := newClient(t, f.base(), Options{})
	got, err := c.PatientsByCPR(context.Background(), nil)
	if err != nil || len(got) != 0 || len(f.seen()) != 0 {
		t.Fatalf("got %v, %v after %d requests", got, err, len(f.seen()))
	}
}

func TestRealCPRSystemIsNotAcceptedForSyntheticData(t *testing.T) {
	f := newFakeEHospital(t, serveFile(t, "patients.json"))
	c := newClient(t, f.base(), Options{CPRSystem: fhir.SystemCPR})
	_, err := c.PatientsByCPR(context.Background(), []domain.CPR{cprKarl})
	if err == nil || !strings.Contains(err.Error(), "entry[0].resource.identifier") {
		t.Fatalf("a patient without an identifier of the configured system was accepted: %v", err)
	}
	if r := f.seen()[0]; !strings.HasPrefix(r.form.Get("identifier"), fhir.SystemCPR+"|") {
		t.Errorf("searched with %q, want the configured system", r.form.Get("identifier"))
	}
}

func TestNewValidatesOptions(t *testing.T) {
	for _, tt := range []struct {
		opts Options
		want string
	}{
		{Options{PageSize: 1001}, "PageSize: must be 1..1000"},
		{Options{PageSize: -1}, "PageSize"},
		{Options{MaxPages: -1}, "MaxPages: must not be negative"},
	} {
		if _, err := New(nil, tt.opts); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("New(%+v) = %v, want error containing %q", tt.opts, err, tt.want)
		}
	}
	c, err := New(nil, Options{})
	if err != nil || c.opts.CPRSystem != fhir.SystemCPR || c.opts.PageSize != 100 || c.opts.MaxPages != 250 {
		t.Errorf("defaults: %+v, %v", c.opts, err)
	}
}

// Partial dates and deceased[x] as servers write them: a year-only birth
// date costs nothing (the CPR has the day), deceasedBoolean and a partial
// date of death both say the citizen has died.
func TestPartialDatesAndDeceasedAreRead(t *testing.T) {
	f := newFakeEHospital(t, serveFile(t, "patients-partial.json"))
	c := newClient(t, f.base(), Options{})
	bent := domain.MustParseCPR("6104580013")
	got, err := c.PatientsByCPR(context.Background(), []domain.CPR{bent, cprInger, cprKarl})
	if err != nil {
		t.Fatal(err)
	}
	b := got[bent]
	if !b.BirthDate.Equal(time.Date(1958, 4, 1, 0, 0, 0, 0, time.UTC)) || !b.IsDeceased() || b.DeceasedAt != nil {
		t.Errorf("Bent: born %v (want the CPR's 1958-04-01), deceased %v at %v", b.BirthDate, b.IsDeceased(), b.DeceasedAt)
	}
	if b.Name() != "Bent Aage Syntesen" || b.Sex != domain.SexMale || b.Address.Municipality != 370 || b.Address.Line != "Syntetisk Vænge 4" {
		t.Errorf("Bent mapped as %+v", b)
	}
	i := got[cprInger]
	if !i.BirthDate.Equal(time.Date(1942, 11, 8, 0, 0, 0, 0, time.UTC)) || !i.Deceased || i.DeceasedAt != nil || i.Address.Municipality != 340 {
		t.Errorf("Inger: born %v, deceased %v at %v, municipality %d", i.BirthDate, i.Deceased, i.DeceasedAt, i.Address.Municipality)
	}
	if k := got[cprKarl]; k.IsDeceased() || k.Address != (domain.Address{}) {
		t.Errorf("Karl (deceasedBoolean false, no address): %+v", k)
	}
}
