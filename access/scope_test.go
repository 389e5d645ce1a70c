package access

import (
	"testing"
)

func TestClusterData(t *testing.T) {
	tests := []struct {
		name    string
		p       Principal
		cluster string
		want    bool
	}{
		{"integrator reads its cluster, pseudonymised", integrator, "sjaelland-naestved-slagelse", true},
		{"integrator may not read another cluster", integrator, "sjaelland-holbaek", false},
		{"clinician reads citizens, not cluster worklists", clinician, "sjaelland-naestved-slagelse", false},
		{"gp", gp, "sjaelland-naestved-slagelse", false},
		{"nurse", nurse, "sjaelland-naestved-slagelse", false},
		{"out-of-hours doctor", oohDoctor, "sjaelland-naestved-slagelse", false},
		{"citizen", anna, "sjaelland-naestved-slagelse", false},
		{"privacy officer", privacy, "sjaelland-naestved-slagelse", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := ClusterData(tt.p, tt.cluster)
			if d.Allowed != tt.want {
				t.Fatalf("Allowed = %v, want %v (%s)", d.Allowed, tt.want, d.Reason)
			}
			if d.Allowed && (!d.Pseudonymised || d.Purpose != PurposeAdministration) {
				t.Errorf("allowed cluster data must be pseudonymised administration, got %+v", d)
			}
			if !d.Allowed && d.Reason == "" {
				t.Error("a denial must say why")
			}
		})
	}
}

func TestAccessLogAndReviewQueue(t *testing.T) {
	tests := []struct {
		name       string
		p          Principal
		wantLog    bool
		wantReview bool
	}{
		{"citizen reads their own log", anna, true, false},
		{"privacy officer reads any log and reviews", privacy, true, true},
		{"clinician reads neither", clinician, false, false},
		{"gp reads neither", gp, false, false},
		{"nurse reads neither", nurse, false, false},
		{"out-of-hours doctor reads neither", oohDoctor, false, false},
		{"integrator reads neither", integrator, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if d := AccessLog(tt.p, cprAnna); d.Allowed != tt.wantLog {
				t.Errorf("AccessLog: Allowed = %v, want %v (%s)", d.Allowed, tt.wantLog, d.Reason)
			}
			if d := ReviewQueue(tt.p); d.Allowed != tt.wantReview {
				t.Errorf("ReviewQueue: Allowed = %v, want %v (%s)", d.Allowed, tt.wantReview, d.Reason)
			}
		})
	}
	t.Run("citizen may not read another citizen's log", func(t *testing.T) {
		if d := AccessLog(anna, cprBent); d.Allowed {
			t.Fatal("allowed")
		}
	})
	t.Run("citizen reads with purpose self, officer with administration", func(t *testing.T) {
		if AccessLog(anna, cprAnna).Purpose != PurposeSelf || AccessLog(privacy, cprAnna).Purpose != PurposeAdministration {
			t.Fatal("wrong purposes")
		}
	})
}
