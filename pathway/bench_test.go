package pathway

import (
	"strconv"
	"testing"
	"time"

	"github.com/sundhedsklynge/klynge/domain"
)

// busyCitizen has five stays over a year (two of them a transfer pair and one
// a readmission), a year of home care with three visits a day, and the
// out-of-hours contacts, referrals and GP contacts around them.
func busyCitizen() Input {
	in := Input{Citizen: testCitizen()}
	year := admitted.Add(-300 * day)
	in.Services = []domain.CareService{nursing("svc-year", year, time.Time{})}
	for d := range 365 {
		for _, h := range []int{8, 13, 21} {
			at := year.Add(time.Duration(d)*day + time.Duration(h)*hour)
			id := "v-" + strconv.Itoa(d) + "-" + strconv.Itoa(h)
			if d%17 == 0 {
				in.Visits = append(in.Visits, unperformedVisit(id, "svc-year", at, domain.VisitMissed))
			} else {
				in.Visits = append(in.Visits, performedVisit(id, "svc-year", at))
			}
		}
		if d%9 == 0 {
			in.GPContacts = append(in.GPContacts, gpContact("gp-"+strconv.Itoa(d), year.Add(time.Duration(d)*day+10*hour)))
		}
		if d%23 == 0 {
			in.OutOfHours = append(in.OutOfHours, outOfHours("ooh-"+strconv.Itoa(d), year.Add(time.Duration(d)*day+22*hour)))
		}
		if d%40 == 0 {
			sent := year.Add(time.Duration(d)*day + 9*hour)
			in.Referrals = append(in.Referrals, referral("ref-"+strconv.Itoa(d), sent, step(domain.ReferralReceived, sent.Add(20*hour))))
		}
	}
	starts := []int{20, 95, 101, 180, 290}
	for i, d := range starts {
		start := year.Add(time.Duration(d)*day + 11*hour)
		end := start.Add(time.Duration(2+i) * day)
		dest := domain.DischargeHomeNursing
		if i == 1 {
			end, dest = start.Add(30*hour), domain.DischargeOtherHospital
		}
		if i == 2 {
			start = year.Add(time.Duration(starts[1])*day + 11*hour + 32*hour)
			end = start.Add(3 * day)
		}
		e := inpatient("enc-"+strconv.Itoa(i), start, end, dest)
		in.Encounters = append(in.Encounters, e)
		if dest != domain.DischargeOtherHospital {
			in.Received = append(in.Received, receipt(e, e.ID+"-admit", start.Add(minute)), receipt(e, e.ID+"-slhj", end.Add(5*minute)))
		}
	}
	return in
}

func BenchmarkAssemble(b *testing.B) {
	in := busyCitizen()
	rules := DefaultRules()
	now := admitted.Add(65 * day)
	b.ReportAllocs()
	for b.Loop() {
		if ps := Assemble(in, rules, now); len(ps) != 4 {
			b.Fatalf("%d pathways, want 4 (one transfer pair)", len(ps))
		}
	}
}
