package web_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/xjob-dev/xjob/adapters/sqlstore"
	"github.com/xjob-dev/xjob/adapters/sqlstore/sqltest"
	"github.com/xjob-dev/xjob/domain"
)

// TestE2ETour opens every page of a console with sample data on a laptop
// and a phone screen, fails on any browser console error (a CSP violation,
// a script exception, a missing asset) and, with XJOB_SCREENSHOTS=1, saves
// the screenshots of docs/screenshots.
func TestE2ETour(t *testing.T) {
	ctx := browser(t, 1366, 860)
	a := newE2EAdmin(t, 40, 300*time.Millisecond)
	base := a.ts.URL
	ids := seedTour(t, a)

	// Console messages arrive in the order the page wrote them; the reader
	// stops at a marker the test writes last, so it has seen every earlier
	// message without waiting a fixed time.
	const endMarker = "xjob-tour-end"
	var mu sync.Mutex
	var problems []string
	consoleCtx, stopConsole := context.WithCancel(ctx)
	defer stopConsole()
	msgs := chromedp.Console(consoleCtx)
	drained := make(chan struct{})
	go func() {
		defer close(drained)
		for m, err := range msgs {
			if err != nil {
				return
			}
			if strings.Contains(m.Text, endMarker) {
				return
			}
			// The form with errors answers 422 on purpose; Chrome logs that.
			expected := strings.Contains(m.Text, "status of 422")
			if (m.Type == chromedp.ConsoleError || m.Type == chromedp.ConsoleException) && !expected {
				mu.Lock()
				problems = append(problems, string(m.Type)+": "+m.Text)
				mu.Unlock()
			}
		}
	}()

	run(t, ctx, "login page", chromedp.Navigate(base+"/auth/login"), chromedp.WaitVisible(tid("login-form")))
	shot(t, ctx, "login")
	login(t, ctx, base, "admin")

	pages := []struct{ name, path, wait string }{
		{"dashboard", "/dashboard", `[data-testid="bar-chart"]`},
		{"jobs", "/jobinfo", `[data-testid="job-table"]`},
		{"job-edit", "/jobinfo/" + itoa(ids.cronJob) + "/edit", `#next-times li`},
		{"glue-editor", "/jobcode/" + itoa(ids.glueJob), `[data-testid="glue-codemirror"]`},
		{"logs", "/joblog?range=all", `[data-testid="log-table"]`},
		{"executors", "/jobgroup", `[data-testid="group-table"]`},
		{"users", "/user", `[data-testid="user-table"]`},
		{"user-form", "/user/new", `[data-testid="user-form"]`},
		{"run-once", "/jobinfo/" + itoa(ids.cronJob) + "/trigger", `[data-testid="run-form"]`},
		{"clear-logs", "/joblog/clear", `[data-testid="clear-form"]`},
	}
	for _, p := range pages {
		run(t, ctx, p.name, chromedp.Navigate(base+p.path), chromedp.WaitVisible(chromedp.CSS(p.wait)))
		shot(t, ctx, p.name)
	}

	// The help page is long: the screen at its top, and at the executors.
	run(t, ctx, "help", chromedp.Navigate(base+"/help"), chromedp.WaitVisible(tid("help-snippet-go")))
	shotViewport(t, ctx, "help")
	run(t, ctx, "help: executors",
		chromedp.Click(`//nav[@data-testid="help-toc"]//a[@href="#executors"]`),
		chromedp.Poll[chromedp.Void](`location.hash === "#executors" && document.getElementById("executors").getBoundingClientRect().top < 100`, chromedp.WithPollingTimeout(pollTimeout)),
	)
	shotViewport(t, ctx, "help-executors")

	// The GLUE editor is CodeMirror with the job's language; loading an old
	// version puts it into the editor.
	run(t, ctx, "load glue version",
		chromedp.Navigate(base+"/jobcode/"+itoa(ids.glueJob)),
		chromedp.WaitVisible(tid("glue-codemirror")),
		chromedp.Click(chromedp.CSS(`[data-testid="glue-version"]:last-child [data-testid="glue-load"]`)),
		chromedp.WaitVisible(`//div[contains(@class,"cm-content")][contains(., "first draft")]`),
	)

	// A form with validation errors next to its fields.
	run(t, ctx, "job form errors",
		chromedp.Navigate(base+"/jobinfo/new"),
		chromedp.WaitVisible(tid("job-form")),
		chromedp.SendKeys(chromedp.CSS(`#scheduleConf`), "0 0 25 * * ?"),
		chromedp.Click(tid("job-save")),
		chromedp.WaitVisible(tid("error-jobDesc")),
	)
	shot(t, ctx, "job-form-errors")

	// The rolling log of a run on the fake executor.
	run(t, ctx, "trigger for the log",
		chromedp.Navigate(base+"/jobinfo/"+itoa(ids.cronJob)+"/trigger"),
		chromedp.WaitVisible(tid("run-form")),
		chromedp.Click(tid("run-submit")),
		chromedp.WaitVisible(tid("log-row")),
		chromedp.Click(tid("log-detail")),
		chromedp.WaitVisible(`//pre[@data-testid="log-console"][contains(., "step 6 of 40")]`),
	)
	shot(t, ctx, "log-detail")

	// Chinese pages.
	run(t, ctx, "jobs", chromedp.Navigate(base+"/jobinfo"), chromedp.WaitVisible(tid("lang-select")))
	switchLang(t, ctx, "zh-CN")
	run(t, ctx, "chinese", chromedp.WaitVisible(`//a[@data-testid="nav-jobs"][contains(., "任务管理")]`))
	shot(t, ctx, "jobs-zh-CN")
	run(t, ctx, "dashboard", chromedp.Navigate(base+"/dashboard"), chromedp.WaitVisible(tid("lang-select")))
	switchLang(t, ctx, "zh-TW")
	run(t, ctx, "traditional", chromedp.WaitVisible(`//a[@data-testid="nav-dashboard"][contains(., "執行報表")]`))
	shot(t, ctx, "dashboard-zh-TW")
	switchLang(t, ctx, "en")

	// A phone.
	run(t, ctx, "phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile), chromedp.Navigate(base+"/jobinfo"),
		chromedp.WaitVisible(tid("job-table")))
	shot(t, ctx, "jobs-phone")
	run(t, ctx, "phone dashboard", chromedp.Navigate(base+"/dashboard"), chromedp.WaitVisible(tid("bar-chart")))
	shot(t, ctx, "dashboard-phone")

	run(t, ctx, "help on a phone", chromedp.Navigate(base+"/help"), chromedp.WaitVisible(tid("help-snippet-3x")))
	shotViewport(t, ctx, "help-phone")

	run(t, ctx, "end of the console messages", chromedp.Evaluate[chromedp.Void](`console.info("`+endMarker+`")`))
	select {
	case <-drained:
	case <-time.After(pollTimeout):
		t.Fatal("the browser console's messages did not arrive")
	}
	mu.Lock()
	defer mu.Unlock()
	if len(problems) > 0 {
		t.Fatalf("browser console errors:\n%s", strings.Join(problems, "\n"))
	}
}

type tourIDs struct{ cronJob, glueJob int64 }

// seedTour fills the database with a small, realistic installation.
func seedTour(t *testing.T, a *e2eAdmin) tourIDs {
	t.Helper()
	ctx := context.Background()
	a.mustUser(t, "admin", domain.RoleAdmin)
	pay := sqltest.MustCreateGroup(t, a.db, &domain.Group{AppName: "payment-executor", Title: "Payments", AddressType: domain.AddressManual, AddressList: a.exec.ts.URL})
	rep := sqltest.MustCreateGroup(t, a.db, &domain.Group{AppName: "report-executor", Title: "Reports", AddressType: domain.AddressAuto, AddressList: "http://10.0.4.21:9999/,http://10.0.4.22:9999/"})
	a.mustUser(t, "li.wei", domain.RoleUser, pay.ID)
	a.mustUser(t, "chen.mei", domain.RoleUser, pay.ID, rep.ID)
	reg := sqlstore.NewRegistryStore(a.db)
	for _, addr := range []string{"http://10.0.4.21:9999/", "http://10.0.4.22:9999/"} {
		if err := reg.SaveRegistry(ctx, &domain.Registry{Group: domain.RegistryExecutor, Key: "report-executor", Value: addr, UpdateTime: time.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Now()
	// Running jobs get the next fire time their schedule really has.
	mk := func(j *domain.JobInfo) *domain.JobInfo {
		if j.TriggerStatus == domain.TriggerRunning && j.TriggerNextTime == 0 {
			next, ok, err := j.NextTriggerTime(now, a.loc)
			if err != nil || !ok {
				t.Fatalf("next fire of %q: %v %v", j.ScheduleConf, ok, err)
			}
			j.TriggerNextTime = next.UnixMilli()
		}
		return sqltest.MustCreateJob(t, a.db, j)
	}
	cron := mk(&domain.JobInfo{GroupID: pay.ID, Desc: "Settle card payments", Author: "li.wei", ScheduleType: domain.ScheduleCron,
		ScheduleConf: "0 0/15 * * * ?", ExecutorHandler: "settlementHandler", TriggerStatus: domain.TriggerRunning})
	mk(&domain.JobInfo{GroupID: pay.ID, Desc: "Reconcile bank statements", Author: "li.wei", ScheduleType: domain.ScheduleCron,
		ScheduleConf: "0 30 1 * * ?", TimeZone: "Asia/Shanghai", ExecutorHandler: "reconcileHandler", RouteStrategy: domain.RouteFailover})
	mk(&domain.JobInfo{GroupID: rep.ID, Desc: "Daily sales report", Author: "chen.mei", ScheduleType: domain.ScheduleCron,
		ScheduleConf: "0 0 6 * * ?", ExecutorHandler: "salesReport", RouteStrategy: domain.RouteShardingBroadcast, TriggerStatus: domain.TriggerRunning})
	// A fixed rate counts from the previous fire, three minutes ago.
	mk(&domain.JobInfo{GroupID: rep.ID, Desc: "Refresh dashboards", Author: "chen.mei", ScheduleType: domain.ScheduleFixRate, ScheduleConf: "300",
		ExecutorHandler: "refreshDashboards", TriggerStatus: domain.TriggerRunning, TriggerLastTime: now.Add(-3 * time.Minute).Truncate(time.Second).UnixMilli(),
		TriggerNextTime: now.Add(2 * time.Minute).Truncate(time.Second).UnixMilli()})
	mk(&domain.JobInfo{GroupID: rep.ID, Desc: "Export to warehouse", Author: "chen.mei", ScheduleType: domain.ScheduleFixDelay, ScheduleConf: "600",
		ExecutorHandler: "warehouseExport"})
	mk(&domain.JobInfo{GroupID: pay.ID, Desc: "Manual refund batch", Author: "admin", ScheduleType: domain.ScheduleNone, ExecutorHandler: "refundBatch"})
	glue := mk(&domain.JobInfo{GroupID: pay.ID, Desc: "Clean temp files", Author: "admin", ScheduleType: domain.ScheduleCron, ScheduleConf: "0 0 3 * * ?",
		GlueType: domain.GlueShell, ExecutorHandler: " ", GlueSource: "#!/bin/bash\n# remove files older than a week\nfind /tmp/exports -type f -mtime +7 -print -delete\necho \"done\"\nexit 0\n", GlueRemark: "weekly cleanup"})
	glues := sqlstore.NewGlueStore(a.db)
	for i, v := range []struct{ remark, src string }{
		{"first draft", "#!/bin/bash\necho \"first draft\"\n"},
		{"print what is deleted", "#!/bin/bash\nfind /tmp/exports -type f -mtime +7 -print\n"},
		{"weekly cleanup", glue.GlueSource},
	} {
		at := now.Add(time.Duration(i-3) * 24 * time.Hour)
		if err := glues.CreateLogGlue(ctx, &domain.LogGlue{JobID: glue.ID, GlueType: domain.GlueShell, GlueSource: v.src, GlueRemark: v.remark, AddTime: at, UpdateTime: at}); err != nil {
			t.Fatal(err)
		}
	}
	logs := sqlstore.NewLogStore(a.db)
	for i := 13; i >= 0; i-- { // oldest first, so ids grow with the trigger time
		l := &domain.JobLog{GroupID: pay.ID, JobID: cron.ID, TriggerTime: now.Add(-time.Duration(i*15) * time.Minute)}
		sqltest.MustCreateLogs(t, a.db, l)
		l.TriggerCode, l.ExecutorAddress, l.ExecutorHandler = 200, a.exec.ts.URL, "settlementHandler"
		l.TriggerMsg = "Trigger type：Scheduled trigger<br>Admin node：127.0.0.1<br>Executor registration：Manual entry<br><br><span style=\"color:#00c0ef;\" > >>>>>>>>>>>Trigger<<<<<<<<<<< </span><br>Trigger result：success"
		if i == 4 {
			l.TriggerCode, l.TriggerMsg = 500, l.TriggerMsg+"<br>error: connection refused"
		}
		if err := logs.UpdateTriggerInfos(ctx, []*domain.JobLog{l}); err != nil {
			t.Fatal(err)
		}
		switch {
		case i == 0 || i == 4:
		case i == 7:
			l.RecordHandle(domain.CodeTimeout, "job execute timeout", l.TriggerTime.Add(time.Minute))
		case i%5 == 3:
			l.RecordHandle(domain.CodeFail, "settlement file missing", l.TriggerTime.Add(20*time.Second))
		default:
			l.RecordHandle(domain.CodeSuccess, "settled 1,204 payments", l.TriggerTime.Add(12*time.Second))
		}
		if l.HandleCode != 0 {
			if _, err := logs.UpdateHandleInfo(ctx, l); err != nil {
				t.Fatal(err)
			}
		}
	}
	reports := sqlstore.NewReportStore(a.db)
	y, m, d := now.In(a.loc).Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, a.loc)
	for i := 0; i < 7; i++ {
		day := today.AddDate(0, 0, -i)
		r := &domain.LogReport{TriggerDay: day, SucCount: 80 + (i*37)%60, FailCount: (i * 7) % 11, RunningCount: 0, UpdateTime: now}
		if i == 0 {
			r.RunningCount = 3
		}
		if err := reports.SaveLogReport(ctx, r); err != nil {
			t.Fatal(fmt.Errorf("save report: %w", err))
		}
	}
	return tourIDs{cronJob: cron.ID, glueJob: glue.ID}
}
