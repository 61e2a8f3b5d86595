package application_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/xjob-dev/xjob/adapters/sqlstore"
	"github.com/xjob-dev/xjob/adapters/sqlstore/sqltest"
	"github.com/xjob-dev/xjob/application"
	"github.com/xjob-dev/xjob/domain"
	"github.com/xjob-dev/xjob/ports"
)

// hookedRegistries and hookedGroups run between() once, right after the
// first of their two reads a refresh makes has returned: whatever the
// refresh reads first, between() happens between its two reads.
type hookedRegistries struct {
	ports.RegistryStore
	once *sync.Once
	fn   func()
}

func (h hookedRegistries) AliveRegistries(ctx context.Context, after time.Time) ([]*domain.Registry, error) {
	r, err := h.RegistryStore.AliveRegistries(ctx, after)
	h.once.Do(h.fn)
	return r, err
}

type hookedGroups struct {
	ports.GroupStore
	once *sync.Once
	fn   func()
}

func (h hookedGroups) AllGroups(ctx context.Context) ([]*domain.Group, error) {
	g, err := h.GroupStore.AllGroups(ctx)
	h.once.Do(h.fn)
	return g, err
}

// An executor that registers, and the automatic group it belongs to that is
// created, while a registry monitor pass is between its reads (an admin
// starting up while executors and operators are busy): the pass must not
// write the group an address list without that executor. It did: the group
// stayed empty until the executor's next heartbeat, 30 s later, and every
// trigger meanwhile failed with "no executor address".
func TestRefreshRacesRegistration(t *testing.T) {
	sqltest.Engines(t, func(t *testing.T, db *sqlstore.DB) {
		e := newEnv(t, db, "en")
		const addr = "http://10.0.0.7:9999/"
		var once sync.Once
		var g *domain.Group
		between := func() {
			if err := e.regs.SaveRegistry(e.ctx, &domain.Registry{Group: domain.RegistryExecutor, Key: "racer", Value: addr,
				UpdateTime: e.clock.Now()}); err != nil {
				t.Error(err)
			}
			g = &domain.Group{AppName: "racer", Title: "racer", AddressType: domain.AddressAuto, AddressList: addr,
				UpdateTime: e.clock.Now()}
			if err := e.groups.CreateGroup(e.ctx, g); err != nil {
				t.Error(err)
			}
		}
		refresh := application.NewRefreshGroups(hookedRegistries{e.regs, &once, between},
			hookedGroups{e.groups, &once, between}, e.clock, 0)
		monitor := application.NewMonitorRegistry(e.regs, refresh, e.clock, application.RegistryOptions{})
		if err := monitor.Check(e.ctx); err != nil {
			t.Fatal(err)
		}
		got, err := e.groups.FindGroupByID(e.ctx, g.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.AddressList != addr {
			t.Fatalf("address list %q after the racing refresh, want %q", got.AddressList, addr)
		}
		// The executor's next heartbeat finds it known and listed.
		reg := application.NewRegisterExecutor(e.regs, refresh, e.clock)
		if err := reg.Register(e.ctx, domain.RegistryParam{RegistryGroup: "EXECUTOR", RegistryKey: "racer", RegistryValue: addr}); err != nil {
			t.Fatal(err)
		}
		if got, _ := e.groups.FindGroupByID(e.ctx, g.ID); got.AddressList != addr {
			t.Fatalf("address list %q after a heartbeat, want %q", got.AddressList, addr)
		}
	})
}

// Two nodes: while node A's monitor pass is between reading the heartbeats
// and writing (it is about to drop a dead executor), an executor registers
// on node B, which lists it at once. A's older view must not write it out
// again.
func TestRefreshAcrossNodes(t *testing.T) {
	sqltest.Engines(t, func(t *testing.T, db *sqlstore.DB) {
		e := newEnv(t, db, "en")
		const a1, dead, x = "http://10.0.0.1:9999/", "http://10.0.0.3:9999/", "http://10.0.0.2:9999/"
		save := func(addr string, at time.Time) {
			if err := e.regs.SaveRegistry(e.ctx, &domain.Registry{Group: domain.RegistryExecutor, Key: "pair", Value: addr,
				UpdateTime: at}); err != nil {
				t.Fatal(err)
			}
		}
		save(a1, e.clock.Now())
		save(dead, e.clock.Now().Add(-2*time.Minute)) // no heartbeat for 2 min
		g := &domain.Group{AppName: "pair", Title: "pair", AddressType: domain.AddressAuto,
			AddressList: domain.JoinAddresses([]string{a1, dead}), UpdateTime: e.clock.Now()}
		if err := e.groups.CreateGroup(e.ctx, g); err != nil {
			t.Fatal(err)
		}
		nodeB := application.NewRegisterExecutor(e.regs, application.NewRefreshGroups(e.regs, e.groups, e.clock, 0), e.clock)
		var once sync.Once
		registerOnB := func() {
			if err := nodeB.Register(e.ctx, domain.RegistryParam{RegistryGroup: "EXECUTOR", RegistryKey: "pair", RegistryValue: x}); err != nil {
				t.Error(err)
			}
		}
		nodeA := application.NewRefreshGroups(hookedRegistries{e.regs, &once, registerOnB}, e.groups, e.clock, 0)
		if _, err := nodeA.Refresh(e.ctx); err != nil {
			t.Fatal(err)
		}
		got, err := e.groups.FindGroupByID(e.ctx, g.ID)
		if err != nil {
			t.Fatal(err)
		}
		if want := domain.JoinAddresses([]string{a1, x}); got.AddressList != want {
			t.Fatalf("address list %q after both nodes refreshed, want %q", got.AddressList, want)
		}
	})
}
