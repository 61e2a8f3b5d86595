package web_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/xjob-dev/xjob/adapters/clock"
	"github.com/xjob-dev/xjob/adapters/password"
	"github.com/xjob-dev/xjob/adapters/sqlstore"
	"github.com/xjob-dev/xjob/adapters/sqlstore/sqltest"
	"github.com/xjob-dev/xjob/adapters/web"
	"github.com/xjob-dev/xjob/application"
	"github.com/xjob-dev/xjob/domain"
)

// testPassword is the password of every user made by env.mustUser.
const testPassword = "correct-horse-9"

// fakeTrigger records trigger requests (function-field fake).
type fakeTrigger struct {
	mu   sync.Mutex
	reqs []application.TriggerRequest
	err  error
}

func (f *fakeTrigger) Trigger(_ context.Context, req application.TriggerRequest) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reqs = append(f.reqs, req)
	return f.err
}

func (f *fakeTrigger) requests() []application.TriggerRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]application.TriggerRequest(nil), f.reqs...)
}

type fakeKiller struct {
	fn func(ctx context.Context, logID int64) (string, error)
}

func (f *fakeKiller) Kill(ctx context.Context, logID int64) (string, error) {
	if f.fn == nil {
		return "killed", nil
	}
	return f.fn(ctx, logID)
}

type fakeReader struct {
	fn func(ctx context.Context, logID int64, from int) (*domain.LogResult, error)
}

func (f *fakeReader) Read(ctx context.Context, logID int64, from int) (*domain.LogResult, error) {
	if f.fn == nil {
		return &domain.LogResult{FromLineNum: from, ToLineNum: from - 1, IsEnd: true}, nil
	}
	return f.fn(ctx, logID, from)
}

// env is a console on a real, migrated SQLite database with fake trigger,
// kill and log-read collaborators.
type env struct {
	t       *testing.T
	db      *sqlstore.DB
	clock   *clock.Manual
	flags   *sqlstore.UserFlagStore
	trigger *fakeTrigger
	killer  *fakeKiller
	reader  *fakeReader
	server  *web.Server
	ts      *httptest.Server
	base    string // the context path without trailing slash
}

type envOption func(*web.Options)

func newEnv(t *testing.T, opts ...envOption) *env {
	t.Helper()
	db := sqltest.MustOpenSQLite(t)
	e := &env{t: t, db: db, clock: clock.NewManual(time.Now()), trigger: &fakeTrigger{}, killer: &fakeKiller{}, reader: &fakeReader{}}
	e.flags = sqlstore.NewUserFlagStore(db)
	o := web.Options{Lang: "en", Location: sqltest.Location}
	for _, fn := range opts {
		fn(&o)
	}
	e.server = web.NewServer(o, e.deps())
	e.base = strings.TrimRight(o.ContextPath, "/")
	e.ts = httptest.NewServer(http.StripPrefix(e.base, e.server.Handler()))
	t.Cleanup(e.ts.Close)
	return e
}

func (e *env) deps() web.Deps {
	db := e.db
	users, groups := sqlstore.NewUserStore(db), sqlstore.NewGroupStore(db)
	jobs, logs := sqlstore.NewJobStore(db), sqlstore.NewLogStore(db)
	glues, reports, registry := sqlstore.NewGlueStore(db), sqlstore.NewReportStore(db), sqlstore.NewRegistryStore(db)
	hasher := password.Hasher{Cost: 4}
	co := application.ConsoleOptions{Location: sqltest.Location}
	return web.Deps{
		Users: users, Groups: groups, Jobs: jobs, Logs: logs, Clock: e.clock,
		Login:    application.NewLogin(users, hasher, e.flags, co),
		JobsUC:   application.NewManageJobs(jobs, groups, logs, glues, e.clock, co),
		GroupsUC: application.NewManageGroups(groups, jobs, registry, e.clock, co),
		UsersUC:  application.NewManageUsers(users, groups, hasher, e.flags),
		Board:    application.NewDashboard(jobs, groups, reports, e.clock, co),
		Trigger:  e.trigger, Killer: e.killer, Reader: e.reader,
	}
}

// mustUser creates a user with testPassword; groups are its permissions.
func (e *env) mustUser(name string, role domain.Role, groups ...int64) *domain.User {
	e.t.Helper()
	hash, err := password.Hasher{Cost: 4}.Hash(testPassword)
	if err != nil {
		e.t.Fatal(err)
	}
	return sqltest.MustCreateUser(e.t, e.db, &domain.User{Username: name, Password: hash, Role: role, Permission: domain.JoinIDs(groups)})
}

func (e *env) mustGroup(app, title string) *domain.Group {
	e.t.Helper()
	return sqltest.MustCreateGroup(e.t, e.db, &domain.Group{AppName: app, Title: title, AddressType: domain.AddressManual, AddressList: "http://127.0.0.1:9999"})
}

func (e *env) mustJob(groupID int64, desc string) *domain.JobInfo {
	e.t.Helper()
	return sqltest.MustCreateJob(e.t, e.db, &domain.JobInfo{GroupID: groupID, Desc: desc})
}

func (e *env) mustLog(groupID, jobID int64, triggerCode, handleCode int) *domain.JobLog {
	e.t.Helper()
	l := &domain.JobLog{GroupID: groupID, JobID: jobID, TriggerTime: e.clock.Now().Truncate(time.Second)}
	sqltest.MustCreateLogs(e.t, e.db, l)
	l.TriggerCode, l.TriggerMsg, l.ExecutorAddress = triggerCode, "Trigger type：Manual<br>ok", "http://127.0.0.1:9999"
	if err := sqlstore.NewLogStore(e.db).UpdateTriggerInfos(context.Background(), []*domain.JobLog{l}); err != nil {
		e.t.Fatal(err)
	}
	if handleCode != 0 {
		l.RecordHandle(handleCode, "done", e.clock.Now())
		if _, err := sqlstore.NewLogStore(e.db).UpdateHandleInfo(context.Background(), l); err != nil {
			e.t.Fatal(err)
		}
	}
	return l
}

// client is a browser stand-in: a cookie jar, same-origin headers and
// the CSRF token of the last page it read.
type client struct {
	e     *env
	hc    *http.Client
	csrf  string
	lang  string
	extra http.Header
}

func (e *env) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{e: e, lang: "en", hc: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

type page struct {
	status int
	header http.Header
	body   string
	doc    *goquery.Document
	loc    string
}

func (c *client) do(req *http.Request) *page {
	c.e.t.Helper()
	req.Header.Set("Accept-Language", c.lang)
	for k, v := range c.extra {
		req.Header[k] = v
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		c.e.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	p := &page{status: resp.StatusCode, header: resp.Header, body: string(b), loc: resp.Header.Get("Location")}
	body := p.body
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		body = ""
	}
	p.doc, err = goquery.NewDocumentFromReader(strings.NewReader(body))
	if err != nil {
		c.e.t.Fatal(err)
	}
	if tok, ok := p.doc.Find(`input[name="_csrf"]`).First().Attr("value"); ok && tok != "" {
		c.csrf = tok
	}
	return p
}

func (c *client) get(path string, hdr ...string) *page {
	c.e.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.e.ts.URL+path, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	return c.do(req)
}

// post sends a same-origin form with the current CSRF token.
func (c *client) post(path string, form url.Values, hdr ...string) *page {
	c.e.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if form.Get("_csrf") == "" {
		form.Set("_csrf", c.csrf)
	}
	req, _ := http.NewRequest(http.MethodPost, c.e.ts.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", c.e.ts.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	return c.do(req)
}

// login signs in (under the env's context path) and fails the test unless
// it worked.
func (c *client) login(username string) {
	c.e.t.Helper()
	c.get(c.e.base + "/auth/login")
	p := c.post(c.e.base+"/auth/login", url.Values{"userName": {username}, "password": {testPassword}})
	if p.status != http.StatusSeeOther {
		c.e.t.Fatalf("login %s: status %d, body %s", username, p.status, p.body)
	}
	c.get(c.e.base + "/dashboard") // fresh CSRF token of the session
}

func (p *page) text(sel string) string { return strings.TrimSpace(p.doc.Find(sel).Text()) }

func (p *page) has(sel string) bool { return p.doc.Find(sel).Length() > 0 }
