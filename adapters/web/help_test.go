package web_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/xjob-dev/xjob/adapters/i18n"
	"github.com/xjob-dev/xjob/adapters/web"
	"github.com/xjob-dev/xjob/domain"
	"github.com/xjob-dev/xjob/web/templates"
)

// TestHelpPage renders /help in the three languages: every topic is there
// and reachable from the contents, the strategies carry the job form's
// localized titles, the executor examples use this admin's address with
// its context path, and no message id shows untranslated.
func TestHelpPage(t *testing.T) {
	e := newEnv(t, func(o *web.Options) { o.ContextPath = "/xxl-job-admin" })
	e.mustUser("alice", domain.RoleAdmin)
	g := e.mustGroup("app-a", "A")
	e.mustUser("ann", domain.RoleUser, g.ID)
	bundle, err := i18n.Default()
	if err != nil {
		t.Fatal(err)
	}
	topics := []string{"about", "cron", "schedule", "routing", "blocking", "executors", "docs"}
	want := map[string]struct{ title, route, block, cronField string }{
		"en":    {"Help", "Consistent hash", "Serial execution", "day-of-week"},
		"zh-CN": {"使用教程", "一致性哈希", "单机串行", "周"},
		"zh-TW": {"使用說明", "一致性雜湊", "單機串行", "週"},
	}
	english := map[string]bool{} // the English page's prose, to spot fallbacks
	for _, lang := range []string{"en", "zh-CN", "zh-TW"} {
		t.Run(lang, func(t *testing.T) {
			w := want[lang]
			c := e.client()
			c.lang = lang
			c.login("ann") // any signed-in user may read the help
			p := c.get("/xxl-job-admin/help")
			if p.status != http.StatusOK {
				t.Fatalf("status %d", p.status)
			}
			if got := p.doc.Find("html").AttrOr("lang", ""); got != lang {
				t.Fatalf("html lang = %q", got)
			}
			if got := p.text("h1"); got != w.title {
				t.Errorf("h1 = %q, want %q", got, w.title)
			}
			nav := p.doc.Find(`[data-testid="nav-help"]`)
			if nav.Length() != 1 || !nav.HasClass("active") || nav.AttrOr("href", "") != "/xxl-job-admin/help" || strings.TrimSpace(nav.Text()) != w.title {
				t.Errorf("menu entry: %d active=%v href=%q text=%q", nav.Length(), nav.HasClass("active"), nav.AttrOr("href", ""), nav.Text())
			}
			var links []string
			p.doc.Find(`[data-testid="help-toc"] a`).Each(func(_ int, a *goquery.Selection) { links = append(links, a.AttrOr("href", "")) })
			if strings.Join(links, " ") != "#"+strings.Join(topics, " #") {
				t.Errorf("contents link to %v", links)
			}
			for _, id := range topics {
				s := p.doc.Find("section#" + id)
				if s.Length() != 1 || strings.TrimSpace(s.Find("h2").First().Text()) == "" || len(strings.TrimSpace(s.Text())) < 80 {
					t.Errorf("section %s missing or empty", id)
				}
			}
			if m := rawID.FindAllString(visibleText(p.doc), -1); len(m) > 0 {
				t.Errorf("raw message ids %v", m)
			}
			// A text missing from a Chinese catalog falls back to English:
			// no sentence of the Chinese pages may be one of the English page.
			for _, text := range helpProse(p.doc) {
				if lang == "en" {
					english[text] = true
				} else if english[text] {
					t.Errorf("English text on the %s page: %q", lang, text)
				}
			}

			// Cron: the field table uses the parser's translated field names,
			// and every example is a valid expression.
			if fields := p.text(`[data-testid="help-cron-fields"]`); !strings.Contains(fields, w.cronField) {
				t.Errorf("cron field table lacks %q: %q", w.cronField, fields)
			}
			examples := p.doc.Find(`[data-testid="help-cron-examples"] tbody tr`)
			if examples.Length() != len(templates.CronHelpExamples()) {
				t.Errorf("%d cron examples", examples.Length())
			}

			// Strategies: one row per value of each enumeration, with the
			// title the job form uses and the stored code.
			loc := bundle.Localizer(lang)
			for _, tc := range []struct {
				testid string
				n      int
				codes  func(int) (code, msgID string)
			}{
				{"help-routes", len(domain.RouteStrategies), func(i int) (string, string) {
					return string(domain.RouteStrategies[i]), domain.RouteStrategies[i].MessageID()
				}},
				{"help-blocks", len(domain.BlockStrategies), func(i int) (string, string) {
					return string(domain.BlockStrategies[i]), domain.BlockStrategies[i].MessageID()
				}},
				{"help-misfires", len(domain.MisfireStrategies), func(i int) (string, string) {
					return string(domain.MisfireStrategies[i]), domain.MisfireStrategies[i].MessageID()
				}},
				{"help-schedule-types", len(domain.ScheduleTypes), nil},
			} {
				rows := p.doc.Find(`[data-testid="` + tc.testid + `-row"]`)
				if rows.Length() != tc.n {
					t.Errorf("%s: %d rows, want %d", tc.testid, rows.Length(), tc.n)
					continue
				}
				if tc.codes == nil {
					continue
				}
				for i := 0; i < tc.n; i++ {
					code, id := tc.codes(i)
					row := rows.Eq(i)
					if got := strings.TrimSpace(row.Find("td code").Text()); got != code {
						t.Errorf("%s row %d code %q, want %q", tc.testid, i, got, code)
					}
					if got, title := strings.TrimSpace(row.Find("td .strong").Text()), loc.T(id, nil); got != title {
						t.Errorf("%s row %d title %q, want %q", tc.testid, i, got, title)
					}
					if len(strings.TrimSpace(row.Find("td").Last().Text())) < 10 {
						t.Errorf("%s row %d has no explanation", tc.testid, i)
					}
				}
			}
			if r := p.text(`[data-testid="help-routes"]`); !strings.Contains(r, w.route) {
				t.Errorf("routes lack %q", w.route)
			}
			if b := p.text(`[data-testid="help-blocks"]`); !strings.Contains(b, w.block) {
				t.Errorf("block strategies lack %q", w.block)
			}

			// Executors: this admin's address, with the context path, in the
			// property names of 3.x and 2.x executors; never a real token.
			admin := e.ts.URL + "/xxl-job-admin"
			if got := p.text(`[data-testid="help-admin-url"]`); got != admin {
				t.Errorf("admin address %q, want %q", got, admin)
			}
			v3, v2 := p.text(`[data-testid="help-snippet-3x"]`), p.text(`[data-testid="help-snippet-2x"]`)
			placeholder := loc.T("ui_help_exec_token_placeholder", nil)
			if !strings.Contains(v3, "xxl.job.admin.addresses="+admin+"\n") || !strings.Contains(v3, "xxl.job.admin.accessToken="+placeholder) {
				t.Errorf("3.x snippet:\n%s", v3)
			}
			if !strings.Contains(v2, "xxl.job.admin.addresses="+admin+"\n") || !strings.Contains(v2, "xxl.job.accessToken="+placeholder) {
				t.Errorf("2.x snippet:\n%s", v2)
			}
			for _, id := range []string{"help-snippet-xjob", "help-snippet-go"} {
				if !strings.Contains(p.text(`[data-testid="`+id+`"]`), admin) {
					t.Errorf("%s lacks the admin address", id)
				}
			}
			if docs := p.text(`[data-testid="help-docs"]`); !strings.Contains(docs, "docs/cron.md") || !strings.Contains(docs, "docs/executor.md") {
				t.Errorf("docs section: %q", docs)
			}
		})
	}

	t.Run("MenuOnEveryPage", func(t *testing.T) {
		c := e.client()
		c.login("alice")
		for _, path := range []string{"/xxl-job-admin/dashboard", "/xxl-job-admin/jobinfo", "/xxl-job-admin/user"} {
			p := c.get(path)
			if n := p.doc.Find(`[data-testid="nav-help"]`); n.Length() != 1 || n.HasClass("active") {
				t.Errorf("%s: help menu entry %d active=%v", path, n.Length(), n.HasClass("active"))
			}
		}
	})
	t.Run("TLSAddress", func(t *testing.T) {
		c := e.client()
		c.login("alice")
		p := c.get("/xxl-job-admin/help", "X-Forwarded-Proto", "https")
		if got := p.text(`[data-testid="help-admin-url"]`); !strings.HasPrefix(got, "https://") {
			t.Errorf("address behind TLS = %q", got)
		}
	})
	t.Run("SignInFirst", func(t *testing.T) {
		p := e.client().get("/xxl-job-admin/help")
		if p.status != http.StatusSeeOther || !strings.HasPrefix(p.loc, "/xxl-job-admin/auth/login") {
			t.Fatalf("anonymous: %d %q", p.status, p.loc)
		}
	})
}

// helpProse returns the help page's sentences: the text of its paragraphs,
// list items and table cells without code.
func helpProse(doc *goquery.Document) []string {
	var out []string
	doc.Find(`[data-testid="help"] h2, [data-testid="help"] h3, [data-testid="help"] p, [data-testid="help"] li, [data-testid="help"] dd, [data-testid="help"] td`).Each(func(_ int, s *goquery.Selection) {
		c := s.Clone()
		c.Find("code, pre, ol, ul").Remove()
		if text := strings.Join(strings.Fields(c.Text()), " "); len(text) > 12 {
			out = append(out, text)
		}
	})
	return out
}

// TestHelpCronExamples checks that the help page's examples are valid
// cron expressions that fire.
func TestHelpCronExamples(t *testing.T) {
	for _, expr := range templates.CronHelpExamples() {
		j := &domain.JobInfo{ScheduleType: domain.ScheduleCron, ScheduleConf: expr}
		if _, ok, err := j.NextTriggerTime(time.Now(), time.UTC); err != nil || !ok {
			t.Errorf("%q: ok=%v err=%v", expr, ok, err)
		}
	}
}
