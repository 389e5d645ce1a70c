package population

import (
	"hash/fnv"
	"math"
	"math/rand/v2"
	"time"
)

// streams hands out random number generators keyed by (concern, key), all
// derived from the seed. Each concern (identity, stays, care, ...) draws from
// its own stream per citizen, so adding a concern, or drawing more in one,
// never reshuffles another.
type streams struct {
	seed uint64
}

// stream is a reseedable generator for one concern.
type stream struct {
	salt uint64
	seed uint64
	pcg  *rand.PCG
	*rand.Rand
}

func (s streams) concern(name string) *stream {
	h := fnv.New64a()
	h.Write([]byte(name))
	pcg := rand.NewPCG(0, 0)
	return &stream{salt: h.Sum64(), seed: s.seed, pcg: pcg, Rand: rand.New(pcg)}
}

// at reseeds the stream for one key (usually a citizen's index) and returns
// it; the previous key's sequence is abandoned.
func (st *stream) at(key uint64) *stream {
	st.pcg.Seed(splitmix(st.seed^st.salt), splitmix(key+st.salt*0x9e3779b97f4a7c15))
	return st
}

func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// chance is true with probability p.
func (st *stream) chance(p float64) bool { return st.Float64() < p }

// between is a uniform duration in [lo, hi).
func (st *stream) between(lo, hi time.Duration) time.Duration {
	if hi <= lo {
		return lo
	}
	return lo + time.Duration(st.Int64N(int64(hi-lo)))
}

// exp is an exponentially distributed waiting time for a rate per day.
func (st *stream) exp(perDay float64) time.Duration {
	if perDay <= 0 {
		return time.Duration(math.MaxInt64)
	}
	days := st.ExpFloat64() / perDay
	if days > 1e5 {
		days = 1e5
	}
	return time.Duration(days * float64(24*time.Hour))
}

// pick chooses an index with probability proportional to weights.
func (st *stream) pick(weights []float64) int {
	total := 0.0
	for _, w := range weights {
		total += w
	}
	u := st.Float64() * total
	for i, w := range weights {
		if u < w {
			return i
		}
		u -= w
	}
	return len(weights) - 1
}

// weighted is something with a weight, for pickFrom.
type weighted[T any] struct {
	v T
	w float64
}

func pickFrom[T any](st *stream, items []weighted[T]) T {
	total := 0.0
	for _, it := range items {
		total += it.w
	}
	u := st.Float64() * total
	for _, it := range items {
		if u < it.w {
			return it.v
		}
		u -= it.w
	}
	return items[len(items)-1].v
}

const day = 24 * time.Hour
