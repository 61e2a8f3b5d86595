package web_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/xjob-dev/xjob/adapters/sqlstore/sqltest"
	"github.com/xjob-dev/xjob/domain"
)

// TestE2EListPaging pages through the job, executor and user lists in a
// browser. The shared pager's htmx links (and the job filters) replace the
// results section in place: after each swap there is one results section,
// never one nested in another, holding the rows of the page asked for, and
// the address bar shows that page.
func TestE2EListPaging(t *testing.T) {
	ctx := browser(t, 1366, 900)
	a := newE2EAdmin(t, 1, time.Second)
	base := a.ts.URL
	g := sqltest.MustCreateGroup(t, a.db, &domain.Group{AppName: "pager-00", Title: "Pager", AddressType: domain.AddressManual, AddressList: "http://127.0.0.1:1"})
	var jobs []*domain.JobInfo
	for i := range 25 {
		jobs = append(jobs, sqltest.MustCreateJob(t, a.db, &domain.JobInfo{GroupID: g.ID, Desc: fmt.Sprintf("paged job %02d", i)}))
	}
	for i := 1; i <= 11; i++ { // with pager-00, 12 groups called pager-*
		sqltest.MustCreateGroup(t, a.db, &domain.Group{AppName: fmt.Sprintf("pager-%02d", i), Title: "Pager", AddressType: domain.AddressManual, AddressList: "http://127.0.0.1:1"})
	}
	a.mustUser(t, "admin", domain.RoleAdmin)
	for i := 1; i <= 11; i++ {
		a.mustUser(t, fmt.Sprintf("pager-user-%02d", i), domain.RoleUser, g.ID)
	}
	login(t, ctx, base, "admin")

	total := func(text string) chromedp.Action[chromedp.Void] {
		return chromedp.WaitVisible(`//span[@data-testid="pager-total"][contains(., "` + text + `")]`)
	}
	// oneSection checks that the page holds one results section (the
	// section is its own swap target: a nested one means a wrong swap) with
	// rows rows of testid rowID.
	oneSection := func(step, section, rowID string, rows int) {
		t.Helper()
		if n := value(t, ctx, step+": sections", chromedp.Evaluate[int](`document.querySelectorAll("#`+section+`").length`)); n != 1 {
			html := value(t, ctx, step+": html", chromedp.OuterHTML(chromedp.CSS("main")))
			t.Fatalf("%s: %d #%s sections, want 1\npage: %.3000s", step, n, section, html)
		}
		if n := value(t, ctx, step+": rows", chromedp.Evaluate[int](`document.querySelectorAll('[data-testid="`+rowID+`"]').length`)); n != rows {
			t.Fatalf("%s: %d rows, want %d", step, n, rows)
		}
	}
	urlHas := func(step string, parts ...string) {
		t.Helper()
		loc := value(t, ctx, step+": url", chromedp.Location())
		for _, p := range parts {
			if !strings.Contains(loc, p) {
				t.Fatalf("%s: URL %q lacks %q", step, loc, p)
			}
		}
	}

	// Jobs, newest first, 10 a page: 24..15, 14..5, 4..0.
	firstJob := func(i int) chromedp.Action[chromedp.Void] {
		return chromedp.WaitVisible(`tr[data-testid="job-row"]:first-child#job-` + itoa(jobs[i].ID))
	}
	run(t, ctx, "jobs page 1", chromedp.Navigate(base+"/jobinfo?jobGroup="+itoa(g.ID)+"&size=10"),
		firstJob(24), total("25 in total · page 1 of 3"))
	oneSection("jobs page 1", "job-results", "job-row", 10)
	run(t, ctx, "jobs page 2", chromedp.Click(tid("pager-next")), firstJob(14), total("page 2 of 3"))
	oneSection("jobs page 2", "job-results", "job-row", 10)
	run(t, ctx, "jobs page 3", chromedp.Click(tid("pager-next")), firstJob(4), total("page 3 of 3"))
	oneSection("jobs page 3", "job-results", "job-row", 5)
	urlHas("jobs page 3", "jobGroup="+itoa(g.ID), "size=10", "page=3")
	run(t, ctx, "jobs back to page 2", chromedp.Click(tid("pager-prev")), firstJob(14), total("page 2 of 3"))
	oneSection("jobs back to page 2", "job-results", "job-row", 10)
	// The filters update the same section (page 1, the default size).
	run(t, ctx, "jobs filtered", choose(`select[name="triggerStatus"]`, "0"), total("25 in total · page 1 of 2"), firstJob(24))
	oneSection("jobs filtered", "job-results", "job-row", 20)

	// Executors called pager-* by app name: pager-00..09, then pager-10 and
	// pager-11. A page request gets the whole page; the pager takes the
	// section from it.
	groupRow := func(name string) chromedp.Action[chromedp.Void] {
		return chromedp.WaitVisible(`//tr[@data-testid="group-row"][contains(., "` + name + `")]`)
	}
	run(t, ctx, "executors page 1", chromedp.Navigate(base+"/jobgroup?appname=pager&size=10"), groupRow("pager-00"), total("12 in total · page 1 of 2"))
	oneSection("executors page 1", "group-results", "group-row", 10)
	run(t, ctx, "executors page 2", chromedp.Click(tid("pager-next")), groupRow("pager-11"), total("page 2 of 2"))
	oneSection("executors page 2", "group-results", "group-row", 2)
	urlHas("executors page 2", "appname=pager", "size=10", "page=2")
	run(t, ctx, "executors back to page 1", chromedp.Click(tid("pager-prev")), groupRow("pager-00"), total("page 1 of 2"))
	oneSection("executors back to page 1", "group-results", "group-row", 10)

	// Users called pager-user-* by name: 01..10, then 11.
	userRow := func(name string) chromedp.Action[chromedp.Void] {
		return chromedp.WaitVisible(`//tr[@data-testid="user-row"][contains(., "` + name + `")]`)
	}
	run(t, ctx, "users page 1", chromedp.Navigate(base+"/user?username=pager-user&size=10"), userRow("pager-user-10"), total("11 in total · page 1 of 2"))
	oneSection("users page 1", "user-results", "user-row", 10)
	run(t, ctx, "users page 2", chromedp.Click(tid("pager-next")), userRow("pager-user-11"), total("page 2 of 2"))
	oneSection("users page 2", "user-results", "user-row", 1)
	urlHas("users page 2", "username=pager-user", "size=10", "page=2")
	run(t, ctx, "users back to page 1", chromedp.Click(tid("pager-prev")), userRow("pager-user-01"), total("page 1 of 2"))
	oneSection("users back to page 1", "user-results", "user-row", 10)
}
