package gate

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/sundhedsklynge/klynge/access"
	"github.com/sundhedsklynge/klynge/domain"
	"github.com/sundhedsklynge/klynge/graph/model"
)

// contentFields are the string fields of a pathway that hold content, not
// record ids: what a summary or a message says, codes from code systems,
// organisations' SOR codes and names, a practice's public ydernummer, and
// enum values. A new string field of the pathway model fails
// TestPseudonymisePathwayLeavesNoRecordID until it is pseudonymised or
// named here, after asking whether an upstream could answer to it.
var contentFields = map[string]bool{
	"PathwayEvent.Summary": true, "PathwayEvent.Code": true, "PathwayEvent.Source": true, "PathwayEvent.Kind": true,
	"HandoverGap.Message": true, "HandoverGap.Kind": true, "HandoverGap.Severity": true,
	"Organization.SOR": true, "Organization.Name": true,
	"Coding.System": true, "Coding.Code": true, "Coding.Display": true,
	"ResponsibilitySpan.PracticeYdernummer": true, "ResponsibilitySpan.Party": true, "ResponsibilitySpan.Basis": true,
	"Pathway.Kind": true, "Pathway.Status": true, "Pathway.Destination": true, "Pathway.MissingSources": true,
	"Deadline.Rule": true,
	// The configured rule set's name and version (pathways.clusters).
	"Pathway.RuleSet": true, "Pathway.RuleSetVersion": true, "HandoverGap.RuleSet": true, "HandoverGap.RuleSetVersion": true,
	// Set by PseudonymisePathway itself: the caller's pseudonym of the
	// citizen; and the CPR, which no resolver serialises (json:"-") and
	// which the access log needs.
	"Pathway.PseudonymOf": true, "Pathway.CPR": true,
}

// plant fills every string of v (through pointers, slices and structs) with
// a distinct upstream-looking id, so that whatever is left after
// pseudonymisation shows which field kept it. The Citizen behind a pathway
// is left out: integrators are never given it (PseudonymisePathway clears
// it, and the test checks that).
func plant(v reflect.Value, n *int) {
	switch v.Kind() {
	case reflect.Pointer:
		if v.Type().Elem() == reflect.TypeOf(model.Citizen{}) {
			return
		}
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		plant(v.Elem(), n)
	case reflect.Struct:
		if v.Type().PkgPath() == "time" {
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				plant(v.Field(i), n)
			}
		}
	case reflect.Slice:
		if v.Len() == 0 {
			v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		}
		for i := range v.Len() {
			plant(v.Index(i), n)
		}
	case reflect.String:
		*n++
		v.SetString(fmt.Sprintf("enc-%06d", *n))
	}
}

// strings collects every string left in v with the Type.Field holding it.
func collect(v reflect.Value, owner string, out map[string][]string) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			collect(v.Elem(), owner, out)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			f := v.Type().Field(i)
			if !f.IsExported() {
				continue
			}
			name := v.Type().Name() + "." + f.Name
			if f.Type.Kind() == reflect.String || (f.Type.Kind() == reflect.Pointer && f.Type.Elem().Kind() == reflect.String) ||
				(f.Type.Kind() == reflect.Slice && f.Type.Elem().Kind() == reflect.String) {
				collect(v.Field(i), name, out)
				continue
			}
			collect(v.Field(i), owner, out)
		}
	case reflect.Slice:
		for i := range v.Len() {
			collect(v.Index(i), owner, out)
		}
	case reflect.String:
		out[owner] = append(out[owner], v.String())
	}
}

func TestPseudonymisePathwayLeavesNoRecordID(t *testing.T) {
	ps, err := access.NewPseudonymiser(bytes.Repeat([]byte("s"), access.MinPseudonymSecret))
	if err != nil {
		t.Fatal(err)
	}
	reader := func(subject string) *ClusterReader {
		p := access.Principal{Subject: subject, Role: access.RoleIntegrator, Clusters: []string{"c"}}
		st := &Operation{gate: &Extension{Pseudonyms: ps}, principal: p, authenticated: true}
		return &ClusterReader{st: st, p: p, d: access.ClusterData(p, "c"), seen: map[domain.CPR]bool{}}
	}
	var p model.Pathway
	n := 0
	plant(reflect.ValueOf(&p), &n)
	p.CPR, p.Citizen = "6101801234", &model.Citizen{Cpr: "6101801234"}
	original := p.EncounterIds[0]
	q := p
	if err := reader("int-1").PseudonymisePathway(&q); err != nil {
		t.Fatal(err)
	}
	left := map[string][]string{}
	collect(reflect.ValueOf(q), "Pathway", left)
	for field, values := range left {
		if contentFields[field] {
			continue
		}
		for _, v := range values {
			if strings.HasPrefix(v, "enc-") {
				t.Errorf("%s still holds the upstream id %s after pseudonymisation (pseudonymise it, or name it in contentFields if it is content)", field, v)
			}
		}
	}
	if q.PseudonymOf == "" || q.Citizen != nil {
		t.Errorf("the citizen is shown as %v with pseudonym %q", q.Citizen, q.PseudonymOf)
	}
	if p.EncounterIds[0] != original {
		t.Error("the assessment's own encounter ids were changed in place")
	}

	r := p
	if err := reader("int-2").PseudonymisePathway(&r); err != nil {
		t.Fatal(err)
	}
	if r.ID == q.ID || r.EncounterIds[0] == q.EncounterIds[0] || r.PseudonymOf == q.PseudonymOf {
		t.Error("two integrators see one id for one record")
	}
}

func TestPseudonymisePathwayKeepsReferencesAgreeing(t *testing.T) {
	ps, _ := access.NewPseudonymiser(bytes.Repeat([]byte("s"), access.MinPseudonymSecret))
	p := access.Principal{Subject: "int-1", Role: access.RoleIntegrator, Clusters: []string{"c"}}
	cr := &ClusterReader{st: &Operation{gate: &Extension{Pseudonyms: ps}, principal: p, authenticated: true}, p: p, d: access.ClusterData(p, "c")}
	discharge := "enc-000952"
	pw := model.Pathway{ID: "pw-enc-000951", CPR: "6101801234", DischargeEncounterID: &discharge, EncounterIds: []string{"enc-000951", discharge},
		Events:        []model.PathwayEvent{{Ref: discharge}},
		Gaps:          []model.HandoverGap{{Evidence: []model.PathwayEvent{{Ref: discharge}}}},
		OpenDeadlines: []model.Deadline{{Ref: discharge}}}
	if err := cr.PseudonymisePathway(&pw); err != nil {
		t.Fatal(err)
	}
	d := *pw.DischargeEncounterID
	if pw.EncounterIds[1] != d || pw.Events[0].Ref != d || pw.Gaps[0].Evidence[0].Ref != d || pw.OpenDeadlines[0].Ref != d {
		t.Errorf("references to one encounter disagree: %+v", pw)
	}
	if !strings.HasPrefix(pw.ID, "pw-") || strings.Contains(pw.ID, "enc") {
		t.Errorf("pathway id %q", pw.ID)
	}
}
