package application

import (
	"context"
	"sync"
	"time"

	"github.com/xjob-dev/xjob/domain"
	"github.com/xjob-dev/xjob/ports"
)

// groupCache keeps executor groups for a short time, so the fires of one
// second (often hundreds of the same group) read each group once. It
// measures age with the monotonic clock, not the scheduler's clock, so a
// test clock standing still cannot make it stale.
type groupCache struct {
	groups ports.GroupStore
	ttl    time.Duration

	mu sync.Mutex
	m  map[int64]cachedGroup
}

type cachedGroup struct {
	group *domain.Group
	at    time.Time
}

func newGroupCache(groups ports.GroupStore, ttl time.Duration) *groupCache {
	return &groupCache{groups: groups, ttl: ttl, m: map[int64]cachedGroup{}}
}

// find returns the group from the cache, or reads and caches it. Errors
// (ENOTFOUND included) are not cached.
func (c *groupCache) find(ctx context.Context, id int64) (*domain.Group, error) {
	c.mu.Lock()
	e, ok := c.m[id]
	c.mu.Unlock()
	if ok && time.Since(e.at) < c.ttl {
		return e.group, nil
	}
	g, err := c.groups.FindGroupByID(ctx, id)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if len(c.m) > 10000 {
		clear(c.m)
	}
	c.m[id] = cachedGroup{group: g, at: time.Now()}
	c.mu.Unlock()
	return g, nil
}
