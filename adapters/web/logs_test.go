package web_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/xjob-dev/xjob/adapters/sqlstore"
	"github.com/xjob-dev/xjob/adapters/sqlstore/sqltest"
	"github.com/xjob-dev/xjob/domain"
	"github.com/xjob-dev/xjob/ports"
)

func portsAll() ports.JobFilter { return ports.JobFilter{TriggerStatus: -1} }

func logsOf(jobID int64) ports.LogFilter {
	return ports.LogFilter{JobID: jobID, Status: domain.LogStatusAll}
}

func sqltestJob(t *testing.T, e *env, j *domain.JobInfo) *domain.JobInfo {
	t.Helper()
	return sqltest.MustCreateJob(t, e.db, j)
}

func TestLogListSanitizesMessages(t *testing.T) {
	e := newEnv(t)
	e.mustUser("alice", domain.RoleAdmin)
	g := e.mustGroup("app-a", "A")
	job := e.mustJob(g.ID, "nightly")
	l := e.mustLog(g.ID, job.ID, 200, 0)
	l.TriggerMsg = `Trigger type：Manual<br><span style="color:#00c0ef;" > >>Trigger<< </span><br><img src=x onerror=alert(1)><script>alert(2)</script>`
	if err := sqlstore.NewLogStore(e.db).UpdateTriggerInfos(context.Background(), []*domain.JobLog{l}); err != nil {
		t.Fatal(err)
	}
	c := e.client()
	c.login("alice")
	p := c.get("/joblog?jobGroup=" + itoa(g.ID))
	if p.status != http.StatusOK || p.doc.Find(`[data-testid="log-row"]`).Length() != 1 {
		t.Fatalf("status %d rows %d", p.status, p.doc.Find(`[data-testid="log-row"]`).Length())
	}
	msg := p.doc.Find(`[data-testid="trigger-msg"]`)
	if msg.Find("img, script").Length() != 0 || msg.Find(`span[style="color:#00c0ef"]`).Length() != 1 || msg.Find("br").Length() < 2 {
		h, _ := msg.Html()
		t.Fatalf("sanitized message: %s", h)
	}
	if !strings.Contains(msg.Text(), "<img src=x onerror=alert(1)>") {
		t.Fatal("escaped markup should show as text")
	}
	// A running log offers kill; htmx fragment of the table.
	if !p.has(`[data-testid="log-kill"]`) {
		t.Fatal("no kill button for a running log")
	}
	f := c.get("/joblog?jobGroup="+itoa(g.ID), "HX-Request", "true", "HX-Target", "log-results")
	if strings.Contains(f.body, "<html") || !f.has("#log-results") {
		t.Fatal("log fragment is not a fragment")
	}
}

func TestLogDetailRolls(t *testing.T) {
	e := newEnv(t)
	e.mustUser("alice", domain.RoleAdmin)
	g := e.mustGroup("app-a", "A")
	job := e.mustJob(g.ID, "nightly")
	l := e.mustLog(g.ID, job.ID, 200, 0)
	lines := []string{"line 1 <b>bold</b>", "line 2 <script>x</script>", "line 3"}
	e.reader.fn = func(_ context.Context, id int64, from int) (*domain.LogResult, error) {
		if id != l.ID {
			return nil, errors.New("wrong log")
		}
		// ReadLog hands out escaped content with <br>/<b> restored.
		if from > len(lines) {
			return &domain.LogResult{FromLineNum: from, ToLineNum: from - 1}, nil
		}
		content := strings.ReplaceAll(strings.ReplaceAll(lines[from-1], "<script>", "&lt;script&gt;"), "</script>", "&lt;/script&gt;") + "<br>"
		return &domain.LogResult{FromLineNum: from, ToLineNum: from, LogContent: content}, nil
	}
	c := e.client()
	c.login("alice")
	p := c.get("/joblog/" + itoa(l.ID))
	console := p.doc.Find(`[data-testid="log-console"]`)
	if !strings.Contains(console.Text(), "line 1") || console.Find("b").Length() != 1 {
		t.Fatalf("console: %s", p.body)
	}
	poll, ok := p.doc.Find(`[data-testid="log-poller"]`).Attr("hx-get")
	if !ok || !strings.Contains(poll, "from=2") {
		t.Fatalf("poller = %q", poll)
	}
	f := c.get(poll, "HX-Request", "true")
	if !strings.Contains(f.body, "line 2") || strings.Contains(f.body, "<script>") || !strings.Contains(f.body, `hx-swap-oob="true"`) {
		t.Fatalf("chunk 2: %s", f.body)
	}
	// The run finishes; the next read reaches the end.
	l.RecordHandle(200, "ok", e.clock.Now())
	if _, err := sqlstore.NewLogStore(e.db).UpdateHandleInfo(context.Background(), l); err != nil {
		t.Fatal(err)
	}
	e.reader.fn = func(_ context.Context, _ int64, from int) (*domain.LogResult, error) {
		return &domain.LogResult{FromLineNum: from, ToLineNum: from - 1, IsEnd: true}, nil
	}
	f = c.get("/joblog/"+itoa(l.ID)+"/cat?from=4", "HX-Request", "true")
	if !f.has(`[data-testid="log-end"]`) || f.has(`[data-testid="log-poller"]`) || !strings.Contains(f.text(`#log-status`), "Success") {
		t.Fatalf("end chunk: %s", f.body)
	}
}

func TestLogKill(t *testing.T) {
	e := newEnv(t)
	e.mustUser("alice", domain.RoleAdmin)
	g := e.mustGroup("app-a", "A")
	job := e.mustJob(g.ID, "nightly")
	l := e.mustLog(g.ID, job.ID, 200, 0)
	var killed int64
	e.killer.fn = func(_ context.Context, id int64) (string, error) { killed = id; return "ok", nil }
	c := e.client()
	c.login("alice")
	c.get("/joblog/" + itoa(l.ID))
	p := c.post("/joblog/"+itoa(l.ID)+"/kill", url.Values{"next": {"/joblog/" + itoa(l.ID)}})
	if p.status != http.StatusSeeOther || killed != l.ID {
		t.Fatalf("kill: %d, killed %d", p.status, killed)
	}
	e.killer.fn = func(context.Context, int64) (string, error) {
		return "", domain.Errorf(domain.EUNAVAILABLE, "connection refused")
	}
	p = c.post("/joblog/"+itoa(l.ID)+"/kill", nil)
	if p.status != http.StatusBadGateway || !strings.Contains(p.body, "connection refused") {
		t.Fatalf("unreachable executor: %d", p.status)
	}
}

func TestClearLogs(t *testing.T) {
	e := newEnv(t)
	ga, gb := e.mustGroup("app-a", "A"), e.mustGroup("app-b", "B")
	e.mustUser("ann", domain.RoleUser, ga.ID)
	ja, jb := e.mustJob(ga.ID, "a"), e.mustJob(gb.ID, "b")
	for i := 0; i < 3; i++ {
		e.mustLog(ga.ID, ja.ID, 200, 200)
		e.mustLog(gb.ID, jb.ID, 200, 200)
	}
	c := e.client()
	c.login("ann")
	if p := c.get("/joblog/clear?jobGroup=" + itoa(ga.ID)); !p.has(`[data-testid="clear-form"]`) {
		t.Fatal("no clear form")
	}
	if p := c.post("/joblog/clear", url.Values{"jobGroup": {itoa(gb.ID)}, "jobId": {"0"}, "type": {"9"}}); p.status != http.StatusForbidden {
		t.Fatalf("clear foreign group: %d", p.status)
	}
	if p := c.post("/joblog/clear", url.Values{"jobGroup": {itoa(ga.ID)}, "jobId": {"0"}, "type": {"42"}}); p.status != http.StatusUnprocessableEntity {
		t.Fatalf("bad type: %d", p.status)
	}
	if p := c.post("/joblog/clear", url.Values{"jobGroup": {itoa(ga.ID)}, "jobId": {"0"}, "type": {"9"}}); p.status != http.StatusSeeOther {
		t.Fatalf("clear: %d %s", p.status, p.body)
	}
	logs := sqlstore.NewLogStore(e.db)
	if res, _ := logs.FindLogs(context.Background(), logsOf(ja.ID)); res.Total != 0 {
		t.Fatalf("group A logs left: %d", res.Total)
	}
	if res, _ := logs.FindLogs(context.Background(), logsOf(jb.ID)); res.Total != 3 {
		t.Fatalf("group B logs: %d", res.Total)
	}
}

// logRowIDs returns the ids of a log list page's rows.
func logRowIDs(p *page) []string {
	var ids []string
	p.doc.Find(`[data-testid="log-row"]`).Each(func(_ int, s *goquery.Selection) {
		id, _ := s.Attr("id")
		ids = append(ids, strings.TrimPrefix(id, "log-"))
	})
	return ids
}

// pagerLink returns the href of a pager link ("" if there is none).
func pagerLink(p *page, testid string) string {
	href, _ := p.doc.Find(`[data-testid="` + testid + `"]`).Attr("href")
	return href
}

// TestLogListPagesByCursor walks the log list by its pager: pages after
// and before a log id, an exact total with its page count, back to the
// newest logs.
func TestLogListPagesByCursor(t *testing.T) {
	e := newEnv(t)
	e.mustUser("alice", domain.RoleAdmin)
	g := e.mustGroup("app-a", "A")
	job := e.mustJob(g.ID, "nightly")
	// Older than the default range (seven days): the links keep range=all.
	old := e.clock.Now().Truncate(time.Second).AddDate(0, 0, -8)
	var logs []*domain.JobLog
	for i := range 25 {
		logs = append(logs, &domain.JobLog{GroupID: g.ID, JobID: job.ID, TriggerTime: old.Add(time.Duration(i-25) * time.Minute),
			TriggerCode: 200, HandleCode: 200})
	}
	sqltest.MustCreateLogs(t, e.db, logs...)
	ids := func(newest, oldest int) []string { // logs[newest] down to logs[oldest]
		var out []string
		for i := newest; i >= oldest; i-- {
			out = append(out, itoa(logs[i].ID))
		}
		return out
	}
	c := e.client()
	c.login("alice")
	want := func(what string, p *page, rows []string, total string) {
		t.Helper()
		if got := logRowIDs(p); !slices.Equal(got, rows) {
			t.Fatalf("%s: rows %v, want %v", what, got, rows)
		}
		if got := p.text(`[data-testid="pager-total"]`); got != total {
			t.Fatalf("%s: total %q, want %q", what, got, total)
		}
	}
	p1 := c.get("/joblog?jobGroup=" + itoa(g.ID) + "&range=all&size=10")
	want("page 1", p1, ids(24, 15), "25 in total · page 1 of 3")
	if pagerLink(p1, "pager-prev") != "" || !strings.Contains(pagerLink(p1, "pager-next"), "before="+itoa(logs[15].ID)) {
		t.Fatalf("page 1 links: prev %q next %q", pagerLink(p1, "pager-prev"), pagerLink(p1, "pager-next"))
	}
	p2 := c.get(pagerLink(p1, "pager-next"))
	want("page 2", p2, ids(14, 5), "25 in total · page 2 of 3")
	if prev := pagerLink(p2, "pager-prev"); strings.Contains(prev, "after=") || strings.Contains(prev, "before=") {
		t.Fatalf("page 2 leads back to %q, want the first page", prev)
	}
	p3 := c.get(pagerLink(p2, "pager-next"))
	want("page 3", p3, ids(4, 0), "25 in total · page 3 of 3")
	if pagerLink(p3, "pager-next") != "" || pagerLink(p3, "pager-newest") == "" {
		t.Fatalf("page 3 links: next %q newest %q", pagerLink(p3, "pager-next"), pagerLink(p3, "pager-newest"))
	}
	back := c.get(pagerLink(p3, "pager-prev"))
	want("back to page 2", back, ids(14, 5), "25 in total · page 2 of 3")
	// Newer logs than a page that reaches the newest are the first page.
	top := c.get("/joblog?jobGroup=" + itoa(g.ID) + "&range=all&size=10&page=2&after=" + itoa(logs[20].ID))
	want("newer than the newest page", top, ids(24, 15), "25 in total · page 1 of 3")
	if pagerLink(top, "pager-prev") != "" || top.has(`[data-testid="partial"]`) {
		t.Fatalf("the newest page offers a newer one (%q) or calls itself partial", pagerLink(top, "pager-prev"))
	}
	f := c.get(pagerLink(p1, "pager-next"), "HX-Request", "true", "HX-Target", "log-results")
	if strings.Contains(f.body, "<html") || !slices.Equal(logRowIDs(f), ids(14, 5)) {
		t.Fatalf("next page fragment: %s", f.body)
	}
}

// TestLogListCappedTotal shows a total the store stopped counting as a
// lower bound in the three languages, and a page of a sparse filter that
// found nothing in the stretch it searched, with the link that searches on.
func TestLogListCappedTotal(t *testing.T) {
	e := newEnv(t)
	e.mustUser("alice", domain.RoleAdmin)
	g := e.mustGroup("app-a", "A")
	job := e.mustJob(g.ID, "nightly")
	now := e.clock.Now().Truncate(time.Second)
	// More logs than one page searches (25 000 of a group, by default);
	// only the three oldest failed.
	const n = 25_010
	logs := make([]*domain.JobLog, n)
	for i := range logs {
		logs[i] = &domain.JobLog{GroupID: g.ID, JobID: job.ID, TriggerTime: now.Add(time.Duration(i-n) * time.Second),
			TriggerCode: 200, HandleCode: 200}
		if i < 3 {
			logs[i].HandleCode = 500
		}
	}
	sqltest.MustCreateLogs(t, e.db, logs...)
	for lang, total := range map[string]string{
		"en":    "10,000+ in total · page 1",
		"zh-CN": "共 10,000+ 条 · 第 1 页",
		"zh-TW": "共 10,000+ 筆 · 第 1 頁",
	} {
		c := e.client()
		c.lang = lang
		c.login("alice")
		p := c.get("/joblog?jobGroup=" + itoa(g.ID) + "&range=all")
		if got := p.text(`[data-testid="pager-total"]`); got != total {
			t.Errorf("%s: total %q, want %q", lang, got, total)
		}
		if hint, _ := p.doc.Find(`[data-testid="pager-total"]`).Attr("title"); hint == "" {
			t.Errorf("%s: the capped total has no explanation", lang)
		}
	}
	c := e.client()
	c.login("alice")
	p := c.get("/joblog?jobGroup=" + itoa(g.ID) + "&range=all&logStatus=2")
	if len(logRowIDs(p)) != 0 || !p.has(`[data-testid="empty-partial"]`) || p.text(`[data-testid="pager-total"]`) != "Page 1" {
		t.Fatalf("failed logs, first stretch: rows %v, partial %v, total %q", logRowIDs(p), p.has(`[data-testid="empty-partial"]`),
			p.text(`[data-testid="pager-total"]`))
	}
	p = c.get(pagerLink(p, "pager-next"))
	want := []string{itoa(logs[2].ID), itoa(logs[1].ID), itoa(logs[0].ID)}
	if got := logRowIDs(p); !slices.Equal(got, want) || pagerLink(p, "pager-next") != "" {
		t.Fatalf("failed logs, next stretch: rows %v (want %v), next %q", got, want, pagerLink(p, "pager-next"))
	}
}
