package web_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/xjob-dev/xjob/adapters/sqlstore/sqltest"
	"github.com/xjob-dev/xjob/domain"
)

// TestE2ELogPaging pages through the run logs in a browser: the pager's
// htmx links replace the results in place (one results section, never
// nested), push the page's URL, and lead back.
func TestE2ELogPaging(t *testing.T) {
	ctx := browser(t, 1366, 900)
	a := newE2EAdmin(t, 1, time.Second)
	base := a.ts.URL
	g := sqltest.MustCreateGroup(t, a.db, &domain.Group{AppName: "paging-executor", Title: "Paging", AddressType: domain.AddressManual, AddressList: "http://127.0.0.1:1"})
	job := sqltest.MustCreateJob(t, a.db, &domain.JobInfo{GroupID: g.ID, Desc: "paged job"})
	now := time.Now().Truncate(time.Second)
	var logs []*domain.JobLog
	for i := range 25 {
		logs = append(logs, &domain.JobLog{GroupID: g.ID, JobID: job.ID, TriggerTime: now.Add(time.Duration(i-25) * time.Minute),
			TriggerCode: 200, HandleCode: 200})
	}
	sqltest.MustCreateLogs(t, a.db, logs...)
	a.mustUser(t, "admin", domain.RoleAdmin)
	login(t, ctx, base, "admin")

	firstRow := func(i int) chromedp.Action[chromedp.Void] {
		return chromedp.WaitVisible(`tr[data-testid="log-row"]:first-child#log-` + itoa(logs[i].ID))
	}
	run(t, ctx, "page 1",
		chromedp.Navigate(base+"/joblog?jobGroup="+itoa(g.ID)+"&size=10"),
		firstRow(24),
		chromedp.WaitVisible(`//span[@data-testid="pager-total"][contains(., "25 in total · page 1 of 3")]`),
	)
	run(t, ctx, "page 2", chromedp.Click(tid("pager-next")), firstRow(14),
		chromedp.WaitVisible(`//span[@data-testid="pager-total"][contains(., "page 2 of 3")]`))
	run(t, ctx, "page 3", chromedp.Click(tid("pager-next")), firstRow(4))
	if n := value(t, ctx, "results sections", chromedp.Evaluate[int](`document.querySelectorAll("#log-results").length`)); n != 1 {
		t.Fatalf("%d #log-results sections after paging", n)
	}
	if loc := value(t, ctx, "url", chromedp.Location()); !strings.Contains(loc, "before="+itoa(logs[5].ID)) || !strings.Contains(loc, "page=3") {
		t.Fatalf("page 3 URL %q", loc)
	}
	run(t, ctx, "back to page 2", chromedp.Click(tid("pager-prev")), firstRow(14))
	run(t, ctx, "newest", chromedp.Click(tid("pager-prev")), firstRow(24),
		chromedp.WaitVisible(`//span[@data-testid="pager-total"][contains(., "page 1 of 3")]`))
}
