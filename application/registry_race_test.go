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
