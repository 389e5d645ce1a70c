package gpreferral

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"sync/atomic"
	"testing"

	"github.com/sundhedsklynge/klynge/connectors/upstream"
	"github.com/sundhedsklynge/klynge/domain"
)

// Synthetic replacement numbers (day of birth + 60) used in testdata/.
var (
	cprKarl  = domain.MustParseCPR("6703851235")
	cprInger = domain.MustParseCPR("6811424562")
)

// recordedFeed answers referral searches and practice look-ups from
// recorded answers in testdata/, keeping the records asked for.
func recordedFeed(t *testing.T, edit func(referrals, practices []any)) (*Client, *atomic.Int32) {
	t.Helper()
	load := func(file, member string) []any {
		raw, err := os.ReadFile("testdata/" + file)
		if err != nil {
			t.Fatal(err)
		}
		var answer map[string][]any
		if err := json.Unmarshal(raw, &answer); err != nil {
			t.Fatal(err)
		}
		return answer[member]
	}
	referrals, practices := load("referrals.json", "referrals"), load("practices.json", "practices")
	if edit != nil {
		edit(referrals, practices)
	}
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		var req struct {
			CPRs      []string
			Ydernumre []string
		}
		_ = json.NewDecoder(r.Body).Decode(&req)
		pick := func(records []any, field string, keys []string) []any {
			keep := []any{}
			for _, rec := range records {
				for _, k := range keys {
					if fmt.Sprint(rec.(map[string]any)[field]) == k {
						keep = append(keep, rec)
					}
				}
			}
			return keep
		}
		switch r.URL.Path {
		case "/gpreferral/referrals/search":
			_ = json.NewEncoder(w).Encode(map[string]any{"referrals": pick(referrals, "cpr", req.CPRs)})
		case "/gpreferral/practices/lookup":
			_ = json.NewEncoder(w).Encode(map[string]any{"practices": pick(practices, "ydernummer", req.Ydernumre)})
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return newClient(t, srv.URL), &calls
}

func TestRecordedAnswersAreRead(t *testing.T) {
	c, _ := recordedFeed(t, nil)
	refs, err := c.ReferralsByCPR(context.Background(), []domain.CPR{cprKarl, cprInger})
	if err != nil {
		t.Fatal(err)
	}
	karl := refs[cprKarl]
	if len(karl) != 1 || len(karl[0].History) != 3 || karl[0].History[0].Status != domain.ReferralSent {
		t.Fatalf("Karl's referral (history must be in time order): %+v", karl)
	}
	if r := refs[cprInger]; len(r) != 1 || r[0].Receiver.Municipality != 330 || len(r[0].History) != 0 {
		t.Errorf("Inger's referral %+v", r)
	}
	practices, err := c.PracticesByYdernummer(context.Background(), []domain.Ydernummer{"012345", "054321", "999999"})
	if err != nil {
		t.Fatal(err)
	}
	if len(practices) != 2 || practices["054321"].Phone != "" || practices["012345"].Address.City != "Slagelse" {
		t.Errorf("practices %+v", practices)
	}
}

func TestOneMalformedRecordCostsOnlyItsKey(t *testing.T) {
	c, _ := recordedFeed(t, func(referrals, practices []any) {
		referrals[1].(map[string]any)["priority"] = "whenever"
		practices[0].(map[string]any)["municipality"] = "Slagelse"
	})
	refs, err := c.ReferralsByCPR(context.Background(), []domain.CPR{cprKarl, cprInger})
	var re *upstream.RecordErrors[domain.CPR]
	if !errors.As(err, &re) || re.Len() != 1 {
		t.Fatalf("err = %v, want one citizen's records charged", err)
	}
	var de *upstream.DecodeError
	if !errors.As(re.Err(cprInger), &de) || de.Field != "referrals[1].priority" {
		t.Errorf("Inger's error %v", re.Err(cprInger))
	}
	if len(refs[cprKarl]) != 1 {
		t.Errorf("Karl lost his referral: %+v", refs)
	}

	practices, err := c.PracticesByYdernummer(context.Background(), []domain.Ydernummer{"012345", "054321"})
	var pe *upstream.RecordErrors[domain.Ydernummer]
	if !errors.As(err, &pe) || pe.Len() != 1 || !errors.As(pe.Err("012345"), &de) || de.Field != "practices[0].municipality" {
		t.Fatalf("err = %v, want practice 012345 charged for its municipality", err)
	}
	if _, ok := practices["054321"]; !ok {
		t.Error("the other practice was lost")
	}
}
