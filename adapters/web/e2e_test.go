package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/xjob-dev/xjob/adapters/api"
	"github.com/xjob-dev/xjob/adapters/clock"
	"github.com/xjob-dev/xjob/adapters/executorclient"
	"github.com/xjob-dev/xjob/adapters/i18n"
	"github.com/xjob-dev/xjob/adapters/password"
	"github.com/xjob-dev/xjob/adapters/sqlstore"
	"github.com/xjob-dev/xjob/adapters/sqlstore/sqltest"
	"github.com/xjob-dev/xjob/adapters/web"
	"github.com/xjob-dev/xjob/application"
	"github.com/xjob-dev/xjob/domain"
)

// End-to-end tests drive headless Chromium through the console, wired by
// hand to the real use cases (trigger, kill, rolling log, callback) on a
// SQLite store and a fake executor that speaks the executor protocol and
// reports results to the admin's /api/callback.
//
// They skip without /usr/bin/chromium unless XJOB_TEST_REQUIRE_BROWSER=1.
// XJOB_SCREENSHOTS=1 also writes docs/screenshots/*.png.

const chromiumPath = "/usr/bin/chromium"

// Time limits of the browser tests. They are generous on purpose: CI runs
// them under go test -race ./... next to every other package on two cores,
// where a page can take seconds. Nothing waits a fixed time; every wait is
// for a condition, and these only bound how long a broken test hangs.
const (
	browserTestTimeout = 6 * time.Minute  // one test, browser start included
	stepTimeout        = 90 * time.Second // one run() step
	pollTimeout        = time.Minute      // one poll for a page state
)

// fakeExecutor runs "jobs" that print one log line every interval until
// they reach lines, then call back success; /kill stops them.
type fakeExecutor struct {
	t        *testing.T
	admin    string // admin base URL for callbacks
	token    string
	lines    int
	interval time.Duration
	loc      *time.Location // zone of the log lines' times

	mu   sync.Mutex
	runs map[int64]*fakeRun // by log id
	ts   *httptest.Server
}

type fakeRun struct {
	jobID  int64
	logID  int64
	param  string
	lines  []string
	done   bool
	cancel chan struct{}
}

func newFakeExecutor(t *testing.T, token string, lines int, interval time.Duration) *fakeExecutor {
	x := &fakeExecutor{t: t, token: token, lines: lines, interval: interval, loc: time.Local, runs: map[int64]*fakeRun{}}
	x.ts = httptest.NewServer(http.HandlerFunc(x.serve))
	t.Cleanup(x.ts.Close)
	return x
}

func (x *fakeExecutor) reply(w http.ResponseWriter, code int, msg string, content any) {
	w.Header().Set("Content-Type", "text/html;charset=UTF-8")
	body := map[string]any{"code": code, "msg": msg}
	if content != nil {
		body["content"] = content
	}
	_ = json.NewEncoder(w).Encode(body)
}

func (x *fakeExecutor) serve(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get(domain.AccessTokenHeader) != x.token {
		x.reply(w, 500, domain.MsgAccessTokenWrong, nil)
		return
	}
	switch r.URL.Path {
	case "/beat", "/idleBeat":
		x.reply(w, 200, "", nil)
	case "/run":
		var p domain.TriggerParam
		if err := json.NewDecoder(r.Body).Decode(&p); err != nil {
			x.reply(w, 500, err.Error(), nil)
			return
		}
		run := &fakeRun{jobID: p.JobID, logID: p.LogID, param: p.ExecutorParams, cancel: make(chan struct{})}
		x.mu.Lock()
		x.runs[p.LogID] = run
		x.mu.Unlock()
		go x.work(run, p.LogDateTime)
		x.reply(w, 200, "", nil)
	case "/kill":
		var p domain.JobIDParam
		_ = json.NewDecoder(r.Body).Decode(&p)
		x.mu.Lock()
		for _, run := range x.runs {
			if run.jobID == p.JobID && !run.done {
				run.done = true
				close(run.cancel)
			}
		}
		x.mu.Unlock()
		x.reply(w, 200, "job thread killed.", nil)
	case "/log":
		var p domain.LogParam
		_ = json.NewDecoder(r.Body).Decode(&p)
		x.mu.Lock()
		defer x.mu.Unlock()
		run := x.runs[p.LogID]
		if run == nil {
			x.reply(w, 200, "", domain.LogResult{FromLineNum: p.FromLineNum, ToLineNum: 0, LogContent: "no log file", IsEnd: true})
			return
		}
		var b strings.Builder
		to := p.FromLineNum - 1
		for i := p.FromLineNum; i <= len(run.lines); i++ {
			b.WriteString(run.lines[i-1] + "\n")
			to = i
		}
		x.reply(w, 200, "", domain.LogResult{FromLineNum: p.FromLineNum, ToLineNum: to, LogContent: b.String(), IsEnd: run.done && to >= len(run.lines)})
	default:
		x.reply(w, 500, "invalid request, uri-mapping("+r.URL.Path+") not found.", nil)
	}
}

func (x *fakeExecutor) work(run *fakeRun, logDate int64) {
	add := func(s string) {
		x.mu.Lock()
		run.lines = append(run.lines, time.Now().In(x.loc).Format("2006-01-02 15:04:05")+" "+s)
		x.mu.Unlock()
	}
	add("----------- xjob job execute start -----------<br>----------- Param:" + run.param)
	x.mu.Lock()
	total := x.lines
	x.mu.Unlock()
	for i := 1; i <= total; i++ {
		select {
		case <-run.cancel:
			add("job killed by the scheduling center")
			x.callback(run.logID, logDate, 500, "scheduling center kill job. [job running, killed]")
			return
		case <-time.After(x.interval):
		}
		add(fmt.Sprintf("working on step %d of %d", i, total))
	}
	add("----------- xjob job execute end(finish) -----------")
	x.mu.Lock()
	run.done = true
	x.mu.Unlock()
	x.callback(run.logID, logDate, 200, "all steps done")
}

func (x *fakeExecutor) callback(logID, logDate int64, code int, msg string) {
	body, _ := json.Marshal([]domain.CallbackParam{{LogID: logID, LogDateTim: logDate, HandleCode: code, HandleMsg: msg}})
	req, _ := http.NewRequest(http.MethodPost, x.admin+"/api/callback", strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json;charset=UTF-8")
	req.Header.Set(domain.AccessTokenHeader, x.token)
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
	}
}

// e2eAdmin is the console plus the executor API on one server, wired to
// the real use cases.
type e2eAdmin struct {
	loc   *time.Location // the console's zone
	db    *sqlstore.DB
	flags *sqlstore.UserFlagStore
	ts    *httptest.Server
	exec  *fakeExecutor
}

func newE2EAdmin(t *testing.T, lines int, interval time.Duration) *e2eAdmin {
	t.Helper()
	const token = "e2e-token"
	db := sqltest.MustOpenSQLite(t)
	clk := clock.System{}
	msgs, err := i18n.NewCatalog("en")
	if err != nil {
		t.Fatal(err)
	}
	users, groups := sqlstore.NewUserStore(db), sqlstore.NewGroupStore(db)
	jobs, logs := sqlstore.NewJobStore(db), sqlstore.NewLogStore(db)
	registry := sqlstore.NewRegistryStore(db)
	execClient := executorclient.New(executorclient.Options{AccessToken: token, Timeout: 3 * time.Second})
	trigger := application.NewTriggerJob(jobs, groups, logs, execClient, msgs, clk, domain.NewRouter(), "127.0.0.1")
	pool := application.NewTriggerPool(trigger, clk, application.PoolOptions{FastWorkers: 2, SlowWorkers: 2})
	ctx, cancel := context.WithCancel(context.Background())
	go pool.Run(ctx)
	t.Cleanup(func() { cancel(); pool.Stop() })
	refresh := application.NewRefreshGroups(registry, groups, clk, 0)
	apiHandler := api.NewHandler(token, application.NewRegisterExecutor(registry, refresh, clk), application.NewRemoveExecutor(registry, refresh),
		application.NewHandleCallback(logs, jobs, pool, msgs, clk, nil), nil)

	hasher := password.Hasher{Cost: 4}
	flags := sqlstore.NewUserFlagStore(db)
	// A named zone with the test database's offset (UTC+8, no daylight
	// saving since 1991), so pages and screenshots show what a real
	// installation shows.
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	co := application.ConsoleOptions{Location: loc}
	console := web.NewServer(web.Options{Lang: "en", Location: loc}, web.Deps{
		Users: users, Groups: groups, Jobs: jobs, Logs: logs, Clock: clk,
		Login:    application.NewLogin(users, hasher, flags, co),
		JobsUC:   application.NewManageJobs(jobs, groups, logs, sqlstore.NewGlueStore(db), clk, co),
		GroupsUC: application.NewManageGroups(groups, jobs, registry, clk, co),
		UsersUC:  application.NewManageUsers(users, groups, hasher, flags),
		Board:    application.NewDashboard(jobs, groups, sqlstore.NewReportStore(db), clk, co),
		Trigger:  trigger,
		Killer:   application.NewKillJob(logs, execClient, msgs, clk),
		Reader:   application.NewReadLog(logs, execClient, msgs),
	})
	mux := http.NewServeMux()
	mux.Handle("/api/", apiHandler)
	mux.Handle("/", console.Handler())
	a := &e2eAdmin{loc: loc, db: db, flags: flags, ts: httptest.NewServer(mux)}
	t.Cleanup(a.ts.Close)
	a.exec = newFakeExecutor(t, token, lines, interval)
	a.exec.admin = a.ts.URL
	a.exec.loc = loc // as if the executor ran in the admin's zone
	return a
}

func (a *e2eAdmin) mustUser(t *testing.T, name string, role domain.Role, groups ...int64) {
	t.Helper()
	hash, _ := password.Hasher{Cost: 4}.Hash(testPassword)
	sqltest.MustCreateUser(t, a.db, &domain.User{Username: name, Password: hash, Role: role, Permission: domain.JoinIDs(groups)})
}

// browser starts headless Chromium, or skips the test.
func browser(t *testing.T, width, height int) context.Context {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("XJOB_TEST_REQUIRE_BROWSER") == "1" {
			t.Fatalf("XJOB_TEST_REQUIRE_BROWSER=1 but %s is missing: %v", chromiumPath, err)
		}
		t.Skipf("no browser at %s", chromiumPath)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.Flag("lang", "en-US"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(width, height),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	ctx, cancelTimeout := context.WithTimeout(ctx, browserTestTimeout)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	// htmx asks before deleting or killing: accept every confirm dialog. The
	// listener must not run commands itself, so a goroutine answers.
	if err := chromedp.Listen(ctx, func(ev any) {
		if _, ok := ev.(*cdppage.EventJavascriptDialogOpening); ok {
			go func() {
				_, _ = chromedp.Call(ctx, cdppage.HandleJavaScriptDialog, cdppage.HandleJavaScriptDialogParams{Accept: true})
			}()
		}
	}); err != nil {
		t.Fatal(err)
	}
	return ctx
}

func run(t *testing.T, ctx context.Context, step string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	stepCtx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(stepCtx, steps...); err != nil {
		htmlCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		html, _ := chromedp.Run(htmlCtx, chromedp.OuterHTML(chromedp.CSS("body")))
		t.Fatalf("%s: %v\npage: %.2000s", step, err, html)
	}
}

// value runs one action that returns a value.
func value[T any](t *testing.T, ctx context.Context, step string, a chromedp.Action[T]) T {
	t.Helper()
	stepCtx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(stepCtx, a)
	if err != nil {
		t.Fatalf("%s: %v", step, err)
	}
	return v
}

// retype replaces the text of an input the way a person does: it empties
// the field, then types text key by key (each key fires input events).
func retype(sel, text string) []chromedp.Action[chromedp.Void] {
	return []chromedp.Action[chromedp.Void]{
		chromedp.WaitVisible(chromedp.CSS(sel)),
		chromedp.Evaluate[chromedp.Void](`document.querySelector(` + jsString(sel) + `).value = ""`),
		chromedp.SendKeys(chromedp.CSS(sel), text),
	}
}

// choose picks an option of a select and fires the change event, as a
// person choosing with the mouse does.
func choose(sel, value string) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](`(() => { const s = document.querySelector(` + jsString(sel) + `);
		s.value = ` + jsString(value) + `; s.dispatchEvent(new Event("change", {bubbles: true})) })()`)
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// steps joins step lists for run.
func steps(parts ...[]chromedp.Action[chromedp.Void]) []chromedp.Action[chromedp.Void] {
	var out []chromedp.Action[chromedp.Void]
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func tid(id string) chromedp.CSS { return chromedp.CSS(`[data-testid="` + id + `"]`) }

// switchLang picks a language in the header's switcher; htmx posts it and
// reloads the page. It waits until htmx runs on the current page, then until
// the reloaded page is in that language. The caller has opened a page.
func switchLang(t *testing.T, ctx context.Context, lang string) {
	t.Helper()
	run(t, ctx, "switch to "+lang,
		chromedp.Poll[chromedp.Void](`window.htmx !== undefined && document.readyState === "complete" &&
			document.querySelector('[data-testid="lang-select"]') !== null`, chromedp.WithPollingTimeout(pollTimeout)),
		choose(`[data-testid="lang-select"]`, lang),
		chromedp.WaitVisible(`//html[@lang="`+lang+`"]//*[@data-testid="lang-select"]`),
		chromedp.Poll[chromedp.Void](`document.readyState === "complete"`, chromedp.WithPollingTimeout(pollTimeout)),
	)
}

func login(t *testing.T, ctx context.Context, base, user string) {
	t.Helper()
	run(t, ctx, "sign in as "+user,
		chromedp.Navigate(base+"/auth/login"),
		chromedp.WaitVisible(chromedp.CSS(`#userName`)),
		chromedp.SendKeys(chromedp.CSS(`#userName`), user),
		chromedp.SendKeys(chromedp.CSS(`#password`), testPassword),
		chromedp.Click(tid("login-submit")),
		chromedp.WaitVisible(tid("stats")),
	)
}

func TestE2EConsole(t *testing.T) {
	ctx := browser(t, 1366, 900)
	// The first run is stopped from the console: it is long enough (24 s)
	// not to end by itself before the kill on a loaded machine.
	a := newE2EAdmin(t, 60, 400*time.Millisecond)
	base := a.ts.URL
	g := sqltest.MustCreateGroup(t, a.db, &domain.Group{AppName: "e2e-executor", Title: "E2E executor", AddressType: domain.AddressManual, AddressList: a.exec.ts.URL})
	other := sqltest.MustCreateGroup(t, a.db, &domain.Group{AppName: "other-executor", Title: "Other team", AddressType: domain.AddressManual, AddressList: "http://127.0.0.1:1"})
	foreign := sqltest.MustCreateJob(t, a.db, &domain.JobInfo{GroupID: other.ID, Desc: "other team's job"})
	a.mustUser(t, "admin", domain.RoleAdmin)
	a.mustUser(t, "ann", domain.RoleUser, g.ID)

	login(t, ctx, base, "admin")

	// Create a job. The next fire times follow the schedule as it is typed:
	// a cron expression, then an invalid one (the localized field error),
	// then a fixed delay in a zone of its own, which is what gets saved.
	run(t, ctx, "job form", steps(
		[]chromedp.Action[chromedp.Void]{
			chromedp.Navigate(base + "/jobinfo/new"),
			chromedp.WaitVisible(tid("job-form")),
			chromedp.SetValue(chromedp.CSS(`#jobGroup`), itoa(g.ID)),
			chromedp.SendKeys(chromedp.CSS(`#jobDesc`), "E2E rolling job"),
			chromedp.SendKeys(chromedp.CSS(`#scheduleConf`), "0 30 2 * * ?"),
			chromedp.WaitVisible(`//div[@id="next-times"]/ol/li[5][contains(., "02:30:00")]`),
		},
	)...)
	nextTimes := value(t, ctx, "next times", chromedp.Evaluate[[]string](`[...document.querySelectorAll('#next-times li')].map(e => e.textContent)`))
	if len(nextTimes) != 5 {
		t.Fatalf("next fire times = %v", nextTimes)
	}
	for i, s := range nextTimes {
		if !strings.Contains(s, " 02:30:00 ") || (i > 0 && s <= nextTimes[i-1]) {
			t.Fatalf("next fire times = %v", nextTimes)
		}
	}
	shot(t, ctx, "job-form")
	run(t, ctx, "invalid cron", steps(
		retype(`#scheduleConf`, "0 0 25 * * ?"),
		[]chromedp.Action[chromedp.Void]{
			chromedp.WaitVisible(`//p[@data-testid="next-times-error"][contains(., 'hour: "25" is out of range 0-23.')]`),
		},
	)...)
	run(t, ctx, "fixed delay in Tokyo", steps(
		[]chromedp.Action[chromedp.Void]{choose(`#scheduleType`, "FIX_DELAY")},
		retype(`#scheduleConf`, "600"),
		retype(`#timeZone`, "Asia/Tokyo"),
		[]chromedp.Action[chromedp.Void]{
			chromedp.WaitVisible(`//div[@id="next-times"][.//p[@data-testid="next-times-zone"][contains(., "Asia/Tokyo")]]/ol/li[5][contains(., "JST")]`),
			chromedp.WaitVisible(tid("next-times-fix-delay")),
		},
	)...)
	shot(t, ctx, "job-form-fix-delay")
	run(t, ctx, "save job",
		chromedp.SendKeys(chromedp.CSS(`#executorHandler`), "slowJob"),
		chromedp.Click(tid("job-save")),
		chromedp.WaitVisible(tid("flash")),
		chromedp.WaitVisible(`//tr[@data-testid="job-row"][contains(., "E2E rolling job")][contains(., "Asia/Tokyo")]`),
	)
	jobs, _, _ := sqlstore.NewJobStore(a.db).FindJobs(context.Background(), portsAll())
	var job *domain.JobInfo
	for _, j := range jobs {
		if j.Desc == "E2E rolling job" {
			job = j
		}
	}
	if job == nil {
		t.Fatal("job not stored")
	}
	if job.ScheduleType != domain.ScheduleFixDelay || job.ScheduleConf != "600" || job.TimeZone != "Asia/Tokyo" {
		t.Fatalf("stored schedule %s %q in %q", job.ScheduleType, job.ScheduleConf, job.TimeZone)
	}
	// The edit form shows what was saved.
	run(t, ctx, "edit form",
		chromedp.Navigate(base+"/jobinfo/"+itoa(job.ID)+"/edit"),
		chromedp.WaitVisible(`//div[@id="next-times"]/ol/li[5][contains(., "JST")]`),
	)
	saved := value(t, ctx, "edit values", chromedp.Evaluate[[]string](`["scheduleType", "scheduleConf", "timeZone"].map(id => document.getElementById(id).value)`))
	if strings.Join(saved, "|") != "FIX_DELAY|600|Asia/Tokyo" {
		t.Fatalf("edit form shows %v", saved)
	}

	// Run it once on the fake executor and watch the log roll.
	run(t, ctx, "run once",
		chromedp.Navigate(base+"/jobinfo/"+itoa(job.ID)+"/trigger"),
		chromedp.WaitVisible(tid("run-form")),
		chromedp.SendKeys(tid("run-param"), "region=eu"),
		chromedp.Click(tid("run-submit")),
		chromedp.WaitVisible(tid("log-row")),
		chromedp.Click(tid("log-detail")),
		chromedp.WaitVisible(tid("log-console")),
		chromedp.WaitVisible(`//pre[@data-testid="log-console"][contains(., "step 3 of 60")]`),
	)
	consoleText := value(t, ctx, "read console", chromedp.Text(tid("log-console")))
	if !strings.Contains(consoleText, "Param:region=eu") {
		t.Fatalf("console = %q", consoleText)
	}

	// Kill the run; the executor stops it and the log shows it failed.
	run(t, ctx, "kill",
		chromedp.Click(chromedp.CSS(`#kill-form button`)),
		chromedp.WaitVisible(`//div[@data-testid="flash"][contains(., "stopped the run")]`),
	)
	res, _ := sqlstore.NewLogStore(a.db).FindLogs(context.Background(), logsOf(job.ID))
	logs := res.Logs
	// Either the kill's own record or the executor's "killed" callback comes
	// first; both mark the run failed.
	if len(logs) != 1 || logs[0].HandleCode != domain.CodeFail ||
		!(strings.Contains(logs[0].HandleMsg, "Stopped by an operator") || strings.Contains(logs[0].HandleMsg, "killed")) {
		t.Fatalf("logs after kill = %d, first %+v", len(logs), *logs[0])
	}

	// A second run completes by itself: the callback arrives through /api/callback.
	a.exec.mu.Lock()
	a.exec.lines = 3
	a.exec.mu.Unlock()
	run(t, ctx, "second run",
		chromedp.Navigate(base+"/jobinfo/"+itoa(job.ID)+"/trigger"),
		chromedp.WaitVisible(tid("run-form")),
		chromedp.Click(tid("run-submit")),
		chromedp.WaitVisible(tid("log-row")),
		chromedp.Click(chromedp.CSS(`tr[data-testid="log-row"] a[data-testid="log-detail"]`)),
		chromedp.WaitVisible(tid("log-end")),
		chromedp.WaitVisible(`//span[@id="log-status"][contains(., "Success")]`),
	)

	// Switch the language; the choice is kept in a cookie.
	run(t, ctx, "jobs page", chromedp.Navigate(base+"/jobinfo"), chromedp.WaitVisible(tid("lang-select")))
	switchLang(t, ctx, "zh-CN")
	run(t, ctx, "switched",
		chromedp.WaitVisible(`//a[@data-testid="nav-jobs"][contains(., "任务管理")]`),
		chromedp.Navigate(base+"/joblog"),
		chromedp.WaitVisible(tid("nav-logs")),
	)
	if nav := value(t, ctx, "nav text", chromedp.Text(tid("nav-logs"))); nav != "调度日志" {
		t.Fatalf("nav after language switch = %q", nav)
	}
	// Cron errors are localized, field name included, while typing.
	run(t, ctx, "chinese cron error", steps(
		[]chromedp.Action[chromedp.Void]{
			chromedp.Navigate(base + "/jobinfo/new"),
			chromedp.WaitVisible(tid("job-form")),
		},
		retype(`#scheduleConf`, "0 0 9 ? * 8"),
		[]chromedp.Action[chromedp.Void]{
			chromedp.WaitVisible(`//p[@data-testid="next-times-error"][contains(., "周：“8”超出范围 1-7。")]`),
		},
	)...)
	// The help page is in the menu.
	run(t, ctx, "help",
		chromedp.Click(tid("nav-help")),
		chromedp.WaitVisible(`//h1[contains(., "使用教程")]`),
		chromedp.WaitVisible(tid("help-snippet-3x")),
	)
	switchLang(t, ctx, "en")
	run(t, ctx, "back to English", chromedp.WaitVisible(`//a[@data-testid="nav-jobs"][contains(., "Jobs")]`))

	// A normal user sees only their group and is refused another group's job.
	run(t, ctx, "sign out",
		chromedp.Click(tid("account-menu")),
		chromedp.Click(tid("logout")),
		chromedp.WaitVisible(tid("login-form")),
	)
	login(t, ctx, base, "ann")
	run(t, ctx, "normal user list", chromedp.Navigate(base+"/jobinfo"), chromedp.WaitVisible(tid("job-results")))
	listText := value(t, ctx, "list text", chromedp.Text(tid("job-results")))
	run(t, ctx, "foreign job", chromedp.Navigate(base+"/jobinfo/"+itoa(foreign.ID)+"/edit"), chromedp.WaitVisible(tid("error-page")))
	errText := value(t, ctx, "error text", chromedp.Text(tid("error-page")))
	if strings.Contains(listText, "other team's job") || !strings.Contains(listText, "E2E rolling job") {
		t.Fatalf("normal user's list: %q", listText)
	}
	if !strings.Contains(errText, "no permission") {
		t.Fatalf("refusal page: %q", errText)
	}
}

// shot saves a full-page PNG to docs/screenshots when XJOB_SCREENSHOTS=1.
func shot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	saveShot(t, ctx, name, chromedp.FullScreenshot(100))
}

// shotViewport saves what the screen shows, for pages too long for a
// useful full-page picture.
func shotViewport(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	saveShot(t, ctx, name, chromedp.CaptureScreenshot())
}

func saveShot(t *testing.T, ctx context.Context, name string, capture chromedp.Action[[]byte]) {
	t.Helper()
	if os.Getenv("XJOB_SCREENSHOTS") != "1" {
		return
	}
	buf := value(t, ctx, "screenshot "+name, capture)
	dir := filepath.Join("..", "..", "docs", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), buf, 0o644); err != nil {
		t.Fatal(err)
	}
}
