package overload

import "time"

// rate estimates events per second from whole-second counts, each finished
// second weighing half of the estimate, so that it follows a change within
// a few seconds. Not safe for concurrent use; the Limiter holds its lock.
type rate struct {
	second int64   // the Unix second being counted; 0 before the first event
	count  float64 // events in that second so far
	perSec float64 // the estimate from the finished seconds
}

func (r *rate) add(now time.Time) {
	r.roll(now)
	r.count++
}

// value is the estimate at now, or the current second's count if that is
// higher (a burst shows before its second ends).
func (r *rate) value(now time.Time) float64 {
	r.roll(now)
	return max(r.perSec, r.count)
}

func (r *rate) roll(now time.Time) {
	s := now.Unix()
	if s == r.second {
		return
	}
	if r.second != 0 && s > r.second {
		r.perSec = (r.perSec + r.count) / 2
		for i := r.second + 1; i < s && r.perSec > 0.001; i++ {
			r.perSec /= 2 // a second without events
		}
	}
	r.second, r.count = s, 0
}
