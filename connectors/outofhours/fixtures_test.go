package outofhours

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

// recordedServer answers contact searches from a recorded answer in
// testdata/, keeping the records whose cpr (string or number, with or
// without the hyphen) is among those asked, as the real system filters.
// edit, when set, changes the decoded answer first.
func recordedServer(t *testing.T, file string, edit func(records []any)) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	raw, err := os.ReadFile("testdata/" + file)
	if err != nil {
		t.Fatal(err)
	}
	var answer map[string]any
	if err := json.Unmarshal(raw, &answer); err != nil {
		t.Fatal(err)
	}
	records := answer["contacts"].([]any)
	if edit != nil {
		edit(records)
	}
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		var req struct{ CPRs []string }
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		asked := map[string]bool{}
		for _, c := range req.CPRs {
			asked[c] = true
		}
		var keep []any
		for _, rec := range records {
			cpr := strings.ReplaceAll(fmt.Sprint(rec.(map[string]any)["cpr"]), "-", "")
			if asked[cpr] {
				keep = append(keep, rec)
			}
		}
		out := map[string]any{}
		for k, v := range answer {
			out[k] = v
		}
		out["contacts"] = keep
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(out)
	}))
	t.Cleanup(srv.Close)
	return srv, &calls
}

func TestRecordedAnswerIsRead(t *testing.T) {
	srv, _ := recordedServer(t, "contacts.json", nil)
	got, err := newClient(t, srv.URL).ContactsByCPR(context.Background(), []domain.CPR{cprKarl, cprInger}, time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	karl, inger := got[cprKarl], got[cprInger]
	if len(karl) != 2 || len(inger) != 1 {
		t.Fatalf("got %d and %d contacts, want 2 and 1", len(karl), len(inger))
	}
	// The hyphenated CPR, a null endedAt, unknown members and fractional
	// seconds are all valid answers.
	if karl[0].ID != "LV-2026-0211-00417" || !karl[0].EndedAt.IsZero() || karl[0].Site != "1818" {
		t.Errorf("first contact %+v", karl[0])
	}
	if karl[1].Outcome != domain.OutcomeAcuteReferral || karl[1].Urgency != domain.UrgencyAcute || karl[1].CPR != cprKarl {
		t.Errorf("second contact %+v", karl[1])
	}
	if want := time.Date(2026, 2, 14, 17, 40, 0, 125e6, time.UTC); !inger[0].ReceivedAt.Equal(want) {
		t.Errorf("receivedAt %s, want %s", inger[0].ReceivedAt, want)
	}
}

func TestOneMalformedContactCostsOnlyItsCitizen(t *testing.T) {
	tests := []struct {
		name      string
		edit      func(records []any)
		wantField string
		wantCalls int32
	}{
		{"bad time, CPR readable", func(r []any) { r[2].(map[string]any)["receivedAt"] = "14/02/2026 18:40" }, "contacts[2].receivedAt", 1},
		{"CPR written as a number", func(r []any) { r[2].(map[string]any)["cpr"] = 6811424562 }, "contacts[0].cpr", 3},
		{"record of the wrong JSON type", func(r []any) {
			r[2].(map[string]any)["cpr"] = "6811424562"
			r[2].(map[string]any)["urgency"] = []any{"acute"}
		}, "contacts[2].urgency", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, calls := recordedServer(t, "contacts.json", tt.edit)
			got, err := newClient(t, srv.URL).ContactsByCPR(context.Background(), []domain.CPR{cprKarl, cprInger}, time.Time{}, time.Time{})
			var re *upstream.RecordErrors[domain.CPR]
			if !errors.As(err, &re) {
				t.Fatalf("err = %v, want *upstream.RecordErrors", err)
			}
			if len(got[cprKarl]) != 2 {
				t.Errorf("the other citizen got %d contacts, want both", len(got[cprKarl]))
			}
			if got[cprInger] != nil || re.Len() != 1 {
				t.Fatalf("the bad record's citizen: %d contacts, %d keys charged", len(got[cprInger]), re.Len())
			}
			var de *upstream.DecodeError
			if !errors.As(re.Err(cprInger), &de) || de.Field != tt.wantField || de.System != "outofhours" {
				t.Errorf("error %v, want a DecodeError naming outofhours %s", re.Err(cprInger), tt.wantField)
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
