package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/xjob-dev/xjob/adapters/sqlstore"
	"github.com/xjob-dev/xjob/adapters/web"
	"github.com/xjob-dev/xjob/domain"
)

func TestGroups(t *testing.T) {
	e := newEnv(t)
	e.mustUser("alice", domain.RoleAdmin)
	c := e.client()
	c.login("alice")
	c.get("/jobgroup/new")

	p := c.post("/jobgroup", url.Values{"appname": {"ab"}, "title": {""}, "addressType": {"1"}, "addressList": {"ftp://x"}})
	if p.status != http.StatusUnprocessableEntity {
		t.Fatalf("status %d", p.status)
	}
	for _, f := range []string{"appname", "title", "addressList"} {
		if !p.has(`[data-testid="error-` + f + `"]`) {
			t.Errorf("no error for %s", f)
		}
	}
	if !strings.Contains(p.text(`[data-testid="error-addressList"]`), "http://") {
		t.Errorf("address error = %q", p.text(`[data-testid="error-addressList"]`))
	}
	p = c.post("/jobgroup", url.Values{"appname": {"billing-executor"}, "title": {"Billing"}, "addressType": {"1"}, "addressList": {"http://10.0.0.1:9999, http://10.0.0.2:9999"}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("create: %d %s", p.status, p.body)
	}
	list := c.get("/jobgroup")
	if !strings.Contains(list.text(`[data-testid="group-table"]`), "billing-executor") {
		t.Fatal("group not listed")
	}
	groups, _ := sqlstore.NewGroupStore(e.db).AllGroups(context.Background())
	var g *domain.Group
	for _, x := range groups {
		if x.AppName == "billing-executor" {
			g = x
		}
	}
	if g == nil || g.AddressList != "http://10.0.0.1:9999,http://10.0.0.2:9999" {
		t.Fatalf("group = %+v", g)
	}
	e.mustJob(g.ID, "uses it")
	p = c.post("/jobgroup/"+itoa(g.ID)+"/delete", nil)
	if f := c.get(p.loc); !strings.Contains(f.text(`[data-testid="flash"]`), "Jobs still use") {
		t.Fatalf("delete with jobs: flash %q", f.text(`[data-testid="flash"]`))
	}
}

func TestUsers(t *testing.T) {
	e := newEnv(t)
	me := e.mustUser("alice", domain.RoleAdmin)
	g := e.mustGroup("app-a", "A")
	c := e.client()
	c.login("alice")
	c.get("/user/new")
	p := c.post("/user", url.Values{"username": {"bobby"}, "password": {"secret-pass"}, "role": {"0"}, "permission": {itoa(g.ID)}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("create: %d %s", p.status, p.body)
	}
	p = c.post("/user", url.Values{"username": {"bobby"}, "password": {"secret-pass"}, "role": {"0"}})
	if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.text(`[data-testid="error-username"]`), "taken") {
		t.Fatalf("duplicate: %d", p.status)
	}
	bob, err := sqlstore.NewUserStore(e.db).FindUserByUsername(context.Background(), "bobby")
	if err != nil || bob.Permission != itoa(g.ID) || strings.Contains(bob.Password, "secret") {
		t.Fatalf("bob = %+v, %v", bob, err)
	}
	if must, _ := e.flags.MustChangePassword(context.Background(), bob.ID); !must {
		t.Fatal("admin-set password is not temporary")
	}
	list := c.get("/user")
	if !strings.Contains(list.text(`[data-testid="user-table"]`), "must change password") {
		t.Fatal("list does not show the flag")
	}
	// Self edit and delete are refused.
	if p := c.get("/user/" + itoa(me.ID) + "/edit"); p.status != http.StatusUnprocessableEntity {
		t.Fatalf("self edit page: %d", p.status)
	}
	if p := c.post("/user/"+itoa(me.ID)+"/delete", nil); p.status != http.StatusUnprocessableEntity {
		t.Fatalf("self delete: %d", p.status)
	}
	p = c.post("/user/"+itoa(bob.ID), url.Values{"password": {""}, "role": {"1"}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("update: %d", p.status)
	}
	bob2, _ := sqlstore.NewUserStore(e.db).FindUserByID(context.Background(), bob.ID)
	if bob2.Role != domain.RoleAdmin || bob2.Password != bob.Password {
		t.Fatalf("update changed the wrong things: %+v", bob2)
	}
	if p := c.post("/user/"+itoa(bob.ID)+"/delete", nil); p.status != http.StatusSeeOther {
		t.Fatalf("delete: %d", p.status)
	}
}

func TestContextPath(t *testing.T) {
	e := newEnv(t, func(o *web.Options) { o.ContextPath = "/xxl-job-admin" })
	e.mustUser("alice", domain.RoleAdmin)
	c := e.client()
	p := c.get("/xxl-job-admin/auth/login")
	if p.status != http.StatusOK {
		t.Fatalf("login page under context path: %d", p.status)
	}
	if a, _ := p.doc.Find(`form[data-testid="login-form"]`).Attr("action"); a != "/xxl-job-admin/auth/login" {
		t.Fatalf("form action %q", a)
	}
	if href, _ := p.doc.Find(`link[rel="stylesheet"]`).Attr("href"); !strings.HasPrefix(href, "/xxl-job-admin/static/app.css") {
		t.Fatalf("stylesheet %q", href)
	}
	p = c.post("/xxl-job-admin/auth/login", url.Values{"userName": {"alice"}, "password": {testPassword}})
	if p.status != http.StatusSeeOther || p.loc != "/xxl-job-admin/" {
		t.Fatalf("login: %d %q", p.status, p.loc)
	}
	for _, ck := range p.header.Values("Set-Cookie") {
		if strings.HasPrefix(ck, "xjob_session=") && !strings.Contains(ck, "Path=/xxl-job-admin/") {
			t.Fatalf("cookie path: %s", ck)
		}
	}
	d := c.get("/xxl-job-admin/dashboard")
	d.doc.Find("a[href]").Each(func(_ int, s *goquery.Selection) {
		if h := s.AttrOr("href", ""); strings.HasPrefix(h, "/") && !strings.HasPrefix(h, "/xxl-job-admin/") {
			t.Errorf("link without context path: %s", h)
		}
	})
}

func TestStatic(t *testing.T) {
	e := newEnv(t)
	for _, name := range []string{"app.css", "htmx.min.js", "editor.js", "favicon.svg"} {
		p := e.client().get("/static/" + name)
		if p.status != http.StatusOK || len(p.body) < 100 {
			t.Errorf("%s: %d (%d bytes)", name, p.status, len(p.body))
		}
	}
}

// An admin's password reset ends the user's open sessions; an edit that
// keeps the password does not.
func TestAdminPasswordResetEndsSessions(t *testing.T) {
	e := newEnv(t)
	e.mustUser("alice", domain.RoleAdmin)
	carol := e.mustUser("carol", domain.RoleUser)
	admin, user := e.client(), e.client()
	admin.login("alice")
	user.login("carol")

	admin.get("/user/" + itoa(carol.ID) + "/edit")
	if p := admin.post("/user/"+itoa(carol.ID), url.Values{"password": {""}, "role": {"0"}}); p.status != http.StatusSeeOther {
		t.Fatalf("edit: %d %s", p.status, p.body)
	}
	if p := user.get("/dashboard"); p.status != http.StatusOK {
		t.Fatalf("after an edit without password the session should live: %d", p.status)
	}
	admin.get("/user/" + itoa(carol.ID) + "/edit")
	if p := admin.post("/user/"+itoa(carol.ID), url.Values{"password": {"a-new-secret-1"}, "role": {"0"}}); p.status != http.StatusSeeOther {
		t.Fatalf("reset: %d %s", p.status, p.body)
	}
	if p := user.get("/dashboard"); p.status != http.StatusSeeOther || !strings.Contains(p.loc, "/auth/login") {
		t.Fatalf("after a reset the old session should be gone: %d %q", p.status, p.loc)
	}
}
