package web_test

import (
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
	"github.com/PuerkitoBio/goquery"

	"github.com/xjob-dev/xjob/domain"
	"github.com/xjob-dev/xjob/locales"
)

// rawID matches a message id that escaped translation.
var rawID = regexp.MustCompile(`\b(ui|jobconf|schedule_type|misfire_strategy|jobgroup|joblog|jobinfo|cron)_[A-Za-z0-9_]+`)

// visibleText is a page's text plus the attributes people see or hear.
func visibleText(doc *goquery.Document) string {
	var b strings.Builder
	doc.Find("script, style").Remove()
	b.WriteString(doc.Text())
	doc.Find("[title], [placeholder], [aria-label], [hx-confirm], [alt], option, button, input[type=submit]").Each(func(_ int, s *goquery.Selection) {
		for _, a := range []string{"title", "placeholder", "aria-label", "hx-confirm", "alt"} {
			if v, ok := s.Attr(a); ok {
				b.WriteString(" " + v)
			}
		}
	})
	return b.String()
}

// TestNoRawMessageIDs renders every page and fragment in the three
// languages and fails on any message id shown untranslated.
func TestNoRawMessageIDs(t *testing.T) {
	e := newEnv(t)
	e.mustUser("alice", domain.RoleAdmin)
	g := e.mustGroup("app-a", "A")
	e.mustUser("ann", domain.RoleUser, g.ID)
	job := e.mustJob(g.ID, "nightly")
	shell := sqltestJob(t, e, &domain.JobInfo{GroupID: g.ID, Desc: "shell", GlueType: domain.GlueShell, GlueSource: "echo 1",
		ScheduleType: domain.ScheduleFixRate, ScheduleConf: "60", TimeZone: "Asia/Tokyo"})
	running := e.mustLog(g.ID, job.ID, 200, 0)
	e.mustLog(g.ID, job.ID, 200, 200)
	e.mustLog(g.ID, job.ID, 500, 0)
	e.mustLog(g.ID, shell.ID, 200, 502)

	gets := []string{
		"/dashboard", "/jobinfo", "/jobinfo/new", "/jobinfo/" + itoa(job.ID) + "/edit", "/jobinfo/" + itoa(job.ID) + "/copy",
		"/jobinfo/" + itoa(job.ID) + "/trigger", "/jobinfo/" + itoa(job.ID) + "/registry", "/jobcode/" + itoa(shell.ID),
		"/joblog", "/joblog?jobGroup=" + itoa(g.ID) + "&jobId=" + itoa(job.ID), "/joblog/" + itoa(running.ID), "/joblog/clear",
		"/jobgroup", "/jobgroup/new", "/jobgroup/" + itoa(g.ID) + "/edit", "/user", "/user/new", "/auth/password", "/help",
		"/no/such/page", "/jobinfo/424242/edit", "/jobcode/" + itoa(job.ID),
		"/jobinfo/nexttimes?scheduleType=CRON&scheduleConf=0+0+1+*+*+%3F",
		"/jobinfo/nexttimes?scheduleType=CRON&scheduleConf=0+0+25+*+*+%3F",
		"/jobinfo/nexttimes?scheduleType=CRON&scheduleConf=bad",
		"/jobinfo/nexttimes?scheduleType=FIX_RATE&scheduleConf=0",
		"/jobinfo/nexttimes?scheduleType=NONE&scheduleConf=",
		"/jobinfo/nexttimes?scheduleType=CRON&scheduleConf=0+0+1+*+*+%3F&timeZone=Nowhere/Land",
		"/joblog/" + itoa(running.ID) + "/cat?from=1",
	}
	posts := []struct {
		path string
		form url.Values
	}{
		{"/jobinfo", url.Values{"jobGroup": {"0"}, "scheduleType": {"CRON"}, "scheduleConf": {"0 0 25 * * ?"}, "executorTimeout": {"x"}, "alarmEmail": {"x"}, "childJobId": {"abc"}, "timeZone": {"Nowhere/Land"}}},
		{"/jobinfo", url.Values{"jobGroup": {itoa(g.ID)}, "jobDesc": {"x"}, "author": {"y"}, "scheduleType": {"CRON"}, "scheduleConf": {"bad"}, "glueType": {"BEAN"}, "childJobId": {"999"}}},
		{"/jobinfo/" + itoa(job.ID) + "/trigger", url.Values{"addressList": {"ftp://nope"}}},
		{"/jobcode/" + itoa(shell.ID), url.Values{"glueSource": {""}, "glueRemark": {"x"}}},
		{"/jobgroup", url.Values{"appname": {"a"}, "addressType": {"1"}, "addressList": {","}}},
		{"/user", url.Values{"username": {"x"}, "password": {"y"}, "role": {"3"}}},
		{"/auth/password", url.Values{"oldPassword": {"wrong"}, "password": {"123456"}, "confirm": {"1"}}},
		{"/joblog/clear", url.Values{"jobGroup": {itoa(g.ID)}, "type": {"0"}}},
	}
	for _, lang := range []string{"en", "zh-CN", "zh-TW"} {
		t.Run(lang, func(t *testing.T) {
			check := func(what string, p *page) {
				t.Helper()
				if p.status >= 500 {
					t.Errorf("%s: status %d", what, p.status)
				}
				if m := rawID.FindAllString(visibleText(p.doc), -1); len(m) > 0 {
					t.Errorf("%s (%d): raw message ids %v", what, p.status, m)
				}
				if lang != "en" && strings.Contains(p.body, `<html lang="en"`) {
					t.Errorf("%s: page is not in %s", what, lang)
				}
			}
			anon := e.client()
			anon.lang = lang
			check("login", anon.get("/auth/login"))
			check("failed login", anon.post("/auth/login", url.Values{"userName": {"alice"}, "password": {"wrong"}}))
			check("empty login", anon.post("/auth/login", url.Values{"userName": {""}, "password": {""}}))

			c := e.client()
			c.lang = "en"
			c.login("alice")
			// The language cookie wins over Accept-Language.
			if p := c.post("/lang", url.Values{"lang": {lang}}); p.status != http.StatusSeeOther {
				t.Fatalf("switch language: %d", p.status)
			}
			for _, path := range gets {
				check(path, c.get(path, "HX-Request", boolHeader(strings.Contains(path, "nexttimes") || strings.Contains(path, "/cat"))))
			}
			for _, p := range posts {
				c.get("/dashboard")
				check("POST "+p.path, c.post(p.path, p.form))
			}
			user := e.client()
			user.lang = lang
			user.login("ann")
			check("forbidden", user.get("/jobgroup"))
			check("user jobs", user.get("/jobinfo"))
		})
	}
}

func boolHeader(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

var placeholder = regexp.MustCompile(`\{\{\s*\.(\w+)\s*\}\}`)

// TestLocaleFiles checks that ui.en, ui.zh-CN and ui.zh-TW have the same
// keys and use the same template fields.
func TestLocaleFiles(t *testing.T) {
	files := map[string]map[string]string{}
	for _, lang := range []string{"en", "zh-CN", "zh-TW"} {
		b, err := fs.ReadFile(locales.FS, "ui."+lang+".toml")
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		if err := toml.Unmarshal(b, &m); err != nil {
			t.Fatalf("ui.%s.toml: %v", lang, err)
		}
		files[lang] = m
	}
	for key, en := range files["en"] {
		want := fields(en)
		for _, lang := range []string{"zh-CN", "zh-TW"} {
			v, ok := files[lang][key]
			if !ok {
				t.Errorf("ui.%s.toml lacks %s", lang, key)
				continue
			}
			if got := fields(v); strings.Join(got, ",") != strings.Join(want, ",") {
				t.Errorf("ui.%s.toml %s uses fields %v, English %v", lang, key, got, want)
			}
			if strings.TrimSpace(v) == "" {
				t.Errorf("ui.%s.toml %s is empty", lang, key)
			}
		}
	}
	for _, lang := range []string{"zh-CN", "zh-TW"} {
		for key := range files[lang] {
			if _, ok := files["en"][key]; !ok {
				t.Errorf("ui.%s.toml has %s, ui.en.toml does not", lang, key)
			}
		}
	}
	// Every ui_ id used by the console's code is in the catalog.
	used := regexp.MustCompile(`"(ui_[a-z0-9_]*[a-z0-9])"`)
	for _, dir := range []string{".", "../../web/templates", "../../application"} {
		entries, _ := os.ReadDir(dir)
		for _, ent := range entries {
			name := ent.Name()
			if strings.HasSuffix(name, "_test.go") || strings.HasSuffix(name, "_templ.go") ||
				!(strings.HasSuffix(name, ".go") || strings.HasSuffix(name, ".templ")) {
				continue
			}
			b, _ := os.ReadFile(filepath.Join(dir, name))
			for _, m := range used.FindAllStringSubmatch(string(b), -1) {
				if _, ok := files["en"][m[1]]; !ok {
					t.Errorf("%s uses %s, which ui.en.toml lacks", name, m[1])
				}
			}
		}
	}
}

func fields(s string) []string {
	var out []string
	for _, m := range placeholder.FindAllStringSubmatch(s, -1) {
		out = append(out, m[1])
	}
	sort.Strings(out)
	return out
}
