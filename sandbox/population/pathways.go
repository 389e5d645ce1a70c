package population

import (
	"time"

	"github.com/sundhedsklynge/klynge/domain"
)

// PathwayKind is a pathway's kind as docs/PATHWAYS.md defines it.
type PathwayKind string

const (
	KindHomeAdmission   PathwayKind = "HOME_ADMISSION"
	KindAdmission       PathwayKind = "ADMISSION"
	KindAcuteOutpatient PathwayKind = "ACUTE_OUTPATIENT"
)

// Rules are the windows of docs/PATHWAYS.md that the generator keeps clean
// (and plants gaps in). They are the defaults of pathway.Rules.
const (
	TransferWindow          = 6 * time.Hour
	FollowUp                = 30 * day
	ExtendedMinStay         = 24 * time.Hour
	NotificationGrace       = time.Hour
	CareVisitWithin         = 24 * time.Hour
	OutOfHoursWithin        = 72 * time.Hour
	ReadmissionWithin       = 30 * day
	ReferralAnswerWithin    = 72 * time.Hour
	MedicationCoverDuration = 3 * day
)

// pathwayDraft is one citizen's episode while the world is generated: one
// stay, or a chain of stays joined by transfers.
type pathwayDraft struct {
	person int
	stays  []int // indexes into gen.stays, in time order
	kind   PathwayKind
	start  time.Time
	// discharged is set when the last stay finished with a destination
	// other than other-hospital; dischargedAt is its end.
	discharged   bool
	dischargedAt time.Time
	destination  domain.DischargeDestination
	psychiatric  bool
	// readmittedAt is the start of a planted readmission (zero if none).
	readmittedAt time.Time
}

func (pw *pathwayDraft) died() bool { return pw.destination == domain.DischargeDeceased }

// window is the pathway's span: admission to discharge + FollowUp, or open
// while it is ongoing.
func (pw *pathwayDraft) window() interval {
	if !pw.discharged {
		return interval{pw.start, farFuture}
	}
	return interval{pw.start, pw.dischargedAt.Add(FollowUp)}
}

// extendedResponsibility reports whether the 72-hour rule applies.
func (pw *pathwayDraft) extendedResponsibility() bool {
	return pw.discharged && !pw.psychiatric &&
		(pw.kind == KindAdmission || pw.kind == KindHomeAdmission) &&
		pw.dischargedAt.Sub(pw.start) > ExtendedMinStay &&
		pw.destination.NeedsMunicipalCare()
}

var farFuture = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)

// interval is [from, to).
type interval struct{ from, to time.Time }

func (iv interval) contains(t time.Time) bool { return !t.Before(iv.from) && t.Before(iv.to) }

func (iv interval) overlaps(o interval) bool { return iv.from.Before(o.to) && o.from.Before(iv.to) }

// subtract removes the blocked intervals from iv, leaving the free parts in
// order.
func (iv interval) subtract(blocked []interval) []interval {
	free := []interval{iv}
	for _, b := range blocked {
		var next []interval
		for _, f := range free {
			if !f.overlaps(b) {
				next = append(next, f)
				continue
			}
			if f.from.Before(b.from) {
				next = append(next, interval{f.from, b.from})
			}
			if b.to.Before(f.to) {
				next = append(next, interval{b.to, f.to})
			}
		}
		free = next
	}
	return free
}

// pickIn draws a uniform instant from a union of intervals, truncated to the
// minute; ok is false when they hold less than two minutes.
func pickIn(st *stream, free []interval) (time.Time, bool) {
	var total time.Duration
	for _, f := range free {
		if d := f.to.Sub(f.from); d > 2*time.Minute {
			total += d - 2*time.Minute
		}
	}
	if total <= 0 {
		return time.Time{}, false
	}
	u := st.between(0, total)
	for _, f := range free {
		d := f.to.Sub(f.from) - 2*time.Minute
		if d <= 0 {
			continue
		}
		if u < d {
			return f.from.Add(time.Minute).Add(u).Truncate(time.Minute), true
		}
		u -= d
	}
	return time.Time{}, false
}
