package application_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xjob-dev/xjob/adapters/clock"
	"github.com/xjob-dev/xjob/adapters/password"
	"github.com/xjob-dev/xjob/adapters/sqlstore"
	"github.com/xjob-dev/xjob/adapters/sqlstore/sqltest"
	"github.com/xjob-dev/xjob/application"
	"github.com/xjob-dev/xjob/domain"
	"github.com/xjob-dev/xjob/ports"
)

// memFlags is an in-memory application.PasswordFlags.
type memFlags struct {
	mu sync.Mutex
	m  map[int64]bool
}

func (f *memFlags) MustChangePassword(_ context.Context, id int64) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.m[id], nil
}

func (f *memFlags) SetMustChangePassword(_ context.Context, id int64, must bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.m == nil {
		f.m = map[int64]bool{}
	}
	f.m[id] = must
	return nil
}

type console struct {
	db     *sqlstore.DB
	clock  *clock.Manual
	flags  *memFlags
	jobs   *application.ManageJobs
	groups *application.ManageGroups
	users  *application.ManageUsers
	login  *application.Login
	board  *application.Dashboard
	admin  *domain.User
}

func newConsole(t *testing.T, opts application.ConsoleOptions) *console {
	t.Helper()
	db := sqltest.MustOpenSQLite(t)
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, sqltest.Location)
	c := &console{db: db, clock: clock.NewManual(now), flags: &memFlags{}}
	if opts.Location == nil {
		opts.Location = sqltest.Location
	}
	js, gs, ls := sqlstore.NewJobStore(db), sqlstore.NewGroupStore(db), sqlstore.NewLogStore(db)
	us, hasher := sqlstore.NewUserStore(db), password.Hasher{Cost: 4}
	c.jobs = application.NewManageJobs(js, gs, ls, sqlstore.NewGlueStore(db), c.clock, opts)
	c.groups = application.NewManageGroups(gs, js, sqlstore.NewRegistryStore(db), c.clock, opts)
	c.users = application.NewManageUsers(us, gs, hasher, c.flags)
	c.login = application.NewLogin(us, hasher, c.flags, opts)
	c.board = application.NewDashboard(js, gs, sqlstore.NewReportStore(db), c.clock, opts)
	c.admin = &domain.User{ID: 1000, Username: "root", Role: domain.RoleAdmin}
	return c
}

func validInput(groupID int64) application.JobInput {
	return application.JobInput{
		GroupID: groupID, Desc: "nightly", Author: "ops", ScheduleType: domain.ScheduleFixRate, ScheduleConf: "60",
		MisfireStrategy: domain.MisfireDoNothing, RouteStrategy: domain.RouteFirst, BlockStrategy: domain.BlockSerial,
		ExecutorHandler: "demo", GlueType: domain.GlueBean, ExecutorTimeout: "0", ExecutorFailRetryCount: "1",
	}
}

func fieldKeys(err error) map[string]string {
	fe, _ := application.AsFieldErrors(err)
	out := map[string]string{}
	for _, e := range fe {
		if _, ok := out[e.Field]; !ok {
			out[e.Field] = e.Key
		}
	}
	return out
}

func TestManageJobsCreate(t *testing.T) {
	c := newConsole(t, application.ConsoleOptions{})
	ctx := context.Background()
	ga := sqltest.MustCreateGroup(t, c.db, nil)
	gb := sqltest.MustCreateGroup(t, c.db, nil)
	user := &domain.User{ID: 7, Username: "ann", Role: domain.RoleUser, Permission: fmt.Sprint(ga.ID)}

	t.Run("OK", func(t *testing.T) {
		in := validInput(ga.ID)
		in.AlarmEmail = " a@x.org , b@y.org "
		in.GlueType, in.ExecutorHandler = domain.GlueShell, ""
		job, err := c.jobs.Create(ctx, user, in)
		if err != nil {
			t.Fatal(err)
		}
		if job.TriggerStatus != domain.TriggerStopped || job.AlarmEmail != "a@x.org,b@y.org" || !strings.Contains(job.GlueSource, "#!/bin/bash") {
			t.Fatalf("job = %+v", job)
		}
	})
	t.Run("ErrFields", func(t *testing.T) {
		in := validInput(gb.ID)
		in.Desc, in.ScheduleConf, in.ExecutorTimeout, in.TimeZone = " ", "0", "-1", "Mars/Olympus"
		in.ExecutorHandler, in.ChildJobIDs = "", "x"
		_, err := c.jobs.Create(ctx, user, in)
		if domain.ErrorCode(err) != domain.EINVALID {
			t.Fatalf("err = %v", err)
		}
		keys := fieldKeys(err)
		for _, f := range []string{"jobGroup", "jobDesc", "scheduleConf", "executorTimeout", "timeZone", "executorHandler", "childJobId"} {
			if keys[f] == "" {
				t.Errorf("no error for %s (%v)", f, keys)
			}
		}
		if keys["jobGroup"] != "ui_err_permission" {
			t.Errorf("jobGroup key = %s", keys["jobGroup"])
		}
	})
	t.Run("ErrChildInForeignGroup", func(t *testing.T) {
		other := sqltest.MustCreateJob(t, c.db, &domain.JobInfo{GroupID: gb.ID})
		in := validInput(ga.ID)
		in.ChildJobIDs = fmt.Sprint(other.ID)
		if _, err := c.jobs.Create(ctx, user, in); fieldKeys(err)["childJobId"] != "ui_err_child_permission" {
			t.Fatalf("err = %v", err)
		}
		in.ChildJobIDs = "987654"
		if _, err := c.jobs.Create(ctx, user, in); fieldKeys(err)["childJobId"] != "ui_err_child_not_found" {
			t.Fatalf("err = %v", err)
		}
		mine := sqltest.MustCreateJob(t, c.db, &domain.JobInfo{GroupID: ga.ID})
		in.ChildJobIDs = fmt.Sprintf(" %d , %d ", mine.ID, mine.ID)
		job, err := c.jobs.Create(ctx, user, in)
		if err != nil || job.ChildJobIDs != fmt.Sprint(mine.ID) {
			t.Fatalf("job %+v err %v", job, err)
		}
		// A job cannot be its own child.
		in.ChildJobIDs = fmt.Sprint(job.ID)
		if _, err := c.jobs.Update(ctx, user, job.ID, in); fieldKeys(err)["childJobId"] != "ui_err_child_self" {
			t.Fatalf("self child: %v", err)
		}
	})
}

func TestManageJobsStartStop(t *testing.T) {
	c := newConsole(t, application.ConsoleOptions{})
	ctx := context.Background()
	g := sqltest.MustCreateGroup(t, c.db, nil)
	job, err := c.jobs.Create(ctx, c.admin, validInput(g.ID))
	if err != nil {
		t.Fatal(err)
	}
	now := c.clock.Now()
	started, err := c.jobs.Start(ctx, c.admin, job.ID)
	if err != nil {
		t.Fatal(err)
	}
	next := time.UnixMilli(started.TriggerNextTime)
	// FIX_RATE 60 from now+5s: the first fire is 65 s away, never inside the pre-read window.
	if started.TriggerStatus != domain.TriggerRunning || next.Before(now.Add(65*time.Second)) || next.After(now.Add(66*time.Second)) {
		t.Fatalf("next = %v (now %v)", next, now)
	}
	stored, _ := sqlstore.NewJobStore(c.db).FindJobByID(ctx, job.ID)
	if stored.TriggerNextTime != started.TriggerNextTime || stored.TriggerLastTime != 0 {
		t.Fatalf("stored = %+v", stored)
	}
	// Changing the schedule of a running job recomputes its next time.
	c.clock.Set(now.Add(time.Hour))
	in := validInput(g.ID)
	in.ScheduleConf = "3600"
	updated, err := c.jobs.Update(ctx, c.admin, job.ID, in)
	if err != nil {
		t.Fatal(err)
	}
	if got := time.UnixMilli(updated.TriggerNextTime); got.Before(now.Add(2 * time.Hour)) {
		t.Fatalf("next after update = %v", got)
	}
	stopped, err := c.jobs.Stop(ctx, c.admin, job.ID)
	if err != nil || stopped.TriggerStatus != domain.TriggerStopped || stopped.TriggerNextTime != 0 || stopped.TriggerLastTime != 0 {
		t.Fatalf("stop: %+v %v", stopped, err)
	}
	none := validInput(g.ID)
	none.ScheduleType, none.ScheduleConf = domain.ScheduleNone, "ignored"
	nj, err := c.jobs.Create(ctx, c.admin, none)
	if err != nil || nj.ScheduleConf != "" {
		t.Fatalf("NONE job: %+v %v", nj, err)
	}
	if _, err := c.jobs.Start(ctx, c.admin, nj.ID); domain.ErrorKey(err) != "ui_err_start_none" {
		t.Fatalf("start NONE: %v", err)
	}
}

func TestManageJobsPermissionOnStoredGroup(t *testing.T) {
	c := newConsole(t, application.ConsoleOptions{})
	ctx := context.Background()
	ga, gb := sqltest.MustCreateGroup(t, c.db, nil), sqltest.MustCreateGroup(t, c.db, nil)
	user := &domain.User{ID: 7, Username: "ann", Permission: fmt.Sprint(ga.ID)}
	theirs := sqltest.MustCreateJob(t, c.db, &domain.JobInfo{GroupID: gb.ID})
	log := &domain.JobLog{GroupID: gb.ID, JobID: theirs.ID}
	sqltest.MustCreateLogs(t, c.db, log)

	calls := map[string]func() error{
		"Load":   func() error { _, err := c.jobs.Load(ctx, user, theirs.ID); return err },
		"Update": func() error { _, err := c.jobs.Update(ctx, user, theirs.ID, validInput(ga.ID)); return err },
		"Start":  func() error { _, err := c.jobs.Start(ctx, user, theirs.ID); return err },
		"Stop":   func() error { _, err := c.jobs.Stop(ctx, user, theirs.ID); return err },
		"Delete": func() error { return c.jobs.Delete(ctx, user, theirs.ID) },
		"Glue":   func() error { _, err := c.jobs.SaveGlue(ctx, user, theirs.ID, "x", "remark"); return err },
		"Run":    func() error { _, _, err := c.jobs.PrepareRun(ctx, user, theirs.ID, ""); return err },
		"Log":    func() error { _, err := c.jobs.LoadLog(ctx, user, log.ID); return err },
		"Clear": func() error {
			_, err := c.jobs.ClearLogs(ctx, user, ga.ID, theirs.ID, application.ClearAll)
			return err
		},
		"ClearG": func() error { _, err := c.jobs.ClearLogs(ctx, user, gb.ID, 0, application.ClearAll); return err },
		"ClearA": func() error { _, err := c.jobs.ClearLogs(ctx, user, 0, 0, application.ClearAll); return err },
	}
	for name, call := range calls {
		if err := call(); domain.ErrorCode(err) != domain.EFORBIDDEN {
			t.Errorf("%s: err = %v, want EFORBIDDEN", name, err)
		}
	}
	if _, err := c.jobs.Load(ctx, user, 424242); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("unknown job: %v", err)
	}
	if _, err := c.jobs.LoadLog(ctx, user, 424242); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("unknown log: %v", err)
	}
}

func TestManageJobsGlue(t *testing.T) {
	c := newConsole(t, application.ConsoleOptions{})
	ctx := context.Background()
	g := sqltest.MustCreateGroup(t, c.db, nil)
	in := validInput(g.ID)
	in.GlueType = domain.GluePython
	job, err := c.jobs.Create(ctx, c.admin, in)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.jobs.SaveGlue(ctx, c.admin, job.ID, "print(1)", "abc"); fieldKeys(err)["glueRemark"] != "ui_err_length" {
		t.Fatalf("short remark: %v", err)
	}
	if _, err := c.jobs.SaveGlue(ctx, c.admin, job.ID, "  ", "a remark"); fieldKeys(err)["glueSource"] != "ui_err_required" {
		t.Fatalf("blank source: %v", err)
	}
	for i := 1; i <= 32; i++ {
		c.clock.Set(c.clock.Now().Add(time.Second))
		if _, err := c.jobs.SaveGlue(ctx, c.admin, job.ID, fmt.Sprintf("print(%d)", i), fmt.Sprintf("version %d", i)); err != nil {
			t.Fatal(err)
		}
	}
	got, versions, err := c.jobs.GlueVersions(ctx, c.admin, job.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(versions) != domain.MaxGlueVersions || versions[0].GlueRemark != "version 32" || got.GlueSource != "print(32)" {
		t.Fatalf("%d versions, newest %q, source %q", len(versions), versions[0].GlueRemark, got.GlueSource)
	}
	bean := sqltest.MustCreateJob(t, c.db, &domain.JobInfo{GroupID: g.ID})
	if _, err := c.jobs.SaveGlue(ctx, c.admin, bean.ID, "x", "remark"); domain.ErrorKey(err) != "ui_err_glue_bean" {
		t.Fatalf("BEAN glue: %v", err)
	}
}

func TestManageJobsPrepareRunAndClear(t *testing.T) {
	c := newConsole(t, application.ConsoleOptions{})
	ctx := context.Background()
	g := sqltest.MustCreateGroup(t, c.db, &domain.Group{AddressType: domain.AddressManual, AddressList: "http://10.0.0.1:9999/,http://10.0.0.2:9999"})
	user := &domain.User{ID: 7, Username: "ann", Permission: fmt.Sprint(g.ID)}
	job := sqltest.MustCreateJob(t, c.db, &domain.JobInfo{GroupID: g.ID})
	if _, list, err := c.jobs.PrepareRun(ctx, user, job.ID, " http://10.0.0.1:9999 "); err != nil || list != "http://10.0.0.1:9999" {
		t.Fatalf("known address: %q %v", list, err)
	}
	if _, _, err := c.jobs.PrepareRun(ctx, user, job.ID, "http://metadata.internal/"); fieldKeys(err)["addressList"] != "ui_err_address_unknown" {
		t.Fatalf("unknown address for a user: %v", err)
	}
	if _, list, err := c.jobs.PrepareRun(ctx, c.admin, job.ID, "http://10.9.9.9:9999"); err != nil || list == "" {
		t.Fatalf("admin address: %v", err)
	}
	if _, _, err := c.jobs.PrepareRun(ctx, c.admin, job.ID, "file:///etc/passwd"); fieldKeys(err)["addressList"] == "" {
		t.Fatalf("non-http address: %v", err)
	}

	var logs []*domain.JobLog
	for i := 0; i < 5; i++ {
		logs = append(logs, &domain.JobLog{GroupID: g.ID, JobID: job.ID, TriggerTime: c.clock.Now().AddDate(0, -i*2, 0)})
	}
	sqltest.MustCreateLogs(t, c.db, logs...)
	n, err := c.jobs.ClearLogs(ctx, user, g.ID, job.ID, application.ClearOlder3Months)
	if err != nil || n != 3 { // 4, 6 and 8 months old
		t.Fatalf("cleared %d, %v", n, err)
	}
	if _, err := c.jobs.ClearLogs(ctx, user, g.ID, 0, application.ClearRule(10)); domain.ErrorCode(err) != domain.EINVALID {
		t.Fatalf("bad rule: %v", err)
	}
	if res, _ := sqlstore.NewLogStore(c.db).FindLogs(ctx, ports.LogFilter{JobID: job.ID, Status: domain.LogStatusAll}); res.Total != 2 {
		t.Fatalf("%d logs left", res.Total)
	}
}

func TestManageGroups(t *testing.T) {
	c := newConsole(t, application.ConsoleOptions{})
	ctx := context.Background()
	user := &domain.User{ID: 7, Username: "ann"}
	if _, err := c.groups.Create(ctx, user, application.GroupInput{AppName: "abcd", Title: "x"}); domain.ErrorCode(err) != domain.EFORBIDDEN {
		t.Fatalf("non-admin create: %v", err)
	}
	_, err := c.groups.Create(ctx, c.admin, application.GroupInput{AppName: "ab", Title: "", AddressType: domain.AddressManual, AddressList: "10.0.0.1:9999"})
	keys := fieldKeys(err)
	if keys["appname"] != "ui_err_length" || keys["title"] != "ui_err_required" || keys["addressList"] != "jobgroup_field_registryList_invalid2" {
		t.Fatalf("keys = %v", keys)
	}
	// An auto group takes the live registry's addresses, sorted.
	reg := sqlstore.NewRegistryStore(c.db)
	for _, a := range []string{"http://b:9999/", "http://a:9999/"} {
		if err := reg.SaveRegistry(ctx, &domain.Registry{Group: domain.RegistryExecutor, Key: "pay-executor", Value: a, UpdateTime: c.clock.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	g, err := c.groups.Create(ctx, c.admin, application.GroupInput{AppName: "pay-executor", Title: "Pay", AddressType: domain.AddressAuto, AddressList: "ignored"})
	if err != nil || g.AddressList != "http://a:9999/,http://b:9999/" {
		t.Fatalf("group %+v, %v", g, err)
	}
	sqltest.MustCreateJob(t, c.db, &domain.JobInfo{GroupID: g.ID})
	if err := c.groups.Delete(ctx, c.admin, g.ID); domain.ErrorKey(err) != "ui_err_group_has_jobs" {
		t.Fatalf("delete with jobs: %v", err)
	}
	all, _ := sqlstore.NewGroupStore(c.db).AllGroups(ctx)
	for _, x := range all {
		if x.ID != g.ID {
			if err := sqlstore.NewGroupStore(c.db).DeleteGroup(ctx, x.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	lone, _ := c.groups.Create(ctx, c.admin, application.GroupInput{AppName: "lone-app", Title: "Lone", AddressType: domain.AddressAuto})
	if err := sqlstore.NewGroupStore(c.db).DeleteGroup(ctx, g.ID); err != nil {
		t.Fatal(err)
	}
	if err := c.groups.Delete(ctx, c.admin, lone.ID); domain.ErrorKey(err) != "ui_err_group_last" {
		t.Fatalf("delete last: %v", err)
	}
}

func TestManageUsers(t *testing.T) {
	c := newConsole(t, application.ConsoleOptions{})
	ctx := context.Background()
	g := sqltest.MustCreateGroup(t, c.db, nil)
	admin := sqltest.MustCreateUser(t, c.db, &domain.User{Username: "root", Role: domain.RoleAdmin})
	u, err := c.users.Create(ctx, admin, application.UserInput{Username: " dave ", Password: "long-enough", Role: domain.RoleUser, Permission: []int64{g.ID, g.ID}})
	if err != nil || u.Username != "dave" || u.Permission != fmt.Sprint(g.ID) || !strings.HasPrefix(u.Password, "$2") {
		t.Fatalf("create: %+v %v", u, err)
	}
	if must, _ := c.flags.MustChangePassword(ctx, u.ID); !must {
		t.Fatal("new user not flagged")
	}
	if _, err := c.users.Create(ctx, admin, application.UserInput{Username: "dave", Password: "long-enough"}); fieldKeys(err)["username"] != "ui_err_username_taken" {
		t.Fatalf("duplicate: %v", err)
	}
	if _, err := c.users.Create(ctx, admin, application.UserInput{Username: "erin", Password: "short", Permission: []int64{99999}}); len(fieldKeys(err)) != 2 {
		t.Fatalf("bad input: %v", fieldKeys(err))
	}
	if _, err := c.users.Update(ctx, admin, admin.ID, application.UserInput{Role: domain.RoleUser}); domain.ErrorKey(err) != "ui_err_user_self" {
		t.Fatalf("self update: %v", err)
	}
	if err := c.users.Delete(ctx, admin, admin.ID); domain.ErrorKey(err) != "ui_err_user_self" {
		t.Fatalf("self delete: %v", err)
	}
	c.flags.SetMustChangePassword(ctx, u.ID, false)
	upd, err := c.users.Update(ctx, admin, u.ID, application.UserInput{Role: domain.RoleAdmin})
	if err != nil || upd.Password != u.Password || upd.Role != domain.RoleAdmin || upd.Permission != "" {
		t.Fatalf("update: %+v %v", upd, err)
	}
	if must, _ := c.flags.MustChangePassword(ctx, u.ID); must {
		t.Fatal("flag set without a password change")
	}
	if _, err := c.users.Update(ctx, admin, u.ID, application.UserInput{Password: "another-one", Role: domain.RoleUser}); err != nil {
		t.Fatal(err)
	}
	if must, _ := c.flags.MustChangePassword(ctx, u.ID); !must {
		t.Fatal("reset password not temporary")
	}
	if _, err := c.users.Create(ctx, &domain.User{ID: 5, Username: "x"}, application.UserInput{}); domain.ErrorCode(err) != domain.EFORBIDDEN {
		t.Fatalf("non-admin: %v", err)
	}
}

func TestLogin(t *testing.T) {
	ctx := context.Background()
	for _, upgrade := range []bool{false, true} {
		t.Run(fmt.Sprintf("upgrade=%v", upgrade), func(t *testing.T) {
			c := newConsole(t, application.ConsoleOptions{UpgradeLegacyPasswords: upgrade})
			md5 := sqltest.MustCreateUser(t, c.db, &domain.User{Username: "legacy", Password: "5f4dcc3b5aa765d61d8327deb882cf99"}) // md5("password")
			if _, err := c.login.Authenticate(ctx, "legacy", "wrong"); domain.ErrorCode(err) != domain.EUNAUTHORIZED {
				t.Fatalf("wrong password: %v", err)
			}
			if _, err := c.login.Authenticate(ctx, "nobody", "x"); domain.ErrorKey(err) != "ui_err_login_invalid" {
				t.Fatalf("unknown user: %v", err)
			}
			if _, err := c.login.Authenticate(ctx, " ", ""); domain.ErrorCode(err) != domain.EINVALID {
				t.Fatalf("empty: %v", err)
			}
			if _, err := c.login.Authenticate(ctx, "legacy", "password"); err != nil {
				t.Fatal(err)
			}
			stored, _ := sqlstore.NewUserStore(c.db).FindUserByID(ctx, md5.ID)
			if upgraded := strings.HasPrefix(stored.Password, "$2"); upgraded != upgrade {
				t.Fatalf("hash after login = %q", stored.Password)
			}
			if _, err := c.login.Authenticate(ctx, "legacy", "password"); err != nil {
				t.Fatalf("second login: %v", err)
			}
			err := c.login.ChangePassword(ctx, md5.ID, "password", "123456", "123456")
			if fieldKeys(err)["password"] != "ui_err_length" {
				t.Fatalf("weak new password: %v", err)
			}
			if err := c.login.ChangePassword(ctx, md5.ID, "nope", "new-password-1", "new-password-1"); fieldKeys(err)["oldPassword"] == "" {
				t.Fatalf("wrong old password: %v", err)
			}
			if err := c.login.ChangePassword(ctx, md5.ID, "password", "new-password-1", "new-password-1"); err != nil {
				t.Fatal(err)
			}
			if _, err := c.login.Authenticate(ctx, "legacy", "new-password-1"); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestDashboard(t *testing.T) {
	c := newConsole(t, application.ConsoleOptions{})
	ctx := context.Background()
	sqltest.MustCreateGroup(t, c.db, &domain.Group{AddressType: domain.AddressManual, AddressList: "http://a:1,http://b:1"})
	sqltest.MustCreateGroup(t, c.db, &domain.Group{AddressType: domain.AddressManual, AddressList: "http://b:1"})
	sqltest.MustCreateJob(t, c.db, nil)
	reports := sqlstore.NewReportStore(c.db)
	from, to := c.board.DefaultRange()
	if to.Sub(from) != 6*24*time.Hour {
		t.Fatalf("default range %v..%v", from, to)
	}
	day := from.AddDate(0, 0, 2)
	if err := reports.SaveLogReport(ctx, &domain.LogReport{TriggerDay: day, SucCount: 5, FailCount: 2, RunningCount: 1, UpdateTime: c.clock.Now()}); err != nil {
		t.Fatal(err)
	}
	s, err := c.board.Summary(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if s.Jobs < 1 || s.Runs != 8 || s.Successes != 5 || s.Executors < 2 {
		t.Fatalf("summary = %+v", s)
	}
	days, err := c.board.Chart(ctx, to, from) // reversed on purpose
	if err != nil || len(days) != 7 {
		t.Fatalf("%d days, %v", len(days), err)
	}
	if d := days[2]; !d.Day.Equal(day) || d.Success != 5 || d.Fail != 2 || d.Running != 1 || days[0].Success != 0 {
		t.Fatalf("days = %+v", days)
	}
	long, _ := c.board.Chart(ctx, to.AddDate(-3, 0, 0), to)
	if len(long) != application.MaxChartDays {
		t.Fatalf("long range = %d days", len(long))
	}
}

// TestDomainSchedule checks the console's and the scheduler's way into the
// domain's schedules.
func TestDomainSchedule(t *testing.T) {
	c := newConsole(t, application.ConsoleOptions{})
	times, err := c.jobs.NextFireTimes(domain.ScheduleCron, "0 0 1 * * ?", "Asia/Tokyo", 3)
	if err != nil || len(times) != 3 {
		t.Fatalf("times %v, err %v", times, err)
	}
	for _, tm := range times {
		if tm.Location().String() != "Asia/Tokyo" || tm.Hour() != 1 || tm.Minute() != 0 {
			t.Fatalf("time %v", tm)
		}
	}
	if _, err := c.jobs.NextFireTimes(domain.ScheduleCron, "0 0 25 * * ?", "", 3); err == nil {
		t.Fatal("hour 25 accepted")
	}
}
