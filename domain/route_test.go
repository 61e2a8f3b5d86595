package domain

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

var routeAddrs = []string{"http://10.0.0.1:9999/", "http://10.0.0.2:9999/", "http://10.0.0.3:9999/"}

// fixedRand returns a Router whose random numbers are always v (clamped to n-1).
func fixedRand(v int) *Router {
	r := NewRouter()
	r.intn = func(n int) int { return min(v, n-1) }
	return r
}

func TestRouteSimple(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		s     RouteStrategy
		addrs []string
		want  string
	}{
		{"First", RouteFirst, routeAddrs, routeAddrs[0]},
		{"Last", RouteLast, routeAddrs, routeAddrs[2]},
		{"Random", RouteRandom, routeAddrs, routeAddrs[1]},
		{"UnknownIsFirst", RouteStrategy("NOPE"), routeAddrs, routeAddrs[0]},
		{"EmptyIsFirst", RouteStrategy(""), routeAddrs, routeAddrs[0]},
		{"FailoverFallsBackToFirst", RouteFailover, routeAddrs, routeAddrs[0]},
		{"NoAddress", RouteLast, nil, ""},
		{"NoAddressStateful", RouteRound, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := fixedRand(1).Route(tt.s, 7, tt.addrs, now); got != tt.want {
				t.Errorf("Route = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestRouteRound(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	r := fixedRand(98) // first use: count 98 → index 98%3 = 2
	var got []string
	for range 5 {
		got = append(got, r.Route(RouteRound, 1, routeAddrs, now))
	}
	want := []string{routeAddrs[2], routeAddrs[0], routeAddrs[1], routeAddrs[2], routeAddrs[0]}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("round sequence = %v, want %v", got, want)
	}
	// Another job has its own counter.
	if a := r.Route(RouteRound, 2, routeAddrs, now); a != routeAddrs[2] {
		t.Errorf("job 2 first pick = %q", a)
	}
	// Past the limit the counter restarts at random.
	r.round[1] = routeCountLimit + 1
	if a := r.Route(RouteRound, 1, routeAddrs, now); a != routeAddrs[2] || r.round[1] != 98 {
		t.Errorf("after overflow pick %q count %d", a, r.round[1])
	}
	// After 24 h every counter is forgotten.
	r.Route(RouteRound, 1, routeAddrs, now.Add(25*time.Hour))
	if r.round[1] != 98 || len(r.round) != 1 {
		t.Errorf("state after reset = %v", r.round)
	}
}

// The expected owners were computed outside Go (Python hashlib) from the
// algorithm's definition: 100 nodes "SHARD-<addr>-NODE-<i>", MD5, first
// four bytes little-endian, ceiling entry else first.
func TestRouteConsistentHash(t *testing.T) {
	if h := hashKey("1"); h != 943901380 {
		t.Fatalf("hashKey(1) = %d", h)
	}
	if h := hashKey("SHARD-http://10.0.0.1:9999/-NODE-0"); h != 3725898238 {
		t.Fatalf("hashKey(node) = %d", h)
	}
	tests := []struct {
		job          int64
		want3, want2 int // index into routeAddrs with 3 and with the first 2 addresses
	}{
		{1, 2, 0}, {2, 2, 0}, {3, 0, 0}, {4, 2, 1}, {5, 0, 0}, {6, 2, 0},
		{7, 1, 1}, {8, 1, 1}, {9, 0, 0}, {10, 0, 0}, {42, 1, 1}, {1000, 2, 1}, {123456, 0, 0},
	}
	now := time.Now()
	r := NewRouter()
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.job), func(t *testing.T) {
			if got := r.Route(RouteConsistentHash, tt.job, routeAddrs, now); got != routeAddrs[tt.want3] {
				t.Errorf("3 addresses: %q, want %q", got, routeAddrs[tt.want3])
			}
			if got := r.Route(RouteConsistentHash, tt.job, routeAddrs[:2], now); got != routeAddrs[tt.want2] {
				t.Errorf("2 addresses: %q, want %q", got, routeAddrs[tt.want2])
			}
		})
	}
}

func TestRouteLeastFrequentlyUsed(t *testing.T) {
	now := time.Now()
	r := fixedRand(0) // every new address starts at count 0
	counts := map[string]int{}
	for range 9 {
		counts[r.Route(RouteLeastFrequently, 1, routeAddrs, now)]++
	}
	for _, a := range routeAddrs {
		if counts[a] != 3 {
			t.Errorf("%s picked %d times, want 3 (%v)", a, counts[a], counts)
		}
	}
	// A new executor starts at a random count (0 here) and is picked next;
	// a departed one is forgotten.
	next := []string{routeAddrs[1], routeAddrs[2], "http://10.0.0.4:9999/"}
	if got := r.Route(RouteLeastFrequently, 1, next, now); got != next[2] {
		t.Errorf("new executor not picked: %q", got)
	}
	if _, ok := r.lfu[1][routeAddrs[0]]; ok {
		t.Errorf("departed address kept: %v", r.lfu[1])
	}
}

func TestRouteLeastRecentlyUsed(t *testing.T) {
	now := time.Now()
	r := NewRouter()
	var got []string
	for range 4 {
		got = append(got, r.Route(RouteLeastRecently, 1, routeAddrs, now))
	}
	want := []string{routeAddrs[0], routeAddrs[1], routeAddrs[2], routeAddrs[0]}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("lru sequence = %v, want %v", got, want)
	}
	// Drop address 2, add address 4: order is now 3, 1, 4.
	next := []string{routeAddrs[0], routeAddrs[2], "http://10.0.0.4:9999/"}
	got = nil
	for range 3 {
		got = append(got, r.Route(RouteLeastRecently, 1, next, now))
	}
	want = []string{routeAddrs[2], routeAddrs[0], next[2]}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("lru after change = %v, want %v", got, want)
	}
}

func TestRouteStrategyHelpers(t *testing.T) {
	if !RouteFailover.NeedsProbe() || !RouteBusyover.NeedsProbe() || RouteFirst.NeedsProbe() {
		t.Error("NeedsProbe")
	}
	if RouteStrategy("x").OrDefault() != RouteFirst || RouteLast.OrDefault() != RouteLast {
		t.Error("OrDefault")
	}
}

func TestRouterConcurrent(t *testing.T) {
	r := NewRouter()
	now := time.Now()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 200 {
				for _, s := range RouteStrategies {
					if a := r.Route(s, int64(j%5), routeAddrs, now.Add(time.Duration(i)*time.Hour*4)); a == "" {
						t.Errorf("%s: empty address", s)
					}
				}
			}
		}()
	}
	wg.Wait()
}

func BenchmarkRouteConsistentHash(b *testing.B) {
	r := NewRouter()
	now := time.Now()
	for i := 0; b.Loop(); i++ {
		r.Route(RouteConsistentHash, int64(i), routeAddrs, now)
	}
}
