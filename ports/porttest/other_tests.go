package porttest

import (
	"testing"
	"time"

	"github.com/xjob-dev/xjob/domain"
	"github.com/xjob-dev/xjob/ports"
)

// RunGroupStoreTests checks ports.GroupStore.
func RunGroupStoreTests(t *testing.T, newStores NewStores) {
	t.Run("CRUD", func(t *testing.T) {
		s := newStores(t)
		g := &domain.Group{AppName: "app-crud", Title: "Crud", AddressType: domain.AddressManual,
			AddressList: "http://a:1,http://b:2", UpdateTime: base}
		ok(t, s.Groups.CreateGroup(t.Context(), g))
		got, err := s.Groups.FindGroupByID(t.Context(), g.ID)
		ok(t, err)
		assertGroup(t, got, g)

		g.Title, g.AddressType, g.AddressList, g.UpdateTime = "Renamed", domain.AddressAuto, "", base.Add(time.Hour)
		ok(t, s.Groups.UpdateGroup(t.Context(), g))
		ok(t, s.Groups.UpdateGroup(t.Context(), g)) // unchanged values still "found"
		got, err = s.Groups.FindGroupByID(t.Context(), g.ID)
		ok(t, err)
		assertGroup(t, got, g)

		won, err := s.Groups.SwapGroupAddresses(t.Context(), g.ID, "", "http://c:3", base.Add(2*time.Hour))
		ok(t, err)
		equal(t, "swap over the empty list", won, true)
		got, err = s.Groups.FindGroupByID(t.Context(), g.ID)
		ok(t, err)
		equal(t, "AddressList", got.AddressList, "http://c:3")
		equalTime(t, "UpdateTime", got.UpdateTime, base.Add(2*time.Hour))
		won, err = s.Groups.SwapGroupAddresses(t.Context(), g.ID, "http://c:3", "", base)
		ok(t, err)
		equal(t, "swap to the empty list", won, true)
		got, err = s.Groups.FindGroupByID(t.Context(), g.ID)
		ok(t, err)
		equal(t, "AddressList", got.AddressList, "")

		// Swap writes only over the list it was given.
		won, err = s.Groups.SwapGroupAddresses(t.Context(), g.ID, "http://x:9", "http://d:4", base)
		ok(t, err)
		equal(t, "swap over a stale list", won, false)
		won, err = s.Groups.SwapGroupAddresses(t.Context(), g.ID, "", "http://d:4", base) // NULL now
		ok(t, err)
		equal(t, "swap over the empty list", won, true)
		won, err = s.Groups.SwapGroupAddresses(t.Context(), g.ID, "http://d:4", "http://d:4,http://e:5", base)
		ok(t, err)
		equal(t, "swap over the current list", won, true)
		got, err = s.Groups.FindGroupByID(t.Context(), g.ID)
		ok(t, err)
		equal(t, "AddressList", got.AddressList, "http://d:4,http://e:5")

		ok(t, s.Groups.DeleteGroup(t.Context(), g.ID))
		_, err = s.Groups.FindGroupByID(t.Context(), g.ID)
		wantCode(t, err, domain.ENOTFOUND)
		wantCode(t, s.Groups.DeleteGroup(t.Context(), g.ID), domain.ENOTFOUND)
		wantCode(t, s.Groups.UpdateGroup(t.Context(), g), domain.ENOTFOUND)
		won, err = s.Groups.SwapGroupAddresses(t.Context(), g.ID, "", "x", base)
		ok(t, err)
		equal(t, "swap on a deleted group", won, false)
	})
	t.Run("ListAndFilter", func(t *testing.T) {
		s := newStores(t)
		before, err := s.Groups.AllGroups(t.Context()) // seed rows, if any
		ok(t, err)
		c := mustGroup(t, s, "zz-c", "same")
		a := mustGroup(t, s, "zz-a", "same")
		b2 := mustGroup(t, s, "zz-b", "beta")
		b1 := mustGroup(t, s, "zz-b", "alpha") // app names need not be unique
		all, err := s.Groups.AllGroups(t.Context())
		ok(t, err)
		equal(t, "len", len(all), len(before)+4)
		equalSlice(t, "order", groupIDs(all[len(before):]), []int64{a.ID, b1.ID, b2.ID, c.ID})

		got, total, err := s.Groups.FindGroups(t.Context(), ports.GroupFilter{AppName: "zz-"})
		ok(t, err)
		equalSlice(t, "app filter", groupIDs(got), []int64{a.ID, b1.ID, b2.ID, c.ID})
		equal(t, "total", total, 4)
		got, total, err = s.Groups.FindGroups(t.Context(), ports.GroupFilter{AppName: "zz-", Title: "SAME"})
		ok(t, err)
		equalSlice(t, "title filter", groupIDs(got), []int64{a.ID, c.ID})
		equal(t, "total", total, 2)
		got, total, err = s.Groups.FindGroups(t.Context(), ports.GroupFilter{AppName: "zz-", Offset: 1, Limit: 2})
		ok(t, err)
		equalSlice(t, "page", groupIDs(got), []int64{b1.ID, b2.ID})
		equal(t, "total", total, 4)
		got, total, err = s.Groups.FindGroups(t.Context(), ports.GroupFilter{AppName: "zz-", Limit: 4})
		ok(t, err)
		equal(t, "full page", len(got), 4)
		equal(t, "total", total, 4)
	})
}

// RunRegistryStoreTests checks ports.RegistryStore.
func RunRegistryStoreTests(t *testing.T, newStores NewStores) {
	reg := func(key, value string, at time.Time) *domain.Registry {
		return &domain.Registry{Group: domain.RegistryExecutor, Key: key, Value: value, UpdateTime: at}
	}
	alive := func(t *testing.T, s Stores, after time.Time) []string {
		rs, err := s.Registry.AliveRegistries(t.Context(), after)
		ok(t, err)
		var out []string
		for _, r := range rs {
			out = append(out, r.Key+" "+r.Value+" "+r.UpdateTime.UTC().Format(time.TimeOnly))
		}
		return out
	}
	t.Run("SaveRefreshesOrInserts", func(t *testing.T) {
		s := newStores(t)
		ok(t, s.Registry.SaveRegistry(t.Context(), reg("app", "http://a/", base)))
		ok(t, s.Registry.SaveRegistry(t.Context(), reg("app", "http://a/", base))) // same second
		ok(t, s.Registry.SaveRegistry(t.Context(), reg("app", "http://a/", base.Add(30*time.Second))))
		ok(t, s.Registry.SaveRegistry(t.Context(), reg("app", "http://b/", base)))
		ok(t, s.Registry.SaveRegistry(t.Context(), reg("other", "http://a/", base)))
		equalSlice(t, "alive", alive(t, s, base.Add(-time.Second)), []string{
			"app http://a/ " + base.Add(30*time.Second).UTC().Format(time.TimeOnly),
			"app http://b/ " + base.UTC().Format(time.TimeOnly),
			"other http://a/ " + base.UTC().Format(time.TimeOnly),
		})
		equalSlice(t, "alive after", alive(t, s, base), []string{"app http://a/ " + base.Add(30*time.Second).UTC().Format(time.TimeOnly)})
	})
	t.Run("Delete", func(t *testing.T) {
		s := newStores(t)
		for _, r := range []*domain.Registry{reg("app", "http://a/", base), reg("app", "http://b/", base.Add(-time.Hour)),
			reg("app", "http://c/", base), reg("other", "http://a/", base.Add(-time.Hour))} {
			ok(t, s.Registry.SaveRegistry(t.Context(), r))
		}
		n, err := s.Registry.DeleteDeadRegistries(t.Context(), base.Add(-time.Minute))
		ok(t, err)
		equal(t, "dead", n, 2)
		ok(t, s.Registry.DeleteRegistry(t.Context(), domain.RegistryExecutor, "app", "http://c/"))
		ok(t, s.Registry.DeleteRegistry(t.Context(), domain.RegistryExecutor, "app", "http://nope/"))
		equalSlice(t, "left", alive(t, s, base.Add(-24*time.Hour)), []string{"app http://a/ " + base.UTC().Format(time.TimeOnly)})
		ok(t, s.Registry.SaveRegistry(t.Context(), &domain.Registry{Group: domain.RegistryAdmin, Key: "app", Value: "x", UpdateTime: base}))
		ok(t, s.Registry.DeleteRegistriesByKey(t.Context(), domain.RegistryExecutor, "app"))
		equalSlice(t, "admin row kept", alive(t, s, base.Add(-24*time.Hour)), []string{"app x " + base.UTC().Format(time.TimeOnly)})
	})
}

// RunUserStoreTests checks ports.UserStore.
func RunUserStoreTests(t *testing.T, newStores NewStores) {
	t.Run("CRUD", func(t *testing.T) {
		s := newStores(t)
		u := &domain.User{Username: "alice", Password: "$2a$10$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234", Role: domain.RoleUser, Permission: "1,2"}
		ok(t, s.Users.CreateUser(t.Context(), u))
		got, err := s.Users.FindUserByID(t.Context(), u.ID)
		ok(t, err)
		equal(t, "user", *got, *u)
		got, err = s.Users.FindUserByUsername(t.Context(), "alice")
		ok(t, err)
		equal(t, "by name", got.ID, u.ID)

		u.Username, u.Password, u.Role, u.Permission = "alice2", "e10adc3949ba59abbe56e057f20f883e", domain.RoleAdmin, ""
		ok(t, s.Users.UpdateUser(t.Context(), u))
		ok(t, s.Users.UpdateUser(t.Context(), u))
		ok(t, s.Users.UpdateUserToken(t.Context(), u.ID, "sig-123"))
		got, err = s.Users.FindUserByID(t.Context(), u.ID)
		ok(t, err)
		u.Token = "sig-123"
		equal(t, "updated", *got, *u)
		ok(t, s.Users.UpdateUserToken(t.Context(), u.ID, ""))
		got, err = s.Users.FindUserByID(t.Context(), u.ID)
		ok(t, err)
		equal(t, "token cleared", got.Token, "")

		ok(t, s.Users.DeleteUser(t.Context(), u.ID))
		_, err = s.Users.FindUserByID(t.Context(), u.ID)
		wantCode(t, err, domain.ENOTFOUND)
		_, err = s.Users.FindUserByUsername(t.Context(), "alice2")
		wantCode(t, err, domain.ENOTFOUND)
		wantCode(t, s.Users.DeleteUser(t.Context(), u.ID), domain.ENOTFOUND)
		wantCode(t, s.Users.UpdateUser(t.Context(), u), domain.ENOTFOUND)
	})
	t.Run("ErrConflict", func(t *testing.T) {
		s := newStores(t)
		a := &domain.User{Username: "admin", Password: "x", Role: domain.RoleAdmin}
		ok(t, s.Users.CreateUser(t.Context(), a))
		wantCode(t, s.Users.CreateUser(t.Context(), &domain.User{Username: "admin", Password: "y"}), domain.ECONFLICT)
		wantCode(t, s.Users.CreateUser(t.Context(), &domain.User{Username: "Admin", Password: "y"}), domain.ECONFLICT)
		b := &domain.User{Username: "bob", Password: "y"}
		ok(t, s.Users.CreateUser(t.Context(), b))
		b.Username = "admin"
		wantCode(t, s.Users.UpdateUser(t.Context(), b), domain.ECONFLICT)
		got, err := s.Users.FindUserByUsername(t.Context(), "ADMIN")
		ok(t, err)
		equal(t, "case-insensitive lookup", got.ID, a.ID)
	})
	t.Run("FindUsers", func(t *testing.T) {
		s := newStores(t)
		var want []int64
		for _, u := range []*domain.User{
			{Username: "carol", Password: "x", Role: domain.RoleUser},
			{Username: "alice", Password: "x", Role: domain.RoleAdmin},
			{Username: "bob1", Password: "x", Role: domain.RoleUser},
			{Username: "bobby", Password: "x", Role: domain.RoleUser},
		} {
			ok(t, s.Users.CreateUser(t.Context(), u))
			want = append(want, u.ID)
		}
		n, err := s.Users.CountUsers(t.Context())
		ok(t, err)
		equal(t, "CountUsers", n, 4)
		for _, tc := range []struct {
			name  string
			f     ports.UserFilter
			want  []int64
			total int
		}{
			{"All", ports.UserFilter{Role: -1}, []int64{want[1], want[2], want[3], want[0]}, 4},
			{"Role", ports.UserFilter{Role: 0}, []int64{want[2], want[3], want[0]}, 3},
			{"Name", ports.UserFilter{Role: -1, Username: "BOB"}, []int64{want[2], want[3]}, 2},
			{"NameLiteralUnderscore", ports.UserFilter{Role: -1, Username: "l_c"}, nil, 0},
			{"Page", ports.UserFilter{Role: -1, Offset: 1, Limit: 2}, []int64{want[2], want[3]}, 4},
		} {
			t.Run(tc.name, func(t *testing.T) {
				got, total, err := s.Users.FindUsers(t.Context(), tc.f)
				ok(t, err)
				var ids []int64
				for _, u := range got {
					ids = append(ids, u.ID)
				}
				equalSlice(t, "ids", ids, tc.want)
				equal(t, "total", total, tc.total)
			})
		}
	})
}

// RunGlueStoreTests checks ports.GlueStore.
func RunGlueStoreTests(t *testing.T, newStores NewStores) {
	s := newStores(t)
	var ids []int64
	for i := range 5 {
		g := &domain.LogGlue{JobID: 1, GlueType: domain.GlueShell, GlueSource: "echo", GlueRemark: "v",
			AddTime: base.Add(time.Duration(i) * time.Minute), UpdateTime: base.Add(time.Duration(i) * time.Minute)}
		ok(t, s.Glues.CreateLogGlue(t.Context(), g))
		ids = append(ids, g.ID)
	}
	other := &domain.LogGlue{JobID: 2, GlueType: domain.GluePython, GlueSource: "print(1)", GlueRemark: "o", AddTime: base, UpdateTime: base}
	ok(t, s.Glues.CreateLogGlue(t.Context(), other))
	got, err := s.Glues.FindLogGlues(t.Context(), 1)
	ok(t, err)
	equalSlice(t, "newest first", glueIDs(got), []int64{ids[4], ids[3], ids[2], ids[1], ids[0]})
	if len(got) > 0 {
		equal(t, "GlueType", got[0].GlueType, domain.GlueShell)
		equalTime(t, "UpdateTime", got[0].UpdateTime, base.Add(4*time.Minute))
	}
	ok(t, s.Glues.RemoveOldLogGlues(t.Context(), 1, 2))
	got, err = s.Glues.FindLogGlues(t.Context(), 1)
	ok(t, err)
	equalSlice(t, "kept", glueIDs(got), []int64{ids[4], ids[3]})
	ok(t, s.Glues.RemoveOldLogGlues(t.Context(), 1, 30))
	got, err = s.Glues.FindLogGlues(t.Context(), 1)
	ok(t, err)
	equal(t, "keep more than there are", len(got), 2)
	ok(t, s.Glues.DeleteLogGlues(t.Context(), 1))
	got, err = s.Glues.FindLogGlues(t.Context(), 1)
	ok(t, err)
	equal(t, "deleted", len(got), 0)
	got, err = s.Glues.FindLogGlues(t.Context(), 2)
	ok(t, err)
	equalSlice(t, "other job untouched", glueIDs(got), []int64{other.ID})
}

// RunReportStoreTests checks ports.ReportStore.
func RunReportStoreTests(t *testing.T, newStores NewStores) {
	s := newStores(t)
	day := func(i int) time.Time {
		y, m, d := base.Date()
		return time.Date(y, m, d+i, 0, 0, 0, 0, base.Location())
	}
	ok(t, s.Reports.SaveLogReport(t.Context(), &domain.LogReport{TriggerDay: day(0), RunningCount: 1, SucCount: 2, FailCount: 3, UpdateTime: base}))
	ok(t, s.Reports.SaveLogReport(t.Context(), &domain.LogReport{TriggerDay: day(1), RunningCount: 0, SucCount: 5, FailCount: 0, UpdateTime: base}))
	ok(t, s.Reports.SaveLogReport(t.Context(), &domain.LogReport{TriggerDay: day(0), RunningCount: 0, SucCount: 4, FailCount: 3, UpdateTime: base.Add(time.Hour)}))
	ok(t, s.Reports.SaveLogReport(t.Context(), &domain.LogReport{TriggerDay: day(-3), SucCount: 100}))
	got, err := s.Reports.FindLogReports(t.Context(), day(-1), day(1))
	ok(t, err)
	if len(got) != 2 {
		t.Fatalf("reports = %d rows, want 2", len(got))
	}
	equalTime(t, "day 0", got[0].TriggerDay, day(0))
	equal(t, "day 0 counts", [3]int{got[0].RunningCount, got[0].SucCount, got[0].FailCount}, [3]int{0, 4, 3})
	equalTime(t, "day 0 update", got[0].UpdateTime, base.Add(time.Hour))
	equalTime(t, "day 1", got[1].TriggerDay, day(1))
	equal(t, "day 1 total", got[1].Total(), 5)
	totals, err := s.Reports.LogReportTotals(t.Context())
	ok(t, err)
	equal(t, "totals", totals, ports.LogCounts{Running: 0, Success: 109, Fail: 3})
}

func assertGroup(t *testing.T, got, want *domain.Group) {
	t.Helper()
	equal(t, "ID", got.ID, want.ID)
	equal(t, "AppName", got.AppName, want.AppName)
	equal(t, "Title", got.Title, want.Title)
	equal(t, "AddressType", got.AddressType, want.AddressType)
	equal(t, "AddressList", got.AddressList, want.AddressList)
	equalTime(t, "UpdateTime", got.UpdateTime, want.UpdateTime)
}

func groupIDs(gs []*domain.Group) []int64 {
	out := make([]int64, len(gs))
	for i, g := range gs {
		out[i] = g.ID
	}
	return out
}

func glueIDs(gs []*domain.LogGlue) []int64 {
	out := make([]int64, len(gs))
	for i, g := range gs {
		out[i] = g.ID
	}
	return out
}
