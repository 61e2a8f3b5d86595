package application_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/xjob-dev/xjob/adapters/sqlstore"
	"github.com/xjob-dev/xjob/adapters/sqlstore/sqltest"
	"github.com/xjob-dev/xjob/application"
	"github.com/xjob-dev/xjob/domain"
	"github.com/xjob-dev/xjob/ports"
)

// countingGroups is the real group store, counting the reads of all groups.
type countingGroups struct {
	ports.GroupStore
	reads atomic.Int64
}

func (c *countingGroups) AllGroups(ctx context.Context) ([]*domain.Group, error) {
	c.reads.Add(1)
	return c.GroupStore.AllGroups(ctx)
}

type registryEnv struct {
	*env
	groupsRead *countingGroups
	refresh    *application.RefreshGroups
	register   *application.RegisterExecutor
	remove     *application.RemoveExecutor
	monitor    *application.MonitorRegistry
}

func newRegistryEnv(t *testing.T, db *sqlstore.DB) *registryEnv {
	e := newEnv(t, db, "en")
	cg := &countingGroups{GroupStore: e.groups}
	refresh := application.NewRefreshGroups(e.regs, cg, e.clock, 0)
	return &registryEnv{env: e, groupsRead: cg, refresh: refresh,
		register: application.NewRegisterExecutor(e.regs, refresh, e.clock),
		remove:   application.NewRemoveExecutor(e.regs, refresh),
		monitor:  application.NewMonitorRegistry(e.regs, refresh, e.clock, application.RegistryOptions{})}
}

func (e *registryEnv) addresses(g *domain.Group) string {
	e.t.Helper()
	got, err := e.groups.FindGroupByID(e.ctx, g.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	return got.AddressList
}

func reg(app, addr string) domain.RegistryParam {
	return domain.RegistryParam{RegistryGroup: "EXECUTOR", RegistryKey: app, RegistryValue: addr}
}

func TestRegistry(t *testing.T) {
	sqltest.Engines(t, func(t *testing.T, db *sqlstore.DB) {
		e := newRegistryEnv(t, db)
		auto := e.group(domain.AddressAuto)
		manual := e.group(domain.AddressManual, "http://manual:1")
		manual.AppName = auto.AppName
		if err := e.groups.UpdateGroup(e.ctx, manual); err != nil {
			t.Fatal(err)
		}
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		// A new executor is listed at once, sorted; a repeat heartbeat reads no group.
		must(e.register.Register(e.ctx, reg(auto.AppName, "http://b:9999/")))
		must(e.register.Register(e.ctx, reg(auto.AppName, "http://a:9999")))
		if got := e.addresses(auto); got != "http://a:9999,http://b:9999/" {
			t.Errorf("after register: %q", got)
		}
		reads := e.groupsRead.reads.Load()
		must(e.register.Register(e.ctx, reg(auto.AppName, "http://a:9999")))
		if e.groupsRead.reads.Load() != reads {
			t.Error("a repeat heartbeat re-read the groups")
		}
		// Removal drops the address at once; the manual group is never touched.
		must(e.remove.Remove(e.ctx, reg(auto.AppName, "http://b:9999/")))
		if got := e.addresses(auto); got != "http://a:9999" {
			t.Errorf("after remove: %q", got)
		}
		if got := e.addresses(manual); got != "http://manual:1" {
			t.Errorf("manual group changed: %q", got)
		}
		// Past the dead timeout the monitor deletes the row and empties the list.
		e.clock.Advance(91 * time.Second)
		must(e.monitor.Check(e.ctx))
		if got := e.addresses(auto); got != "" {
			t.Errorf("after dead timeout: %q", got)
		}
		alive, err := e.regs.AliveRegistries(e.ctx, time.Time{})
		must(err)
		if len(alive) != 0 {
			t.Errorf("dead rows kept: %d", len(alive))
		}
		// After the monitor forgot it, the executor's next beat lists it again.
		must(e.register.Register(e.ctx, reg(auto.AppName, "http://a:9999")))
		if got := e.addresses(auto); got != "http://a:9999" {
			t.Errorf("after return: %q", got)
		}
	})
}

func TestRegistryInvalid(t *testing.T) {
	e := newRegistryEnv(t, sqltest.MustOpenSQLite(t))
	for _, p := range []domain.RegistryParam{
		{RegistryGroup: "", RegistryKey: "a", RegistryValue: "v"},
		{RegistryGroup: "EXECUTOR", RegistryKey: " ", RegistryValue: "v"},
		{RegistryGroup: "EXECUTOR", RegistryKey: "a"},
	} {
		for _, err := range []error{e.register.Register(e.ctx, p), e.remove.Remove(e.ctx, p)} {
			if domain.ErrorCode(err) != domain.EINVALID || domain.ErrorMessage(err) != "Illegal Argument." {
				t.Errorf("%+v: %v", p, err)
			}
		}
	}
}

func TestMonitorRegistryRun(t *testing.T) {
	e := newRegistryEnv(t, sqltest.MustOpenSQLite(t))
	g := e.group(domain.AddressAuto, "http://stale:1")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { e.monitor.Run(ctx); close(done) }()
	waitFor(t, "the first check", func() bool { return e.addresses(g) == "" })
	cancel()
	<-done
}
