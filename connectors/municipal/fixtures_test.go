package municipal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sundhedsklynge/klynge/connectors/upstream"
	"github.com/sundhedsklynge/klynge/domain"
)

// Synthetic replacement numbers (day of birth + 60) used in testdata/.
var (
	cprKarl  = domain.MustParseCPR("6703851235")
	cprInger = domain.MustParseCPR("6811424562")
)

// recordedInstance answers one route of one instance from a recorded
// answer in testdata/, keeping the records whose cpr is among those asked.
func recordedInstance(t *testing.T, file, member string, edit func(records []any)) (*Client, *atomic.Int32) {
	t.Helper()
	raw, err := os.ReadFile("testdata/" + file)
	if err != nil {
		t.Fatal(err)
	}
	var answer map[string][]any
	if err := json.Unmarshal(raw, &answer); err != nil {
		t.Fatal(err)
	}
	records := answer[member]
	if edit != nil {
		edit(records)
	}
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		var req struct{ CPRs []string }
		_ = json.NewDecoder(r.Body).Decode(&req)
		keep := []any{}
		for _, rec := range records {
			for _, c := range req.CPRs {
				if fmt.Sprint(rec.(map[string]any)["cpr"]) == c {
					keep = append(keep, rec)
				}
			}
		}
		_ = json.NewEncoder(w).Encode(map[string]any{member: keep})
	}))
	t.Cleanup(srv.Close)
	up, err := upstream.New(upstream.Options{System: "municipal/330", BaseURL: srv.URL + "/municipal/330/api"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(up.Close)
	return New(330, up), &calls
}

func TestRecordedAnswersAreRead(t *testing.T) {
	c, _ := recordedInstance(t, "services.json", "services", nil)
	services, err := c.Services(context.Background(), []domain.CPR{cprKarl, cprInger})
	if err != nil {
		t.Fatal(err)
	}
	karl := services[cprKarl]
	if len(karl) != 2 || karl[0].ID != "svc-330-90077" || karl[1].ID != "svc-330-88121" {
		t.Fatalf("Karl's services not by start: %+v", karl)
	}
	if !karl[1].End.IsZero() || karl[1].Law != domain.ServicePersonalCare || karl[1].Municipality != 330 || !karl[0].AcuteFunction {
		t.Errorf("services mapped as %+v", karl)
	}
	if len(services[cprInger]) != 1 || services[cprInger][0].Status != domain.CareServicePlanned {
		t.Errorf("Inger's services %+v", services[cprInger])
	}

	c, _ = recordedInstance(t, "notifications.json", "notifications", nil)
	got, err := c.Notifications(context.Background(), []domain.CPR{cprKarl}, time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if n := got[cprKarl]; len(n) != 2 || n[1].Code != "RE_SLHJ" || n[0].SenderHospital.SOR != "6621000" || n[0].MessageID != "ntf-000812-1" {
		t.Errorf("notifications %+v", n)
	}
}

func TestOneMalformedRecordCostsOnlyItsCitizen(t *testing.T) {
	tests := []struct {
		name      string
		edit      func(records []any)
		wantField string
		wantCalls int32
	}{
		{"end before start", func(r []any) { r[2].(map[string]any)["end"] = "2026-01-01T00:00:00Z" }, "services[2].end", 1},
		{"unknown law", func(r []any) { r[2].(map[string]any)["law"] = "SEL §999" }, "services[2].law", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, calls := recordedInstance(t, "services.json", "services", tt.edit)
			got, err := c.Services(context.Background(), []domain.CPR{cprKarl, cprInger})
			var re *upstream.RecordErrors[domain.CPR]
			if !errors.As(err, &re) || re.Len() != 1 {
				t.Fatalf("err = %v, want *upstream.RecordErrors for one citizen", err)
			}
			if len(got[cprKarl]) != 2 || got[cprInger] != nil {
				t.Errorf("Karl %d services (want 2), Inger %d (want none)", len(got[cprKarl]), len(got[cprInger]))
			}
			var de *upstream.DecodeError
			if !errors.As(re.Err(cprInger), &de) || de.Field != tt.wantField || de.System != "municipal/330" {
				t.Errorf("error %v, want one naming municipal/330 %s", re.Err(cprInger), tt.wantField)
			}
			if calls.Load() != tt.wantCalls {
				t.Errorf("%d searches, want %d", calls.Load(), tt.wantCalls)
			}
			if strings.Contains(err.Error(), string(cprInger)) {
				t.Errorf("error quotes a CPR: %v", err)
			}
		})
	}
}

func TestARecordNamingNoCitizenIsPinnedToTheOneItBelongsTo(t *testing.T) {
	// The instance answers a visit of Inger's with a CPR that is no CPR
	// (a truncated number): klynge asks again in halves and charges the
	// record to Inger alone.
	raw := `{"visits":[
	  {"id":"v1","cpr":"6703851235","serviceId":"svc-1","plannedAt":"2026-02-10T08:00:00+01:00","status":"planned","team":"Nord"},
	  {"id":"v2","cpr":"681142456","serviceId":"svc-2","plannedAt":"2026-02-10T09:00:00+01:00","status":"planned","team":"Korsør"}]}`
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		var req struct{ CPRs []string }
		_ = json.NewDecoder(r.Body).Decode(&req)
		var all struct{ Visits []map[string]any }
		_ = json.Unmarshal([]byte(raw), &all)
		keep := []any{}
		for _, v := range all.Visits {
			for _, c := range req.CPRs {
				if strings.HasPrefix(c, v["cpr"].(string)) {
					keep = append(keep, v)
				}
			}
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"visits": keep})
	}))
	defer srv.Close()
	up, err := upstream.New(upstream.Options{System: "municipal/330", BaseURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	defer up.Close()
	got, err := New(330, up).Visits(context.Background(), []domain.CPR{cprKarl, cprInger}, time.Time{}, time.Time{})
	var re *upstream.RecordErrors[domain.CPR]
	if !errors.As(err, &re) || re.Len() != 1 || re.Err(cprInger) == nil {
		t.Fatalf("err = %v, want Inger's visit charged to her alone", err)
	}
	if len(got[cprKarl]) != 1 {
		t.Errorf("Karl got %d visits, want 1", len(got[cprKarl]))
	}
	if calls.Load() != 3 {
		t.Errorf("%d searches, want 3 (one, then one per half)", calls.Load())
	}
}
