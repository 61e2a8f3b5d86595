package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/xjob-dev/xjob/adapters/sqlstore"
	"github.com/xjob-dev/xjob/domain"
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func jobForm(groupID int64, desc, conf string) url.Values {
	return url.Values{
		"jobGroup": {itoa(groupID)}, "jobDesc": {desc}, "author": {"ops"}, "alarmEmail": {""},
		"scheduleType": {"CRON"}, "scheduleConf": {conf}, "timeZone": {""}, "misfireStrategy": {"DO_NOTHING"},
		"executorRouteStrategy": {"FIRST"}, "executorHandler": {"demoJobHandler"}, "executorParam": {""},
		"executorBlockStrategy": {"SERIAL_EXECUTION"}, "executorTimeout": {"0"}, "executorFailRetryCount": {"0"},
		"childJobId": {""}, "glueType": {"BEAN"}, "glueRemark": {"init"},
	}
}

func TestJobList(t *testing.T) {
	e := newEnv(t)
	e.mustUser("alice", domain.RoleAdmin)
	g := e.mustGroup("app-a", "Group A")
	for i := 0; i < 25; i++ {
		e.mustJob(g.ID, "job "+strconv.Itoa(i))
	}
	e.mustJob(g.ID, "<script>alert(1)</script>")
	c := e.client()
	c.login("alice")

	t.Run("FullPage", func(t *testing.T) {
		p := c.get("/jobinfo")
		if p.status != http.StatusOK || p.doc.Find(`[data-testid="job-row"]`).Length() != 20 {
			t.Fatalf("status %d rows %d", p.status, p.doc.Find(`[data-testid="job-row"]`).Length())
		}
		if !p.has("html") || !p.has(`[data-testid="job-filters"]`) || !p.has(`[data-testid="pager-next"]`) {
			t.Fatal("full page lacks layout, filters or pager")
		}
		if strings.Contains(p.body, "<script>alert(1)</script>") {
			t.Fatal("job name rendered unescaped")
		}
	})
	t.Run("Fragment", func(t *testing.T) {
		p := c.get("/jobinfo?jobDesc=job+1&page=1", "HX-Request", "true", "HX-Target", "job-results")
		if strings.Contains(p.body, "<html") || !p.has(`#job-results`) {
			t.Fatalf("fragment is a full page: %.200s", p.body)
		}
		// "job 1" and "job 10".."job 19"
		if n := p.doc.Find(`[data-testid="job-row"]`).Length(); n != 11 {
			t.Fatalf("filtered rows = %d", n)
		}
	})
	t.Run("Page2", func(t *testing.T) {
		p := c.get("/jobinfo?page=2")
		if n := p.doc.Find(`[data-testid="job-row"]`).Length(); n != 6 {
			t.Fatalf("page 2 rows = %d", n)
		}
	})
}

func TestJobCreateValidation(t *testing.T) {
	e := newEnv(t)
	e.mustUser("alice", domain.RoleAdmin)
	g := e.mustGroup("app-a", "Group A")
	c := e.client()
	c.login("alice")
	c.get("/jobinfo/new")

	form := jobForm(g.ID, "", "0 0 1 * * ?")
	form.Set("executorTimeout", "abc")
	form.Set("alarmEmail", "not-an-email")
	p := c.post("/jobinfo", form)
	if p.status != http.StatusUnprocessableEntity {
		t.Fatalf("status %d", p.status)
	}
	for field, want := range map[string]string{"jobDesc": "required", "executorTimeout": "whole number", "alarmEmail": "not an e-mail"} {
		if got := p.text(`[data-testid="error-` + field + `"]`); !strings.Contains(got, want) {
			t.Errorf("error of %s = %q, want %q", field, got, want)
		}
	}
	// The entered values are kept.
	if v, _ := p.doc.Find(`#scheduleConf`).Attr("value"); v != "0 0 1 * * ?" {
		t.Errorf("scheduleConf lost: %q", v)
	}

	p = c.post("/jobinfo", jobForm(g.ID, "nightly", "0 0 1 * * ?"))
	if p.status != http.StatusSeeOther {
		t.Fatalf("create: %d %s", p.status, p.body)
	}
	jobs, _, _ := sqlstore.NewJobStore(e.db).FindJobs(context.Background(), portsAll())
	if len(jobs) != 1 || jobs[0].Desc != "nightly" || jobs[0].TriggerStatus != domain.TriggerStopped {
		t.Fatalf("jobs = %+v", jobs)
	}
}

func TestJobPermissions(t *testing.T) {
	e := newEnv(t)
	ga, gb := e.mustGroup("app-a", "A"), e.mustGroup("app-b", "B")
	e.mustUser("ann", domain.RoleUser, ga.ID)
	mine, theirs := e.mustJob(ga.ID, "mine"), e.mustJob(gb.ID, "theirs")
	theirLog := e.mustLog(gb.ID, theirs.ID, 200, 0)
	c := e.client()
	c.login("ann")

	t.Run("ListShowsOnlyPermittedGroups", func(t *testing.T) {
		p := c.get("/jobinfo")
		if n := p.doc.Find(`[data-testid="job-row"]`).Length(); n != 1 || !strings.Contains(p.text(`[data-testid="job-row"]`), "mine") {
			t.Fatalf("rows = %d", n)
		}
		if p := c.get("/jobinfo?jobGroup=" + itoa(gb.ID)); p.status != http.StatusForbidden {
			t.Fatalf("other group's list: %d", p.status)
		}
	})
	refused := []struct{ method, path string }{
		{"GET", "/jobinfo/" + itoa(theirs.ID) + "/edit"},
		{"GET", "/jobinfo/" + itoa(theirs.ID) + "/copy"},
		{"GET", "/jobinfo/" + itoa(theirs.ID) + "/trigger"},
		{"GET", "/jobinfo/" + itoa(theirs.ID) + "/registry"},
		{"POST", "/jobinfo/" + itoa(theirs.ID) + "/start"},
		{"POST", "/jobinfo/" + itoa(theirs.ID) + "/stop"},
		{"POST", "/jobinfo/" + itoa(theirs.ID) + "/delete"},
		{"POST", "/jobinfo/" + itoa(theirs.ID) + "/trigger"},
		{"GET", "/joblog/" + itoa(theirLog.ID)},
		{"GET", "/joblog/" + itoa(theirLog.ID) + "/cat?from=1"},
		{"POST", "/joblog/" + itoa(theirLog.ID) + "/kill"},
		{"GET", "/joblog?jobId=" + itoa(theirs.ID)},
		{"GET", "/joblog?jobGroup=" + itoa(gb.ID)},
		{"GET", "/jobgroup"},
		{"GET", "/user"},
	}
	for _, rq := range refused {
		t.Run("Refused "+rq.method+" "+rq.path, func(t *testing.T) {
			var p *page
			if rq.method == "GET" {
				p = c.get(rq.path)
			} else {
				p = c.post(rq.path, nil)
			}
			if p.status != http.StatusForbidden {
				t.Fatalf("status %d, want 403", p.status)
			}
			if !p.has(`[data-testid="error-page"]`) {
				t.Fatalf("no error page: %.300s", p.body)
			}
		})
	}
	t.Run("UpdateOtherGroupsJobByID", func(t *testing.T) {
		// Upstream checked only the submitted group: posting group A for B's job.
		p := c.post("/jobinfo/"+itoa(theirs.ID), jobForm(ga.ID, "hijacked", "0 0 1 * * ?"))
		if p.status != http.StatusForbidden {
			t.Fatalf("status %d", p.status)
		}
		j, _ := sqlstore.NewJobStore(e.db).FindJobByID(context.Background(), theirs.ID)
		if j.Desc != "theirs" {
			t.Fatalf("job changed to %q", j.Desc)
		}
	})
	t.Run("MoveOwnJobToForeignGroup", func(t *testing.T) {
		p := c.post("/jobinfo/"+itoa(mine.ID), jobForm(gb.ID, "moved", "0 0 1 * * ?"))
		if p.status != http.StatusUnprocessableEntity || !p.has(`[data-testid="error-jobGroup"]`) {
			t.Fatalf("status %d", p.status)
		}
	})
	t.Run("ChildInForeignGroup", func(t *testing.T) {
		form := jobForm(ga.ID, "mine", "0 0 1 * * ?")
		form.Set("childJobId", itoa(theirs.ID))
		p := c.post("/jobinfo/"+itoa(mine.ID), form)
		if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.text(`[data-testid="error-childJobId"]`), "no permission") {
			t.Fatalf("status %d: %q", p.status, p.text(`[data-testid="error-childJobId"]`))
		}
	})
	t.Run("UnknownIDsAreNotFound", func(t *testing.T) {
		for _, path := range []string{"/jobinfo/999999/edit", "/joblog/999999", "/jobcode/999999", "/jobinfo/abc/edit", "/no/such/page"} {
			p := c.get(path)
			if p.status != http.StatusNotFound || !p.has(`[data-testid="error-page"]`) {
				t.Errorf("%s: status %d", path, p.status)
			}
		}
		if p := c.post("/joblog/999999/kill", nil); p.status != http.StatusNotFound {
			t.Errorf("kill unknown: %d", p.status)
		}
	})
	if got := len(e.trigger.requests()); got != 0 {
		t.Fatalf("%d triggers went through", got)
	}
}

func TestRunOnce(t *testing.T) {
	e := newEnv(t)
	ga := e.mustGroup("app-a", "A")
	e.mustUser("ann", domain.RoleUser, ga.ID)
	job := e.mustJob(ga.ID, "mine")
	c := e.client()
	c.login("ann")
	p := c.get("/jobinfo/" + itoa(job.ID) + "/trigger")
	if p.status != http.StatusOK || !p.has(`[data-testid="run-form"]`) {
		t.Fatalf("run page %d", p.status)
	}
	// A normal user may not send the trigger to an address outside the group.
	p = c.post("/jobinfo/"+itoa(job.ID)+"/trigger", url.Values{"executorParam": {"x"}, "addressList": {"http://169.254.169.254/"}})
	if p.status != http.StatusUnprocessableEntity || !p.has(`[data-testid="error-addressList"]`) {
		t.Fatalf("foreign address: %d", p.status)
	}
	p = c.post("/jobinfo/"+itoa(job.ID)+"/trigger", url.Values{"executorParam": {"a=1"}, "addressList": {"http://127.0.0.1:9999"}})
	if p.status != http.StatusSeeOther || !strings.HasPrefix(p.loc, "/joblog?") {
		t.Fatalf("run: %d %q", p.status, p.loc)
	}
	reqs := e.trigger.requests()
	if len(reqs) != 1 || reqs[0].JobID != job.ID || reqs[0].Type != domain.TriggerManual || *reqs[0].ExecutorParam != "a=1" ||
		reqs[0].AddressList != "http://127.0.0.1:9999" || reqs[0].FailRetryCount != -1 {
		t.Fatalf("requests = %+v", reqs)
	}
	if f := c.get(p.loc); !strings.Contains(f.text(`[data-testid="flash"]`), "triggered") {
		t.Fatalf("flash = %q", f.text(`[data-testid="flash"]`))
	}
}

func TestJobStartStopDelete(t *testing.T) {
	e := newEnv(t)
	e.mustUser("alice", domain.RoleAdmin)
	g := e.mustGroup("app-a", "A")
	job := e.mustJob(g.ID, "nightly")
	none := sqltestJob(t, e, &domain.JobInfo{GroupID: g.ID, Desc: "manual only", ScheduleType: domain.ScheduleNone})
	c := e.client()
	c.login("alice")
	store := sqlstore.NewJobStore(e.db)

	p := c.post("/jobinfo/"+itoa(job.ID)+"/start", url.Values{"next": {"/jobinfo?page=1"}})
	if p.status != http.StatusSeeOther || p.loc != "/jobinfo?page=1" {
		t.Fatalf("start: %d %q", p.status, p.loc)
	}
	j, _ := store.FindJobByID(context.Background(), job.ID)
	if j.TriggerStatus != domain.TriggerRunning || j.TriggerNextTime <= e.clock.Now().UnixMilli() {
		t.Fatalf("after start: %+v", j)
	}
	list := c.get("/jobinfo")
	if !strings.Contains(list.text("#job-"+itoa(job.ID)), "Running") {
		t.Fatal("list does not show running")
	}

	p = c.post("/jobinfo/"+itoa(none.ID)+"/start", nil)
	if f := c.get(p.loc); !strings.Contains(f.text(`[data-testid="flash"]`), "cannot be started") {
		t.Fatalf("NONE start flash = %q", f.text(`[data-testid="flash"]`))
	}

	c.post("/jobinfo/"+itoa(job.ID)+"/stop", nil)
	j, _ = store.FindJobByID(context.Background(), job.ID)
	if j.TriggerStatus != domain.TriggerStopped || j.TriggerNextTime != 0 {
		t.Fatalf("after stop: %+v", j)
	}
	e.mustLog(g.ID, job.ID, 200, 200)
	c.post("/jobinfo/"+itoa(job.ID)+"/delete", nil)
	if _, err := store.FindJobByID(context.Background(), job.ID); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Fatalf("job not deleted: %v", err)
	}
	if res, _ := sqlstore.NewLogStore(e.db).FindLogs(context.Background(), logsOf(job.ID)); res.Total != 0 {
		t.Fatalf("%d logs left", res.Total)
	}
}

func TestNextTimesFragment(t *testing.T) {
	e := newEnv(t)
	e.mustUser("alice", domain.RoleAdmin)
	c := e.client()
	c.login("alice")
	p := c.get("/jobinfo/nexttimes?scheduleType=FIX_RATE&scheduleConf=30&timeZone=Asia/Tokyo", "HX-Request", "true")
	if strings.Contains(p.body, "<html") || p.doc.Find(`#next-times li`).Length() != 5 || !strings.Contains(p.body, "Asia/Tokyo") {
		t.Fatalf("fragment: %s", p.body)
	}
	p = c.get("/jobinfo/nexttimes?scheduleType=FIX_RATE&scheduleConf=0", "HX-Request", "true")
	if !p.has(`[data-testid="next-times-error"]`) {
		t.Fatalf("no error for rate 0: %s", p.body)
	}
	p = c.get("/jobinfo/nexttimes?scheduleType=CRON&scheduleConf=0+0+1+*+*+?&timeZone=Mars/Base", "HX-Request", "true")
	if !strings.Contains(p.text(`[data-testid="next-times-error"]`), "Unknown time zone") {
		t.Fatalf("bad zone: %s", p.body)
	}
}

func TestGlueEditor(t *testing.T) {
	e := newEnv(t)
	e.mustUser("alice", domain.RoleAdmin)
	g := e.mustGroup("app-a", "A")
	bean := e.mustJob(g.ID, "bean")
	shell := sqltestJob(t, e, &domain.JobInfo{GroupID: g.ID, Desc: "shell", GlueType: domain.GlueShell, GlueSource: "echo 1"})
	c := e.client()
	c.login("alice")

	if p := c.get("/jobcode/" + itoa(bean.ID)); p.status != http.StatusUnprocessableEntity {
		t.Fatalf("BEAN job editor: %d", p.status)
	}
	p := c.get("/jobcode?jobId=" + itoa(shell.ID))
	if p.status != http.StatusSeeOther || p.loc != "/jobcode/"+itoa(shell.ID) {
		t.Fatalf("legacy path: %d %q", p.status, p.loc)
	}
	p = c.get("/jobcode/" + itoa(shell.ID))
	if ta := p.doc.Find(`textarea[data-glue-editor]`); ta.Length() != 1 || ta.AttrOr("data-glue-type", "") != "GLUE_SHELL" || ta.Text() != "echo 1" {
		t.Fatalf("editor: %s", p.body)
	}
	p = c.post("/jobcode/"+itoa(shell.ID), url.Values{"glueSource": {"echo 2\r\n"}, "glueRemark": {"no"}})
	if p.status != http.StatusUnprocessableEntity || !p.has(`[data-testid="error-glueRemark"]`) {
		t.Fatalf("short remark: %d", p.status)
	}
	if ta := p.doc.Find(`textarea[data-glue-editor]`); !strings.Contains(ta.Text(), "echo 2") {
		t.Fatal("edited source lost on error")
	}
	p = c.post("/jobcode/"+itoa(shell.ID), url.Values{"glueSource": {"echo 2\r\n"}, "glueRemark": {"second version"}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("save: %d", p.status)
	}
	p = c.get(p.loc)
	if p.doc.Find(`[data-testid="glue-version"]`).Length() != 1 || !strings.Contains(p.text(`[data-testid="glue-versions"]`), "second version") {
		t.Fatalf("versions: %s", p.text(`[data-testid="glue-versions"]`))
	}
	j, _ := sqlstore.NewJobStore(e.db).FindJobByID(context.Background(), shell.ID)
	if j.GlueSource != "echo 2\n" || j.GlueRemark != "second version" {
		t.Fatalf("job glue = %q %q", j.GlueSource, j.GlueRemark)
	}
}

// TestNextTimesRealSchedules checks the live preview against the real
// schedules at a fixed instant: exact cron fire times in the job's zone
// across a daylight-saving gap, fixed delays with their note, and cron
// errors localized with the field at fault.
func TestNextTimesRealSchedules(t *testing.T) {
	e := newEnv(t)
	e.clock.Set(time.Date(2026, 3, 28, 12, 0, 0, 0, time.UTC))
	e.mustUser("alice", domain.RoleAdmin)
	c := e.client()
	c.login("alice")
	get := func(q url.Values) *page {
		t.Helper()
		return c.get("/jobinfo/nexttimes?"+q.Encode(), "HX-Request", "true")
	}
	times := func(p *page) []string {
		var out []string
		p.doc.Find(`#next-times li`).Each(func(_ int, s *goquery.Selection) { out = append(out, strings.TrimSpace(s.Text())) })
		return out
	}

	// 02:30 does not exist in Berlin on 29 March 2026: the fire moves to
	// the end of the gap, once.
	p := get(url.Values{"scheduleType": {"CRON"}, "scheduleConf": {"0 30 2 * * ?"}, "timeZone": {"Europe/Berlin"}})
	want := []string{"2026-03-29 03:00:00 CEST", "2026-03-30 02:30:00 CEST", "2026-03-31 02:30:00 CEST", "2026-04-01 02:30:00 CEST", "2026-04-02 02:30:00 CEST"}
	if got := times(p); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("Berlin 02:30 = %v, want %v", got, want)
	}
	if z := p.text(`[data-testid="next-times-zone"]`); !strings.Contains(z, "Europe/Berlin") {
		t.Errorf("zone note %q", z)
	}
	// Without a zone of its own, the job uses the console's zone (UTC+8).
	p = get(url.Values{"scheduleType": {"CRON"}, "scheduleConf": {"0 15 10 ? * 6#3"}})
	if got := times(p); len(got) != 5 || got[0] != "2026-04-17 10:15:00 UTC+8" || got[1] != "2026-05-15 10:15:00 UTC+8" {
		t.Errorf("third Fridays = %v", got)
	}
	// Fixed delay: counted from now, with the note that runs take time.
	p = get(url.Values{"scheduleType": {"FIX_DELAY"}, "scheduleConf": {"600"}, "timeZone": {"Asia/Tokyo"}})
	if got := times(p); len(got) != 5 || got[0] != "2026-03-28 21:10:00 JST" || got[4] != "2026-03-28 21:50:00 JST" {
		t.Errorf("fixed delay = %v", got)
	}
	if !p.has(`[data-testid="next-times-fix-delay"]`) {
		t.Error("fixed delay without its note")
	}
	if p = get(url.Values{"scheduleType": {"FIX_RATE"}, "scheduleConf": {"600"}}); p.has(`[data-testid="next-times-fix-delay"]`) {
		t.Error("fixed rate with the fixed-delay note")
	}

	// Cron errors name the field, in the reader's language.
	for lang, want := range map[string]string{
		"en":    `day-of-week: "8" is out of range 1-7.`,
		"zh-CN": "周：“8”超出范围 1-7。",
		"zh-TW": "週：「8」超出範圍 1-7。",
	} {
		c.post("/lang", url.Values{"lang": {lang}})
		p = get(url.Values{"scheduleType": {"CRON"}, "scheduleConf": {"0 0 9 ? * 8"}})
		if got := p.text(`[data-testid="next-times-error"]`); got != want {
			t.Errorf("%s: cron error %q, want %q", lang, got, want)
		}
	}
}

// TestJobFixDelayAndZone saves a job with a fixed delay in its own zone
// and finds both on the edit form.
func TestJobFixDelayAndZone(t *testing.T) {
	e := newEnv(t)
	e.mustUser("alice", domain.RoleAdmin)
	g := e.mustGroup("app-a", "A")
	c := e.client()
	c.login("alice")
	c.get("/jobinfo/new")

	form := jobForm(g.ID, "export", "600")
	form.Set("scheduleType", "FIX_DELAY")
	form.Set("timeZone", "Asia/Tokyo")
	p := c.post("/jobinfo", form)
	if p.status != http.StatusSeeOther {
		t.Fatalf("create: %d %s", p.status, p.text(`.field-error`))
	}
	jobs, _, _ := sqlstore.NewJobStore(e.db).FindJobs(context.Background(), portsAll())
	if len(jobs) != 1 || jobs[0].ScheduleType != domain.ScheduleFixDelay || jobs[0].ScheduleConf != "600" || jobs[0].TimeZone != "Asia/Tokyo" {
		t.Fatalf("stored %+v", jobs)
	}
	edit := c.get("/jobinfo/" + itoa(jobs[0].ID) + "/edit")
	if v, _ := edit.doc.Find(`#scheduleType option[selected]`).Attr("value"); v != "FIX_DELAY" {
		t.Errorf("schedule type on the edit form = %q", v)
	}
	if v, _ := edit.doc.Find(`#timeZone`).Attr("value"); v != "Asia/Tokyo" {
		t.Errorf("zone on the edit form = %q", v)
	}
	if n := edit.doc.Find(`#next-times li`).Length(); n != 5 || !strings.Contains(edit.text(`#next-times li`), "JST") {
		t.Errorf("edit preview: %q", edit.text(`#next-times`))
	}
	if list := c.get("/jobinfo"); !strings.Contains(list.text("#job-"+itoa(jobs[0].ID)), "Asia/Tokyo") {
		t.Error("the list does not show the job's zone")
	}

	// A bad zone is refused next to its field and the input is kept.
	form.Set("timeZone", "Asia/Atlantis")
	p = c.post("/jobinfo/"+itoa(jobs[0].ID), form)
	if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.text(`[data-testid="error-timeZone"]`), "Asia/Atlantis") {
		t.Fatalf("bad zone: %d %q", p.status, p.text(`[data-testid="error-timeZone"]`))
	}
	if v, _ := p.doc.Find(`#scheduleType option[selected]`).Attr("value"); v != "FIX_DELAY" {
		t.Errorf("schedule type lost on error: %q", v)
	}
}
