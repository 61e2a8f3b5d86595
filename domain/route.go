package domain

import (
	"crypto/md5"
	"encoding/binary"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Route-state limits taken from upstream: counters are restarted past
// routeCountLimit, and all per-job state is forgotten every routeStateTTL so
// that deleted jobs and departed executors do not pile up.
const (
	routeCountLimit = 1000000
	routeStateTTL   = 24 * time.Hour
	hashRingNodes   = 100
	hashRingCache   = 64 // address lists whose consistent-hash ring is kept
)

// NeedsProbe reports whether s picks its address by asking executors
// (FAILOVER: /beat, BUSYOVER: /idleBeat), which Router does not do.
func (s RouteStrategy) NeedsProbe() bool { return s == RouteFailover || s == RouteBusyover }

// OrDefault returns s, or FIRST when s is unknown or empty; upstream has no
// router for such a value and fails with a NullPointerException.
func (s RouteStrategy) OrDefault() RouteStrategy {
	if s.Valid() {
		return s
	}
	return RouteFirst
}

// Router picks one executor address per trigger for the strategies that
// need no probe, with upstream's algorithms. It keeps per-job state for
// ROUND, LEAST_FREQUENTLY_USED and LEAST_RECENTLY_USED, forgotten every 24 h,
// and is safe for concurrent use.
type Router struct {
	intn func(n int) int // random int in [0,n)

	mu      sync.Mutex
	resetAt time.Time
	round   map[int64]int
	lfu     map[int64]map[string]int
	lru     map[int64][]string // least recently used first
	rings   map[string]*hashRing
}

// NewRouter returns a Router with empty state.
func NewRouter() *Router {
	return &Router{intn: rand.IntN}
}

// Route returns the address strategy s picks among addrs for the job, or ""
// when addrs is empty. now drives the daily state reset. FAILOVER, BUSYOVER
// and SHARDING_BROADCAST are resolved by the caller; given here they, like
// unknown strategies, fall back to FIRST.
func (r *Router) Route(s RouteStrategy, jobID int64, addrs []string, now time.Time) string {
	if len(addrs) == 0 {
		return ""
	}
	switch s {
	case RouteLast:
		return addrs[len(addrs)-1]
	case RouteRandom:
		return addrs[r.intn(len(addrs))]
	case RouteRound, RouteConsistentHash, RouteLeastFrequently, RouteLeastRecently:
		return r.routeStateful(s, jobID, addrs, now)
	}
	return addrs[0]
}

func (r *Router) routeStateful(s RouteStrategy, jobID int64, addrs []string, now time.Time) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.resetIfStale(now)
	switch s {
	case RouteRound:
		return r.nextRound(jobID, addrs)
	case RouteLeastFrequently:
		return r.leastFrequent(jobID, addrs)
	case RouteLeastRecently:
		return r.leastRecent(jobID, addrs)
	}
	return r.ring(addrs).lookup(hashKey(strconv.FormatInt(jobID, 10)))
}

func (r *Router) resetIfStale(now time.Time) {
	if r.round != nil && now.Before(r.resetAt) {
		return
	}
	r.resetAt = now.Add(routeStateTTL)
	r.round = map[int64]int{}
	r.lfu = map[int64]map[string]int{}
	r.lru = map[int64][]string{}
	if r.rings == nil {
		r.rings = map[string]*hashRing{}
	}
}

// nextRound starts each job at a random point in [0,100) so that jobs
// sharing executors do not all begin on the first one.
func (r *Router) nextRound(jobID int64, addrs []string) string {
	count, ok := r.round[jobID]
	if !ok || count > routeCountLimit {
		count = r.intn(100)
	} else {
		count++
	}
	r.round[jobID] = count
	return addrs[count%len(addrs)]
}

// leastFrequent seeds unseen addresses with a random count so a new
// executor does not take every trigger until it has caught up. Ties go to
// the address listed first (upstream: HashMap order).
func (r *Router) leastFrequent(jobID int64, addrs []string) string {
	old := r.lfu[jobID]
	counts := make(map[string]int, len(addrs))
	best := ""
	for _, a := range addrs {
		c, ok := old[a]
		if !ok || c > routeCountLimit {
			c = r.intn(len(addrs))
		}
		counts[a] = c
		if best == "" || c < counts[best] {
			best = a
		}
	}
	counts[best]++
	r.lfu[jobID] = counts
	return best
}

// leastRecent keeps the job's addresses in use order: departed ones are
// dropped, new ones appended, and the eldest is picked and moved to the end.
func (r *Router) leastRecent(jobID int64, addrs []string) string {
	present := make(map[string]bool, len(addrs))
	for _, a := range addrs {
		present[a] = true
	}
	order := r.lru[jobID][:0:0]
	for _, a := range r.lru[jobID] {
		if present[a] {
			order = append(order, a)
			delete(present, a)
		}
	}
	for _, a := range addrs {
		if present[a] {
			order = append(order, a)
			delete(present, a)
		}
	}
	pick := order[0]
	r.lru[jobID] = append(order[1:], pick)
	return pick
}

func (r *Router) ring(addrs []string) *hashRing {
	key := strings.Join(addrs, "\n")
	if ring, ok := r.rings[key]; ok {
		return ring
	}
	if len(r.rings) >= hashRingCache {
		clear(r.rings)
	}
	ring := newHashRing(addrs)
	r.rings[key] = ring
	return ring
}

// hashRing is upstream's consistent-hash ring: hashRingNodes virtual nodes
// per address, later addresses taking over equal hashes.
type hashRing struct {
	hashes []uint32 // sorted
	owner  map[uint32]string
}

func newHashRing(addrs []string) *hashRing {
	ring := &hashRing{owner: make(map[uint32]string, len(addrs)*hashRingNodes)}
	for _, a := range addrs {
		for i := 0; i < hashRingNodes; i++ {
			ring.owner[hashKey("SHARD-"+a+"-NODE-"+strconv.Itoa(i))] = a
		}
	}
	ring.hashes = make([]uint32, 0, len(ring.owner))
	for h := range ring.owner {
		ring.hashes = append(ring.hashes, h)
	}
	sort.Slice(ring.hashes, func(i, j int) bool { return ring.hashes[i] < ring.hashes[j] })
	return ring
}

// lookup returns the owner of the first node at or after h, wrapping around.
func (ring *hashRing) lookup(h uint32) string {
	i := sort.Search(len(ring.hashes), func(i int) bool { return ring.hashes[i] >= h })
	if i == len(ring.hashes) {
		i = 0
	}
	return ring.owner[ring.hashes[i]]
}

// hashKey is upstream's ring hash: the first four bytes of the MD5 digest
// read little-endian as an unsigned 32-bit number.
func hashKey(s string) uint32 {
	sum := md5.Sum([]byte(s))
	return binary.LittleEndian.Uint32(sum[:4])
}
