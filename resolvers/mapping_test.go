package resolvers

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"testing"

	"github.com/sundhedsklynge/klynge/alerts"
	"github.com/sundhedsklynge/klynge/graph/model"
)

// TestEveryDomainValueMapsToAnEnum: each hand-kept enum table maps every
// value its domain type declares to a valid, distinct schema enum value, and
// reaches every value of the schema's enum. A value added to domain (or to
// the schema) without its row here fails, instead of answering "".
func TestEveryDomainValueMapsToAnEnum(t *testing.T) {
	declared := map[string][]string{}
	for _, dir := range []string{"../domain", "../pathway"} {
		for k, v := range stringConstants(t, dir) {
			declared[k] = v
		}
	}
	tables := []struct {
		name, domainType string
		table            any
		all              any // the schema enum's values (model.AllX)
	}{
		{"encounterClasses", "domain.EncounterClass", encounterClasses, model.AllEncounterClass},
		{"encounterStatuses", "domain.EncounterStatus", encounterStatuses, model.AllEncounterStatus},
		{"destinations", "domain.DischargeDestination", destinations, model.AllDischargeDestination},
		{"notificationEvents", "domain.NotificationCode", notificationEvents, model.AllNotificationEvent},
		{"triageOutcomes", "domain.TriageOutcome", triageOutcomes, model.AllTriageOutcome},
		{"urgencies", "domain.Urgency", urgencies, model.AllUrgency},
		{"serviceStatuses", "domain.CareServiceStatus", serviceStatuses, model.AllCareServiceStatus},
		{"visitStatuses", "domain.CareVisitStatus", visitStatuses, model.AllCareVisitStatus},
		{"referralKinds", "domain.ReferralKind", referralKinds, model.AllReferralKind},
		{"referralStatuses", "domain.ReferralStatus", referralStatuses, model.AllReferralStatus},
		{"referralPriorities", "domain.ReferralPriority", referralPriorities, model.AllReferralPriority},
		{"pathwaySources", "pathway.System", pathwaySources, model.AllSourceSystem},
	}
	for _, tt := range tables {
		t.Run(tt.name, func(t *testing.T) {
			values := declared[tt.domainType]
			if len(values) == 0 {
				t.Fatalf("no constants of %s found", tt.domainType)
			}
			m := reflect.ValueOf(tt.table)
			var mapped []string
			for _, v := range values {
				e := m.MapIndex(reflect.ValueOf(v).Convert(m.Type().Key()))
				if !e.IsValid() {
					t.Errorf("%s %q has no row", tt.domainType, v)
					continue
				}
				if ok := e.MethodByName("IsValid").Call(nil)[0].Bool(); !ok {
					t.Errorf("%s %q maps to %q, not a value of the schema's enum", tt.domainType, v, e.String())
				}
				if slices.Contains(mapped, e.String()) {
					t.Errorf("%s %q maps to %q, which another value maps to", tt.domainType, v, e.String())
				}
				mapped = append(mapped, e.String())
			}
			if m.Len() != len(values) {
				t.Errorf("%d rows for %d declared values of %s", m.Len(), len(values), tt.domainType)
			}
			all := reflect.ValueOf(tt.all)
			for i := range all.Len() {
				if s := all.Index(i).String(); !slices.Contains(mapped, s) {
					t.Errorf("the schema's %s is no domain value's enum", s)
				}
			}
		})
	}
}

// stringConstants are the typed string constants a package declares, by
// "pkg.Type".
func stringConstants(t *testing.T, dir string) map[string][]string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	fset := token.NewFileSet()
	for _, f := range files {
		if filepath.Ext(f) != ".go" || len(f) > 8 && f[len(f)-8:] == "_test.go" {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range file.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.CONST {
				continue
			}
			for _, spec := range g.Specs {
				vs := spec.(*ast.ValueSpec)
				typ, ok := vs.Type.(*ast.Ident)
				if !ok {
					continue
				}
				for _, v := range vs.Values {
					if lit, ok := v.(*ast.BasicLit); ok && lit.Kind == token.STRING {
						s, _ := strconv.Unquote(lit.Value)
						key := file.Name.Name + "." + typ.Name
						out[key] = append(out[key], s)
					}
				}
			}
		}
	}
	return out
}

// TestAlertKindsAreTheSchemasKinds: alert kinds cross between the schema
// and alerts by conversion (resolvers/alerts.go), so both must name the
// same kinds, in the same order.
func TestAlertKindsAreTheSchemasKinds(t *testing.T) {
	var domainKinds, schemaKinds []string
	for _, k := range alerts.Kinds() {
		domainKinds = append(domainKinds, string(k))
	}
	for _, k := range model.AllHandoverAlertKind {
		schemaKinds = append(schemaKinds, string(k))
	}
	if !slices.Equal(domainKinds, schemaKinds) {
		t.Errorf("alerts.Kinds() = %v, the schema's HandoverAlertKind = %v", domainKinds, schemaKinds)
	}
}
