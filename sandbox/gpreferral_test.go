package sandbox_test

import (
	"net/http"
	"slices"
	"strconv"
	"testing"

	"github.com/sundhedsklynge/klynge/connectors/gpreferral/gpreferralapi"
	"github.com/sundhedsklynge/klynge/sandbox/controls"
)

func TestGPReferralFeed(t *testing.T) {
	s := start(t)
	w := s.Sandbox.World()
	base := s.URLs.GPReferral
	cprs := s.Citizens(t, 4, controls.WithReferral)

	t.Run("referrals of several citizens with their histories", func(t *testing.T) {
		a := postJSON(t, base+"/referrals/search", gpreferralapi.SearchRequest{CPRs: cprs})
		wantStatus(t, a, 200)
		var resp gpreferralapi.ReferralsResponse
		a.decode(t, &resp)
		want := 0
		for _, c := range cprs {
			want += len(w.ReferralsOf(domainCPR(c)))
		}
		if len(resp.Referrals) != want || want == 0 {
			t.Fatalf("%d referrals, want %d", len(resp.Referrals), want)
		}
		for _, r := range resp.Referrals {
			if len(r.History) == 0 || r.History[0].Status != "sent" || r.Receiver.Kind == "" || r.SenderYdernummer == "" {
				t.Errorf("referral %+v", r)
			}
		}
	})

	t.Run("GP contacts of several citizens", func(t *testing.T) {
		a := postJSON(t, base+"/contacts/search", gpreferralapi.SearchRequest{CPRs: cprs})
		wantStatus(t, a, 200)
		var resp gpreferralapi.ContactsResponse
		a.decode(t, &resp)
		want := 0
		for _, c := range cprs {
			want += len(w.GPContactsOf(domainCPR(c)))
		}
		if len(resp.Contacts) != want {
			t.Errorf("%d contacts, want %d", len(resp.Contacts), want)
		}
	})

	t.Run("the feed pages through every status change, then stays caught up", func(t *testing.T) {
		after, events := "", 0
		var last gpreferralapi.FeedPage
		for range 1000 {
			a := get(t, base+"/feed?limit=1000&after="+after)
			wantStatus(t, a, 200)
			last = gpreferralapi.FeedPage{}
			a.decode(t, &last)
			events += len(last.Events)
			if len(last.Events) == 0 {
				break
			}
			after = last.NextCursor
		}
		if events != len(w.Feed()) {
			t.Errorf("read %d events, feed holds %d", events, len(w.Feed()))
		}
		if last.NextCursor != after || last.NextCursor != strconv.Itoa(len(w.Feed())) {
			t.Errorf("caught-up page cursor %q, want %q", last.NextCursor, after)
		}
	})

	t.Run("bad feed parameters are 400", func(t *testing.T) {
		wantStatus(t, get(t, base+"/feed?after=xyz"), 400, "after: \"xyz\" is not a cursor")
		wantStatus(t, get(t, base+"/feed?after=99999999"), 400, "after:")
		wantStatus(t, get(t, base+"/feed?limit=0"), 400, "limit: must be an integer 1..1000")
		wantStatus(t, get(t, base+"/feed?limit=1001"), 400, "limit:")
		wantStatus(t, get(t, base+"/feed?since=1"), 400, "since: unknown parameter")
	})

	t.Run("practices: list, by municipality, by ydernummer, lookup", func(t *testing.T) {
		a := get(t, base+"/practices")
		wantStatus(t, a, 200)
		var all gpreferralapi.PracticesResponse
		a.decode(t, &all)
		if len(all.Practices) != len(w.Practices()) {
			t.Fatalf("%d practices, want %d", len(all.Practices), len(w.Practices()))
		}
		a = get(t, base+"/practices?municipality=330")
		var slagelse gpreferralapi.PracticesResponse
		a.decode(t, &slagelse)
		if len(slagelse.Practices) == 0 || slices.ContainsFunc(slagelse.Practices, func(p gpreferralapi.Practice) bool { return p.Municipality != 330 }) {
			t.Errorf("municipality filter gave %+v", slagelse.Practices)
		}
		p := all.Practices[0]
		a = get(t, base+"/practices/"+p.Ydernummer)
		wantStatus(t, a, 200)
		var one gpreferralapi.Practice
		a.decode(t, &one)
		if one != p {
			t.Errorf("read %+v, listed %+v", one, p)
		}
		wantStatus(t, get(t, base+"/practices/000000"), 404, "no practice")
		a = postJSON(t, base+"/practices/lookup", gpreferralapi.LookupRequest{Ydernumre: []string{all.Practices[1].Ydernummer, "000000", p.Ydernummer}})
		wantStatus(t, a, 200)
		var found gpreferralapi.PracticesResponse
		a.decode(t, &found)
		if len(found.Practices) != 2 || found.Practices[0].Ydernummer != p.Ydernummer {
			t.Errorf("lookup %+v", found.Practices)
		}
	})

	t.Run("bad practice requests are 400", func(t *testing.T) {
		wantStatus(t, get(t, base+"/practices?municipality=Slagelse"), 400, "municipality: must be a 3-digit")
		wantStatus(t, postJSON(t, base+"/practices/lookup", gpreferralapi.LookupRequest{Ydernumre: []string{"12345"}}), 400, "ydernumre[0]: must be 6 digits")
		many := make([]string, 201)
		for i := range many {
			many[i] = "900000"
		}
		wantStatus(t, postJSON(t, base+"/practices/lookup", gpreferralapi.LookupRequest{Ydernumre: many}), 400, "at most 200 per request, got 201")
		wantStatus(t, postJSON(t, base+"/referrals/search", gpreferralapi.SearchRequest{CPRs: cprList(s, 201)}), 400, "at most 200 cprs per request, got 201")
		wantStatus(t, call(t, http.MethodDelete, base+"/practices", "", nil), 405)
	})
}
