package main

import (
	"slices"
	"strings"
	"testing"
)

func TestRegistryGraph(t *testing.T) {
	d := startDemo(t)

	t.Run("Region Sjælland has four clusters", func(t *testing.T) {
		got := decode[struct {
			Clusters []struct{ ID string }
		}](t, query(t, d.GraphQL, `{ clusters(region: 1085) { id } }`, nil))
		if len(got.Clusters) != 4 {
			t.Fatalf("clusters(region: 1085) = %v, want 4", got.Clusters)
		}
	})

	t.Run("København is in two clusters", func(t *testing.T) {
		got := decode[struct {
			Municipality struct {
				Name     string
				FhirCode string
				Clusters []struct{ ID string }
			}
		}](t, query(t, d.GraphQL, `{ municipality(code: 101) { name fhirCode clusters { id } } }`, nil))
		if len(got.Municipality.Clusters) != 2 || got.Municipality.FhirCode != "0101" {
			t.Fatalf("municipality(101) = %+v, want 2 clusters and fhirCode 0101", got.Municipality)
		}
	})

	t.Run("Næstved/Slagelse lists its four confirmed members", func(t *testing.T) {
		got := decode[struct {
			Cluster struct {
				MembershipConfirmed bool
				Members             []struct {
					Confirmed    bool
					Municipality struct{ Name string }
				}
				ThemeCommittees []struct{ Name string }
				StartupFunding  struct{ TotalDkk int }
			}
		}](t, query(t, d.GraphQL, `{ cluster(id: "sjaelland-naestved-slagelse") {
			membershipConfirmed
			members { confirmed municipality { name } }
			themeCommittees { name }
			startupFunding { totalDkk } } }`, nil))
		var names []string
		for _, m := range got.Cluster.Members {
			if !m.Confirmed {
				t.Errorf("%s is not marked confirmed", m.Municipality.Name)
			}
			names = append(names, m.Municipality.Name)
		}
		slices.Sort(names)
		if !slices.Equal(names, []string{"Næstved", "Ringsted", "Slagelse", "Sorø"}) {
			t.Errorf("members = %v", names)
		}
		if !got.Cluster.MembershipConfirmed || len(got.Cluster.ThemeCommittees) != 4 || got.Cluster.StartupFunding.TotalDkk != 3230260 {
			t.Errorf("cluster = %+v", got.Cluster)
		}
	})

	t.Run("inferred members are marked inferred", func(t *testing.T) {
		got := decode[struct {
			Cluster struct {
				MembershipConfirmed bool
				Members             []struct{ Confirmed bool }
			}
		}](t, query(t, d.GraphQL, `{ cluster(id: "sjaelland-holbaek") { membershipConfirmed members { confirmed } } }`, nil))
		if got.Cluster.MembershipConfirmed || len(got.Cluster.Members) == 0 || got.Cluster.Members[0].Confirmed {
			t.Fatalf("Holbæk cluster = %+v, want inferred members", got.Cluster)
		}
	})

	t.Run("an unknown region is a clear input error", func(t *testing.T) {
		r := query(t, d.GraphQL, `{ clusters(region: 9999) { id } }`, nil)
		if !slices.Equal(r.codes(), []string{"BAD_USER_INPUT"}) {
			t.Fatalf("errors = %+v, want one BAD_USER_INPUT", r.Errors)
		}
		if r.Errors[0].Extensions["field"] != "region" {
			t.Errorf("error does not name the argument: %+v", r.Errors[0])
		}
	})

	t.Run("an unknown cluster id is an input error naming the argument", func(t *testing.T) {
		// A worklist client would read null as "no pathways".
		r := query(t, d.GraphQL, `{ cluster(id: "no-such-cluster") { id } }`, nil)
		if !slices.Equal(r.codes(), []string{"BAD_USER_INPUT"}) || string(r.Data) != `{"cluster":null}` {
			t.Fatalf("got %s %+v", r.Data, r.Errors)
		}
		if r.Errors[0].Extensions["field"] != "id" || !strings.Contains(r.Errors[0].Message, `"no-such-cluster" is not a cluster id; clusters { id } lists them`) {
			t.Errorf("error %+v", r.Errors[0])
		}
	})

	t.Run("unknown codes are null, as documented", func(t *testing.T) {
		r := query(t, d.GraphQL, `{ municipality(code: 411) { name } region(code: 1) { name } }`, nil)
		if len(r.Errors) > 0 || string(r.Data) != `{"municipality":null,"region":null}` {
			t.Fatalf("got %s %+v", r.Data, r.Errors)
		}
	})
}
