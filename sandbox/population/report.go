package population

import (
	"fmt"
	"io"
	"math"
	"slices"
	"text/tabwriter"
	"time"

	"github.com/sundhedsklynge/klynge/domain"
)

// Figure is one measured distribution of the world next to the published
// figure it was calibrated to.
type Figure struct {
	Name      string
	World     string
	Published string
	Source    string
	// OK reports whether the world's value meets the acceptance bound
	// (always true for figures shown without a bound).
	OK bool
	// Count and Of are a share's numerator and denominator, for shares
	// judged against a published range (zero otherwise), so that several
	// worlds can be pooled.
	Count, Of int
}

// Report measures the world against published Danish figures. It is a pure
// function of the world.
func (w *World) Report() []Figure {
	var out []Figure
	out = append(out, w.dischargeFigures()...)
	out = append(out, w.visitFigures()...)
	out = append(out, w.readmissionFigures()...)
	out = append(out, w.outOfHoursFigures()...)
	out = append(out, w.placeFigures()...)
	out = append(out, w.gapFigures()...)
	return out
}

// WriteReport writes the report as an aligned text table.
func WriteReport(out io.Writer, figs []Figure) error {
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "figure\tworld\tpublished\t\tsource")
	for _, f := range figs {
		mark := "ok"
		if !f.OK {
			mark = "OUT OF RANGE"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", f.Name, f.World, f.Published, mark, f.Source)
	}
	return tw.Flush()
}

func pct(n, of int) string {
	if of == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.1f %% (%d/%d)", 100*float64(n)/float64(of), n, of)
}

func share(n, of int) float64 {
	if of == 0 {
		return 0
	}
	return float64(n) / float64(of)
}

// discharges are the finished stays that ended in a discharge.
func (w *World) discharges() []domain.Encounter {
	var out []domain.Encounter
	for _, e := range w.encounters {
		if e.Status == domain.EncounterFinished && e.Class != domain.ClassVirtual &&
			e.Destination != domain.DischargeOtherHospital && e.Destination != domain.DischargeDeceased {
			out = append(out, e)
		}
	}
	return out
}

func (w *World) dischargeFigures() []Figure {
	ds := w.discharges()
	night, friday, weekend := 0, 0, 0
	for _, e := range ds {
		lt := e.End.In(w.loc)
		if lt.Hour() < 6 {
			night++
		}
		switch lt.Weekday() {
		case time.Friday:
			friday++
		case time.Saturday, time.Sunday:
			weekend++
		}
	}
	return []Figure{
		{Name: "discharges between 00:00 and 06:00", World: pct(night, len(ds)), Published: "< 5 % (acceptance)",
			Source: "issue #13; no Danish table by hour found", OK: share(night, len(ds)) < 0.05},
		{Name: "discharges on Fridays", World: pct(friday, len(ds)), Published: "19 %", Source: "KL, Sygehusenes udskrivningspraksis, 2013", OK: true},
		{Name: "discharges on Saturdays and Sundays", World: pct(weekend, len(ds)), Published: "11 % (psychiatry 2015)",
			Source: "Sundhedsdatastyrelsen, SUU spm. 381, 2017", OK: true},
	}
}

// visitFigures: median performed-or-planned visits per day of each service
// kind over its days inside the routine visit window before now.
func (w *World) visitFigures() []Figure {
	from := w.now.Add(-visitHistory)
	perService := map[int]int{}
	for k := range w.visits {
		if t := time.Unix(w.visits[k].planned, 0); !t.Before(from) && t.Before(w.now) {
			perService[int(w.visits[k].service)]++
		}
	}
	rates := map[string][]float64{}
	for si, s := range w.services {
		lo, hi := maxTime(from, s.Start), w.now
		if !s.End.IsZero() && s.End.Before(hi) {
			hi = s.End
		}
		if days := hi.Sub(lo).Hours() / 24; days >= 7 && s.Status != domain.CareServicePlanned {
			rates[s.Service.Code] = append(rates[s.Service.Code], float64(perService[si])/days)
		}
	}
	median := func(codes ...string) (float64, int) {
		var all []float64
		for _, c := range codes {
			all = append(all, rates[c]...)
		}
		if len(all) == 0 {
			return 0, 0
		}
		slices.Sort(all)
		return all[len(all)/2], len(all)
	}
	personal, np := median("H1.1", "H1.2")
	medication, nm := median("G1.20")
	cleaning, nc := median("H1.7")
	return []Figure{
		{Name: "personal care (H1.1, H1.2): visits per day, median", World: fmt.Sprintf("%.2f (%d services)", personal, np),
			Published: "≥ 1 (4.0 h/week on average)", Source: "Ældre Sagen from Danmarks Statistik AED06, 2019", OK: personal >= 1},
		{Name: "medication administration (G1.20): visits per day, median", World: fmt.Sprintf("%.2f (%d services)", medication, nm),
			Published: "≥ 1 (acceptance)", Source: "issue #13", OK: medication >= 1},
		{Name: "cleaning (H1.7): visits per day, median", World: fmt.Sprintf("%.2f (%d services)", cleaning, nc),
			Published: "0.44 h/week practical help", Source: "Ældre Sagen from Danmarks Statistik AED06, 2019", OK: true},
	}
}

// readmissionFigures: the national indicator's reading — somatic admissions
// followed within 30 days by an acute somatic admission — for the 65+, and
// psychiatric admissions followed by a psychiatric one.
func (w *World) readmissionFigures() []Figure {
	type stayFacts struct {
		start, end time.Time
		admission  bool // admitted (IMP or STAA then STIN)
		acute      bool
		psych      bool
	}
	var index65, re65, indexPsych, rePsych, inside72 int
	for ci, c := range w.citizens {
		var stays []stayFacts
		for _, k := range w.encOf.of(ci) {
			e := w.encounters[k]
			if e.Class == domain.ClassVirtual || e.Status == domain.EncounterEnteredInError {
				continue
			}
			f := stayFacts{start: e.Start, end: e.End, admission: e.Class == domain.ClassInpatient, psych: e.Psychiatric}
			f.acute = len(e.Notifications) > 0 && e.Notifications[0].Code == domain.NotifyAcuteOutpatientStart
			stays = append(stays, f)
		}
		age := func(t time.Time) int { return domain.AgeAt(c.BirthDate, t) }
		for i, s := range stays {
			if !s.admission || s.end.IsZero() || s.end.Add(30*day).After(w.now) {
				continue
			}
			var next *stayFacts
			if i+1 < len(stays) && stays[i+1].start.After(s.end) && !stays[i+1].start.After(s.end.Add(30*day)) {
				next = &stays[i+1]
			}
			if next != nil && next.start.Sub(s.end) <= 72*time.Hour {
				inside72++
			}
			switch {
			case s.psych:
				indexPsych++
				if next != nil && next.psych && next.admission {
					rePsych++
				}
			case age(s.end) >= 65:
				index65++
				if next != nil && !next.psych && next.admission && next.acute {
					re65++
				}
			}
		}
	}
	// A few hundred admissions are a sample: at 20,000 citizens the share
	// moves by about two points from one date or seed to the next around
	// the generator's rate (16.4 % over 120 worlds), and one world in a
	// hundred would leave the range by chance alone. So a world meets the
	// published range when its 99 % confidence interval reaches into it;
	// TestReportMeetsThePublishedFigures checks the rate itself on a pooled
	// sample.
	lo, hi := wilson(re65, index65, 2.576)
	return []Figure{
		{Name: "somatic admissions of 65+ with an acute somatic readmission ≤ 30 d", World: fmt.Sprintf("%s, 99 %% CI %.1f-%.1f %%", pct(re65, index65), 100*lo, 100*hi),
			Published: "11-22 % (GP deciles, 2018)", Source: "Sundhedsdatastyrelsen, Uhensigtsmæssige sygehusophold, 2020",
			OK: index65 > 0 && lo <= ReadmissionHigh && hi >= ReadmissionLow, Count: re65, Of: index65},
		{Name: "psychiatric admissions with a psychiatric readmission ≤ 30 d", World: pct(rePsych, indexPsych),
			Published: "23 %", Source: "Sundhedsdatastyrelsen, Genindlæggelser i psykiatrien, 2017", OK: true},
		{Name: "readmissions inside the 72-hour window (shape present)", World: fmt.Sprint(inside72), Published: "> 0", Source: "issue #13", OK: inside72 > 0},
	}
}

// The published range of the share of somatic admissions of the 65+
// followed by an acute somatic readmission within 30 days: the tenth of GPs
// with fewest and with most (Sundhedsdatastyrelsen, Uhensigtsmæssige
// sygehusophold, 2020, figures for 2018).
const (
	ReadmissionLow  = 0.11
	ReadmissionHigh = 0.22
)

// wilson is the Wilson score interval of n successes in `of` trials at
// normal quantile z: unlike share ± z·SE it stays inside [0, 1] and holds
// for small counts.
func wilson(n, of int, z float64) (lo, hi float64) {
	if of == 0 {
		return 0, 1
	}
	p, m := float64(n)/float64(of), float64(of)
	centre := (p + z*z/(2*m)) / (1 + z*z/m)
	half := z / (1 + z*z/m) * math.Sqrt(p*(1-p)/m+z*z/(4*m*m))
	return max(0, centre-half), min(1, centre+half)
}

func (w *World) outOfHoursFigures() []Figure {
	years := Window.Hours() / 24 / 365
	referred, night := 0, 0
	for _, c := range w.ooh {
		if c.Outcome == domain.OutcomeAcuteReferral || c.Outcome == domain.OutcomeAmbulance {
			referred++
		}
		if h := c.ReceivedAt.In(w.loc).Hour(); h < 6 {
			night++
		}
	}
	perCitizen := float64(len(w.ooh)) / float64(len(w.citizens)) / years
	return []Figure{
		{Name: "out-of-hours contacts per citizen and year", World: fmt.Sprintf("%.2f", perCitizen), Published: "0.39 (330,000 / ~850,000)",
			Source: "Region Sjælland via Dagens Medicin, Aug 2024", OK: perCitizen > 0.3 && perCitizen < 0.5},
		{Name: "out-of-hours contacts referred to an acute department or ambulance", World: pct(referred, len(w.ooh)),
			Published: "ambulance ~1 % of calls", Source: "Aarhus Universitet, Akutknappen (Region Midtjylland 2016)", OK: true},
		{Name: "out-of-hours contacts between 00:00 and 06:00", World: pct(night, len(w.ooh)), Published: "(evening peak)", Source: "-", OK: true},
	}
}

func (w *World) placeFigures() []Figure {
	wrongPostal, childAdult, infantCare := 0, 0, 0
	for ci, c := range w.citizens {
		if m, _ := PostalMunicipality(c.Address.PostalCode); m != c.Address.Municipality {
			wrongPostal++
		}
		for _, k := range w.encOf.of(ci) {
			e := w.encounters[k]
			if domain.AgeAt(c.BirthDate, w.now) < 18 && e.Class == domain.ClassInpatient && !w.paediatricOrChild(e.Department.SOR) {
				childAdult++
			}
		}
		if domain.AgeAt(c.BirthDate, w.now) < 18 {
			infantCare += len(w.servOf.of(ci))
		}
	}
	onLeave, morsEmergency := 0, 0
	for _, e := range w.encounters {
		if e.Status == domain.EncounterOnLeave {
			onLeave++
		}
		if e.Class == domain.ClassEmergency && e.Destination == domain.DischargeDeceased {
			morsEmergency++
		}
	}
	return []Figure{
		{Name: "citizens whose postal code lies in another municipality", World: fmt.Sprint(wrongPostal), Published: "0",
			Source: "DAWA /postnumre (table in postcodes.go)", OK: wrongPostal == 0},
		{Name: "children admitted outside paediatrics / child psychiatry", World: fmt.Sprint(childAdult), Published: "0", Source: "-", OK: childAdult == 0},
		{Name: "municipal care services for children", World: fmt.Sprint(infantCare), Published: "0 in the sandbox", Source: "-", OK: infantCare == 0},
		{Name: "stays on leave now (shape present)", World: fmt.Sprint(onLeave), Published: "> 0", Source: "issue #13", OK: onLeave > 0},
		{Name: "MORS after an acute outpatient stay (shape present)", World: fmt.Sprint(morsEmergency), Published: "> 0", Source: "issue #13", OK: morsEmergency > 0},
	}
}

func (w *World) paediatricOrChild(sor domain.SORCode) bool {
	for _, h := range w.hospitals {
		for _, d := range h.Departments {
			if d.Org.SOR == sor {
				return d.Children
			}
		}
	}
	return false
}

func (w *World) gapFigures() []Figure {
	ds := len(w.discharges())
	count := map[GapKind]int{}
	for _, g := range w.gaps {
		count[g.Kind]++
	}
	var out []Figure
	for _, k := range GapKinds {
		out = append(out, Figure{Name: "gap rate per discharge: " + string(k), World: pct(count[k], ds), Published: "(planted)", Source: "docs/PATHWAYS.md", OK: true})
	}
	var ages [4]int
	for _, c := range w.citizens {
		switch a := domain.AgeAt(c.BirthDate, w.now); {
		case a < 18:
			ages[0]++
		case a < 65:
			ages[1]++
		case a < 80:
			ages[2]++
		default:
			ages[3]++
		}
	}
	out = append(out, Figure{Name: "citizens aged 65 or older", World: pct(ages[2]+ages[3], len(w.citizens)), Published: "about 24 %",
		Source: "Danmarks Statistik (Region Sjælland 2024, ages.go)", OK: true})
	return out
}
