package loaders_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/sundhedsklynge/klynge/connectors/outofhours"
	"github.com/sundhedsklynge/klynge/connectors/upstream"
	"github.com/sundhedsklynge/klynge/domain"
	"github.com/sundhedsklynge/klynge/errcode"
	"github.com/sundhedsklynge/klynge/loaders"
)

// A contact the connector cannot read fails only its citizen's load; the
// other citizens of the batch get theirs from the same one request.
func TestABadRecordFailsOnlyItsCitizensLoad(t *testing.T) {
	good, bad := domain.MustParseCPR("6703851235"), domain.MustParseCPR("6811424562")
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		contact := func(cpr domain.CPR, received string) string {
			return fmt.Sprintf(`{"id":"c-%s","cpr":%q,"receivedAt":%q,"triageBy":"nurse","urgency":"urgent","outcome":"home-visit","startedAt":"2026-02-11T22:20:00+01:00"}`, cpr, cpr, received)
		}
		fmt.Fprintf(w, `{"contacts":[%s,%s]}`, contact(good, "2026-02-11T22:15:00+01:00"), contact(bad, "last tuesday"))
	}))
	defer srv.Close()
	up, err := upstream.New(upstream.Options{System: "outofhours", BaseURL: srv.URL, Retry: upstream.RetryOptions{Max: -1}})
	if err != nil {
		t.Fatal(err)
	}
	defer up.Close()
	l := loaders.New(loaders.Upstreams{OutOfHours: outofhours.New(up)}, loaders.Options{})
	ctx := context.Background()
	l.OutOfHours.Prefetch(ctx, []domain.CPR{good, bad})

	f, err := l.OutOfHours.Load(ctx, good)()
	if err != nil || len(f.Value) != 1 || f.Source.System != "outofhours" {
		t.Fatalf("the good citizen: %d contacts, err %v", len(f.Value), err)
	}
	_, err = l.OutOfHours.Load(ctx, bad)()
	var se *loaders.SourceError
	var de *upstream.DecodeError
	if !errors.As(err, &se) || !errors.As(err, &de) || de.Field != "contacts[1].receivedAt" {
		t.Fatalf("the bad citizen's error = %v, want a SourceError naming contacts[1].receivedAt", err)
	}
	if sys, code, ok := upstream.Classify(err); !ok || sys != "outofhours" || code != errcode.UpstreamBadResponse {
		t.Errorf("Classify = %s %s %v", sys, code, ok)
	}
	if calls.Load() != 1 {
		t.Errorf("%d requests, want 1", calls.Load())
	}
}
