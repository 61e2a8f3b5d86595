package web_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

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
	if _, n, _ := logs.FindLogs(context.Background(), logsOf(ja.ID)); n != 0 {
		t.Fatalf("group A logs left: %d", n)
	}
	if _, n, _ := logs.FindLogs(context.Background(), logsOf(jb.ID)); n != 3 {
		t.Fatalf("group B logs: %d", n)
	}
}
