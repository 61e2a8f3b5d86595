package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/xjob-dev/xjob/adapters/sqlstore"
	"github.com/xjob-dev/xjob/domain"
)

func TestLogin(t *testing.T) {
	e := newEnv(t)
	e.mustUser("alice", domain.RoleAdmin)

	t.Run("RedirectsToLogin", func(t *testing.T) {
		p := e.client().get("/jobinfo?jobGroup=1")
		if p.status != http.StatusSeeOther || !strings.HasPrefix(p.loc, "/auth/login?next=") {
			t.Fatalf("status %d location %q", p.status, p.loc)
		}
	})

	t.Run("PageHasCSRFAndNoScriptInline", func(t *testing.T) {
		p := e.client().get("/auth/login")
		if p.status != http.StatusOK || !p.has(`[data-testid="login-form"] input[name="_csrf"]`) {
			t.Fatalf("login page: %d %s", p.status, p.body)
		}
		p.doc.Find("script").Each(func(_ int, s *goquery.Selection) {
			if strings.TrimSpace(s.Text()) != "" {
				t.Errorf("inline script found: %q", s.Text())
			}
		})
	})

	t.Run("OK", func(t *testing.T) {
		c := e.client()
		c.get("/auth/login")
		p := c.post("/auth/login", url.Values{"userName": {"alice"}, "password": {testPassword}, "ifRemember": {"on"}, "next": {"/jobinfo"}})
		if p.status != http.StatusSeeOther || p.loc != "/jobinfo" {
			t.Fatalf("status %d location %q body %s", p.status, p.loc, p.body)
		}
		var sess *http.Cookie
		for _, ck := range p.header.Values("Set-Cookie") {
			if strings.HasPrefix(ck, "xjob_session=") {
				sess, _ = http.ParseSetCookie(ck)
			}
		}
		if sess == nil || !sess.HttpOnly || sess.SameSite != http.SameSiteLaxMode || sess.MaxAge <= 0 {
			t.Fatalf("session cookie = %+v", sess)
		}
		if d := c.get("/dashboard"); d.status != http.StatusOK || d.text(`[data-testid="account-menu"]`) != "alice" {
			t.Fatalf("dashboard after login: %d", d.status)
		}
		// The session is stored hashed in xxl_job_user.token, never the cookie secret.
		u, _ := sqlstore.NewUserStore(e.db).FindUserByUsername(context.Background(), "alice")
		if !strings.HasPrefix(u.Token, "x2|") || strings.Contains(sess.Value, u.Token) {
			t.Fatalf("token column = %q", u.Token)
		}
	})

	t.Run("OpenRedirectRefused", func(t *testing.T) {
		c := e.client()
		c.get("/auth/login")
		p := c.post("/auth/login", url.Values{"userName": {"alice"}, "password": {testPassword}, "next": {"//evil.example/x"}})
		if p.loc != "/dashboard" && p.loc != "/" {
			t.Fatalf("redirected to %q", p.loc)
		}
	})

	t.Run("WrongPassword", func(t *testing.T) {
		c := e.client()
		c.get("/auth/login")
		p := c.post("/auth/login", url.Values{"userName": {"alice"}, "password": {"nope-nope"}})
		if p.status != http.StatusUnauthorized || !strings.Contains(p.text(`[data-testid="alert"]`), "Wrong username or password") {
			t.Fatalf("status %d alert %q", p.status, p.text(`[data-testid="alert"]`))
		}
	})

	t.Run("Logout", func(t *testing.T) {
		c := e.client()
		c.login("alice")
		p := c.post("/auth/logout", nil)
		if p.status != http.StatusSeeOther || p.loc != "/auth/login" {
			t.Fatalf("logout: %d %q", p.status, p.loc)
		}
		if d := c.get("/dashboard"); d.status != http.StatusSeeOther {
			t.Fatalf("still signed in after logout: %d", d.status)
		}
	})
}

func TestLoginRateLimit(t *testing.T) {
	e := newEnv(t)
	e.mustUser("bob", domain.RoleUser)
	c := e.client()
	c.get("/auth/login")
	for i := 0; i < 5; i++ {
		if p := c.post("/auth/login", url.Values{"userName": {"bob"}, "password": {"wrong-" + string(rune('a'+i))}}); p.status != http.StatusUnauthorized {
			t.Fatalf("attempt %d: status %d", i, p.status)
		}
	}
	// Locked: even the right password is refused now.
	p := c.post("/auth/login", url.Values{"userName": {"bob"}, "password": {testPassword}})
	if p.status != http.StatusTooManyRequests || !strings.Contains(p.text(`[data-testid="alert"]`), "Too many failed sign-ins") {
		t.Fatalf("status %d: %s", p.status, p.text(`[data-testid="alert"]`))
	}
	// Another username from the same IP is not locked yet.
	e.mustUser("carol", domain.RoleUser)
	if p := c.post("/auth/login", url.Values{"userName": {"carol"}, "password": {testPassword}}); p.status != http.StatusSeeOther {
		t.Fatalf("other user: status %d", p.status)
	}
}

func TestCSRF(t *testing.T) {
	e := newEnv(t)
	e.mustUser("alice", domain.RoleAdmin)
	g := e.mustGroup("app-a", "A")
	job := e.mustJob(g.ID, "nightly")
	c := e.client()
	c.login("alice")

	t.Run("MissingToken", func(t *testing.T) {
		p := c.post("/jobinfo/"+itoa(job.ID)+"/delete", url.Values{"_csrf": {"forged"}})
		if p.status != http.StatusForbidden || !strings.Contains(p.body, "The form expired") {
			t.Fatalf("status %d", p.status)
		}
	})
	t.Run("TokenOfAnotherSession", func(t *testing.T) {
		other := e.client()
		other.login("alice")
		p := c.post("/jobinfo/"+itoa(job.ID)+"/delete", url.Values{"_csrf": {other.csrf}})
		if p.status != http.StatusForbidden {
			t.Fatalf("status %d", p.status)
		}
	})
	t.Run("CrossSite", func(t *testing.T) {
		p := c.post("/jobinfo/"+itoa(job.ID)+"/delete", nil, "Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example")
		if p.status != http.StatusForbidden {
			t.Fatalf("status %d", p.status)
		}
	})
	t.Run("LoginFormToo", func(t *testing.T) {
		anon := e.client()
		anon.get("/auth/login")
		p := anon.post("/auth/login", url.Values{"_csrf": {"x"}, "userName": {"alice"}, "password": {testPassword}})
		if p.status != http.StatusForbidden {
			t.Fatalf("status %d", p.status)
		}
	})
	if _, err := sqlstore.NewJobStore(e.db).FindJobByID(context.Background(), job.ID); err != nil {
		t.Fatalf("job deleted by a forged request: %v", err)
	}
	t.Run("HeaderTokenAccepted", func(t *testing.T) {
		p := c.post("/jobinfo/"+itoa(job.ID)+"/stop", url.Values{"_csrf": {""}}, "X-CSRF-Token", c.csrf)
		if p.status != http.StatusSeeOther {
			t.Fatalf("status %d %s", p.status, p.body)
		}
	})
}

func TestSecurityHeaders(t *testing.T) {
	e := newEnv(t)
	p := e.client().get("/auth/login")
	csp := p.header.Get("Content-Security-Policy")
	for _, want := range []string{"script-src 'self'", "frame-ancestors 'none'", "object-src 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if p.header.Get("X-Frame-Options") != "DENY" || p.header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("headers: %v", p.header)
	}
	if strings.Contains(csp, "unsafe-eval") || strings.Contains(strings.SplitN(csp, "script-src", 2)[1], "unsafe-inline;") {
		t.Errorf("CSP allows inline or eval script: %q", csp)
	}
}

func TestSecureCookieBehindTLSProxy(t *testing.T) {
	e := newEnv(t)
	e.mustUser("alice", domain.RoleAdmin)
	c := e.client()
	c.get("/auth/login")
	p := c.post("/auth/login", url.Values{"userName": {"alice"}, "password": {testPassword}}, "X-Forwarded-Proto", "https")
	for _, ck := range p.header.Values("Set-Cookie") {
		if strings.HasPrefix(ck, "xjob_session=") && !strings.Contains(ck, "Secure") {
			t.Fatalf("session cookie without Secure: %s", ck)
		}
	}
}

func TestForcedPasswordChange(t *testing.T) {
	e := newEnv(t)
	u := e.mustUser("admin", domain.RoleAdmin)
	if err := e.flags.SetMustChangePassword(context.Background(), u.ID, true); err != nil {
		t.Fatal(err)
	}
	c := e.client()
	c.login("admin")
	if p := c.get("/jobinfo"); p.status != http.StatusSeeOther || p.loc != "/auth/password" {
		t.Fatalf("not sent to change password: %d %q", p.status, p.loc)
	}
	p := c.get("/auth/password")
	if !p.has(`[data-testid="password-page"] .alert-error`) {
		t.Fatal("no forced-change notice")
	}
	p = c.post("/auth/password", url.Values{"oldPassword": {testPassword}, "password": {"short"}, "confirm": {"short"}})
	if p.status != http.StatusUnprocessableEntity || !p.has(`[data-testid="error-password"]`) {
		t.Fatalf("weak password accepted: %d", p.status)
	}
	p = c.post("/auth/password", url.Values{"oldPassword": {testPassword}, "password": {"a-much-better-one"}, "confirm": {"a-much-better-one"}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("change: %d %s", p.status, p.body)
	}
	if p := c.get("/jobinfo"); p.status != http.StatusOK {
		t.Fatalf("after change: %d", p.status)
	}
	if must, _ := e.flags.MustChangePassword(context.Background(), u.ID); must {
		t.Fatal("flag not cleared")
	}
}

func TestDefaultPasswordMustBeChanged(t *testing.T) {
	e := newEnv(t)
	// An adopted 3.x database: admin / 123456 as unsalted SHA-256.
	sqlstoreUser(t, e, &domain.User{Username: "admin", Password: "8d969eef6ecad3c29a3a629280e686cf0c3f5d5a86aff3ca12020c923adc6c92", Role: domain.RoleAdmin})
	c := e.client()
	c.get("/auth/login")
	p := c.post("/auth/login", url.Values{"userName": {"admin"}, "password": {"123456"}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("legacy login: %d", p.status)
	}
	if p := c.get("/dashboard"); p.loc != "/auth/password" {
		t.Fatalf("default password not forced to change: %d %q", p.status, p.loc)
	}
}

func sqlstoreUser(t *testing.T, e *env, u *domain.User) {
	t.Helper()
	if err := sqlstore.NewUserStore(e.db).CreateUser(context.Background(), u); err != nil {
		t.Fatal(err)
	}
}
