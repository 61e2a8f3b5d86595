package application

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/xjob-dev/xjob/domain"
	"github.com/xjob-dev/xjob/ports"
)

// errIllegalArgument is upstream's reply to a registration with a blank field.
func errIllegalArgument() error { return domain.Errorf(domain.EINVALID, "Illegal Argument.") }

func validRegistry(p domain.RegistryParam) bool {
	return strings.TrimSpace(p.RegistryGroup) != "" && strings.TrimSpace(p.RegistryKey) != "" &&
		strings.TrimSpace(p.RegistryValue) != ""
}

// RefreshGroups keeps the address lists of automatically registered groups
// in step with the live registry rows: sorted, comma separated, NULL when
// none. It remembers what it last wrote per app name, so a heartbeat of an
// executor already listed costs no extra query.
type RefreshGroups struct {
	registries ports.RegistryStore
	groups     ports.GroupStore
	clock      ports.Clock
	dead       time.Duration

	mu    sync.Mutex
	known map[string]map[string]bool // app name → live addresses last written
	// running serializes this node's refreshes (the monitor's and those
	// of heartbeats), so an older view never overwrites a newer one.
	running sync.Mutex
}

// NewRefreshGroups returns the use case; a registry row is dead when it had
// no heartbeat for deadTimeout (0 means upstream's 90 s).
func NewRefreshGroups(registries ports.RegistryStore, groups ports.GroupStore, clock ports.Clock,
	deadTimeout time.Duration) *RefreshGroups {
	mustDeps("NewRefreshGroups", registries, groups, clock)
	if deadTimeout <= 0 {
		deadTimeout = domain.DeadTimeout * time.Second
	}
	return &RefreshGroups{registries: registries, groups: groups, clock: clock, dead: deadTimeout,
		known: map[string]map[string]bool{}}
}

// Refresh rewrites the address list of every automatic group whose live
// addresses changed, and returns the number of live executor addresses.
func (uc *RefreshGroups) Refresh(ctx context.Context) (int, error) {
	return uc.refresh(ctx, "")
}

// RefreshApp does Refresh for the groups of one app name only.
func (uc *RefreshGroups) RefreshApp(ctx context.Context, appName string) error {
	_, err := uc.refresh(ctx, appName)
	return err
}

func (uc *RefreshGroups) refresh(ctx context.Context, only string) (int, error) {
	uc.running.Lock()
	defer uc.running.Unlock()
	// Groups first, heartbeats second: an executor that registers between
	// the two reads is then among the live ones, and a group created
	// between them is left as it was created. The other order wrote a new
	// group an empty list until the executor's next heartbeat.
	groups, err := uc.groups.AllGroups(ctx)
	if err != nil {
		return 0, fmt.Errorf("refresh group addresses: %w", err)
	}
	now := uc.clock.Now()
	alive, err := uc.registries.AliveRegistries(ctx, now.Add(-uc.dead))
	if err != nil {
		return 0, fmt.Errorf("refresh group addresses: %w", err)
	}
	live := map[string]map[string]bool{}
	total := 0
	for _, r := range alive {
		if r.Group != domain.RegistryExecutor || (only != "" && r.Key != only) {
			continue
		}
		if live[r.Key] == nil {
			live[r.Key] = map[string]bool{}
		}
		if !live[r.Key][r.Value] {
			live[r.Key][r.Value] = true
			total++
		}
	}
	if err := uc.writeGroups(ctx, groups, only, live, now); err != nil {
		return 0, err
	}
	uc.remember(only, live)
	return total, nil
}

func (uc *RefreshGroups) writeGroups(ctx context.Context, groups []*domain.Group, only string,
	live map[string]map[string]bool, now time.Time) error {
	for _, g := range groups {
		if g.AddressType != domain.AddressAuto || (only != "" && g.AppName != only) {
			continue
		}
		addrs := make([]string, 0, len(live[g.AppName]))
		for a := range live[g.AppName] {
			addrs = append(addrs, a)
		}
		list := domain.JoinAddresses(addrs)
		if list == g.AddressList {
			continue
		}
		// Only over the list this refresh read: another node's refresh (or a
		// heartbeat's) that wrote meanwhile saw newer heartbeats.
		if _, err := uc.groups.SwapGroupAddresses(ctx, g.ID, g.AddressList, list, now); err != nil {
			return fmt.Errorf("refresh addresses of group %d: %w", g.ID, err)
		}
	}
	return nil
}

func (uc *RefreshGroups) remember(only string, live map[string]map[string]bool) {
	uc.mu.Lock()
	defer uc.mu.Unlock()
	if only == "" {
		uc.known = live
		return
	}
	uc.known[only] = live[only]
}

func (uc *RefreshGroups) knows(appName, addr string) bool {
	uc.mu.Lock()
	defer uc.mu.Unlock()
	return uc.known[appName][addr]
}

// RegisterExecutor records an executor's heartbeat (POST /api/registry).
type RegisterExecutor struct {
	registries ports.RegistryStore
	refresh    *RefreshGroups
	clock      ports.Clock
}

// NewRegisterExecutor returns the use case.
func NewRegisterExecutor(registries ports.RegistryStore, refresh *RefreshGroups, clock ports.Clock) *RegisterExecutor {
	mustDeps("NewRegisterExecutor", registries, refresh, clock)
	return &RegisterExecutor{registries: registries, refresh: refresh, clock: clock}
}

// Register saves the heartbeat. Unlike upstream, which waits for its 30 s
// monitor, an executor address not yet listed joins its app's automatic
// groups at once. Returns EINVALID ("Illegal Argument.") for a blank field.
func (uc *RegisterExecutor) Register(ctx context.Context, p domain.RegistryParam) error {
	if !validRegistry(p) {
		return errIllegalArgument()
	}
	r := &domain.Registry{Group: domain.RegistryGroup(p.RegistryGroup), Key: p.RegistryKey, Value: p.RegistryValue,
		UpdateTime: uc.clock.Now()}
	if err := uc.registries.SaveRegistry(ctx, r); err != nil {
		return fmt.Errorf("register executor %s: %w", p.RegistryValue, err)
	}
	if r.Group != domain.RegistryExecutor || uc.refresh.knows(r.Key, r.Value) {
		return nil
	}
	return uc.refresh.RefreshApp(ctx, r.Key)
}

// RemoveExecutor forgets an executor that shuts down (POST /api/registryRemove).
type RemoveExecutor struct {
	registries ports.RegistryStore
	refresh    *RefreshGroups
}

// NewRemoveExecutor returns the use case.
func NewRemoveExecutor(registries ports.RegistryStore, refresh *RefreshGroups) *RemoveExecutor {
	mustDeps("NewRemoveExecutor", registries, refresh)
	return &RemoveExecutor{registries: registries, refresh: refresh}
}

// Remove deletes the heartbeat rows and, unlike upstream, drops the address
// from its app's automatic groups at once, so no trigger is sent to an
// executor that said goodbye. Returns EINVALID for a blank field.
func (uc *RemoveExecutor) Remove(ctx context.Context, p domain.RegistryParam) error {
	if !validRegistry(p) {
		return errIllegalArgument()
	}
	group := domain.RegistryGroup(p.RegistryGroup)
	if err := uc.registries.DeleteRegistry(ctx, group, p.RegistryKey, p.RegistryValue); err != nil {
		return fmt.Errorf("remove executor %s: %w", p.RegistryValue, err)
	}
	if group != domain.RegistryExecutor {
		return nil
	}
	return uc.refresh.RefreshApp(ctx, p.RegistryKey)
}

// RegistryOptions configure MonitorRegistry; zero values take the defaults.
type RegistryOptions struct {
	Interval time.Duration // default 30 s (upstream BEAT_TIMEOUT)
	Logger   *slog.Logger
	Metrics  Metrics
}

// MonitorRegistry deletes dead heartbeat rows and refreshes every automatic
// group's address list (upstream's JobRegistryHelper monitor).
type MonitorRegistry struct {
	registries ports.RegistryStore
	refresh    *RefreshGroups
	clock      ports.Clock
	opts       RegistryOptions
}

// NewMonitorRegistry returns the monitor; the dead timeout is refresh's.
func NewMonitorRegistry(registries ports.RegistryStore, refresh *RefreshGroups, clock ports.Clock,
	opts RegistryOptions) *MonitorRegistry {
	mustDeps("NewMonitorRegistry", registries, refresh, clock)
	if opts.Interval <= 0 {
		opts.Interval = domain.BeatTimeout * time.Second
	}
	if opts.Metrics == nil {
		opts.Metrics = NopMetrics{}
	}
	return &MonitorRegistry{registries: registries, refresh: refresh, clock: clock, opts: opts}
}

// Check deletes rows without a heartbeat for the dead timeout (always,
// where upstream skips it when no automatic group exists, because the lost
// run monitor reads the registry too) and refreshes the groups.
func (uc *MonitorRegistry) Check(ctx context.Context) error {
	if _, err := uc.registries.DeleteDeadRegistries(ctx, uc.clock.Now().Add(-uc.refresh.dead)); err != nil {
		return fmt.Errorf("delete dead registries: %w", err)
	}
	n, err := uc.refresh.Refresh(ctx)
	if err != nil {
		return err
	}
	uc.opts.Metrics.RegisteredExecutors(n)
	return nil
}

// Run checks at each wall-clock multiple of Interval until ctx is done.
func (uc *MonitorRegistry) Run(ctx context.Context) {
	l := loop{name: "monitor-registry", period: uc.opts.Interval, logger: uc.opts.Logger, metrics: uc.opts.Metrics}
	l.run(ctx, func(ctx context.Context) (time.Duration, error) {
		err := uc.Check(ctx)
		return untilNextMultiple(uc.clock.Now(), uc.opts.Interval), err
	})
}
