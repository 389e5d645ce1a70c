package registry

import (
	"slices"
	"strings"
	"testing"

	"github.com/sundhedsklynge/klynge/domain"
)

func load(t *testing.T) *Registry {
	t.Helper()
	r, err := Load()
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return r
}

func TestSnapshotCounts(t *testing.T) {
	r := load(t)
	if got := len(r.Regions()); got != 5 {
		t.Errorf("regions = %d, want 5", got)
	}
	if got := len(r.Municipalities()); got != 98 {
		t.Errorf("municipalities = %d, want 98", got)
	}
	if got := len(r.Clusters()); got != 22 {
		t.Errorf("clusters = %d, want 22", got)
	}
	perRegion := map[int]int{1084: 29, 1085: 17, 1083: 22, 1082: 19, 1081: 11}
	for region, want := range perRegion {
		if got := len(r.MunicipalitiesInRegion(region)); got != want {
			t.Errorf("municipalities in %d = %d, want %d", region, got, want)
		}
	}
}

func TestClusterMembership(t *testing.T) {
	r := load(t)
	t.Run("Region Sjælland has four clusters", func(t *testing.T) {
		if got := len(r.ClustersInRegion(1085)); got != 4 {
			t.Fatalf("clusters in 1085 = %d, want 4", got)
		}
	})
	t.Run("København belongs to two clusters", func(t *testing.T) {
		var ids []string
		for _, c := range r.ClustersOf(101) {
			ids = append(ids, c.ID)
		}
		if !slices.Equal(ids, []string{"hovedstaden-byen", "hovedstaden-syd"}) {
			t.Fatalf("ClustersOf(101) = %v", ids)
		}
	})
	t.Run("Næstved/Slagelse members are confirmed", func(t *testing.T) {
		c, ok := r.Cluster("sjaelland-naestved-slagelse")
		if !ok {
			t.Fatal("cluster missing")
		}
		var names []string
		for _, m := range c.Members {
			if !m.Confirmed {
				t.Errorf("member %d is not confirmed", m.Municipality)
			}
			mun, _ := r.Municipality(m.Municipality)
			names = append(names, mun.Name)
		}
		slices.Sort(names)
		if want := []string{"Næstved", "Ringsted", "Slagelse", "Sorø"}; !slices.Equal(names, want) {
			t.Fatalf("members = %v, want %v", names, want)
		}
		if len(c.ThemeCommittees) != 4 || c.Levels == nil || c.StartupFunding == nil || c.StartupFunding.Total != 3230260 {
			t.Errorf("organisation and funding not carried over: %d committees, levels %v, funding %+v", len(c.ThemeCommittees), c.Levels, c.StartupFunding)
		}
	})
	t.Run("inferred memberships stay inferred", func(t *testing.T) {
		c, _ := r.Cluster("sjaelland-holbaek")
		if len(c.Members) == 0 {
			t.Fatal("Holbæk cluster has no members")
		}
		for _, m := range c.Members {
			if m.Confirmed {
				t.Errorf("member %d marked confirmed; the source only infers it", m.Municipality)
			}
		}
	})
	t.Run("every Region Sjælland municipality is in exactly one cluster", func(t *testing.T) {
		for _, m := range r.MunicipalitiesInRegion(1085) {
			if got := len(r.ClustersOf(m.Code)); got != 1 {
				t.Errorf("%s (%d) in %d clusters", m.Name, m.Code, got)
			}
		}
	})
	t.Run("municipalities no source places are in no cluster", func(t *testing.T) {
		for _, code := range []domain.MunicipalityCode{530, 563, 573, 575} {
			if got := r.ClustersOf(code); len(got) != 0 {
				t.Errorf("ClustersOf(%d) = %d clusters, want none", code, len(got))
			}
		}
	})
	t.Run("unknown codes are not found", func(t *testing.T) {
		if _, ok := r.Municipality(411); ok {
			t.Error("Christiansø (411) is not a municipality")
		}
		if _, ok := r.Cluster("nowhere"); ok {
			t.Error("unknown cluster found")
		}
		if _, ok := r.Region(1086); ok {
			t.Error("unknown region found")
		}
	})
}

func TestParseRejectsInconsistentSnapshots(t *testing.T) {
	goodCSV := "code,name,region_code,region_name\n330,Slagelse,1085,Region Sjælland\n101,København,1084,Region Hovedstaden\n"
	tests := []struct {
		name, csv, json, wantErr string
	}{
		{"member unknown", goodCSV, `[{"id":"a","name":"A","region_code":1085,"municipality_codes":[999]}]`, "not a known municipality"},
		{"member in another region", goodCSV, `[{"id":"a","name":"A","region_code":1085,"municipality_codes":[101]}]`, "lies in region 1084"},
		{"member listed twice", goodCSV, `[{"id":"a","name":"A","region_code":1085,"municipality_codes":[330],"inferred_municipality_codes":[330]}]`, "listed twice"},
		{"duplicate cluster", goodCSV, `[{"id":"a","name":"A","region_code":1085},{"id":"a","name":"B","region_code":1085}]`, "appears twice"},
		{"bad code", "code,name,region_code,region_name\nabc,X,1085,R\n", `[]`, "3-digit"},
		{"unknown region", "code,name,region_code,region_name\n330,Slagelse,1090,R\n", `[]`, "five regions"},
		{"bad header", "kode,navn\n", `[]`, "header"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parse([]byte(tt.csv), []byte(tt.json))
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("parse: err = %v, want it to contain %q", err, tt.wantErr)
			}
		})
	}
}
