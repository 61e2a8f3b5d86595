package i18n

import (
	"context"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/BurntSushi/toml"

	"github.com/xjob-dev/xjob/domain"
	"github.com/xjob-dev/xjob/locales"
)

var activeFiles = []string{"active.en.toml", "active.zh-CN.toml", "active.zh-TW.toml"}

func keys(t *testing.T, fsys fs.FS, name string) map[string]bool {
	t.Helper()
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := toml.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	out := map[string]bool{}
	for k := range m {
		out[k] = true
	}
	return out
}

func TestActiveCatalogsComplete(t *testing.T) {
	en := keys(t, locales.FS, activeFiles[0])
	for _, f := range activeFiles[1:] {
		other := keys(t, locales.FS, f)
		for k := range en {
			if !other[k] {
				t.Errorf("%s lacks %s", f, k)
			}
		}
		for k := range other {
			if !en[k] {
				t.Errorf("%s has %s, which %s lacks", f, k, activeFiles[0])
			}
		}
	}
}

// Another catalog defining an active.* key would silently override it.
func TestNoDuplicateKeys(t *testing.T) {
	files, _ := fs.Glob(locales.FS, "*.toml")
	for _, lang := range []string{"en", "zh-CN", "zh-TW"} {
		active := keys(t, locales.FS, "active."+lang+".toml")
		for _, f := range files {
			if !strings.HasSuffix(f, "."+lang+".toml") || strings.HasPrefix(f, "active.") {
				continue
			}
			for k := range keys(t, locales.FS, f) {
				if active[k] {
					t.Errorf("%s redefines %s of active.%s.toml", f, k, lang)
				}
			}
		}
	}
}

func TestEnumTitlesExist(t *testing.T) {
	var ids []string
	for _, s := range domain.RouteStrategies {
		ids = append(ids, s.MessageID())
	}
	for _, s := range domain.BlockStrategies {
		ids = append(ids, s.MessageID())
	}
	for _, s := range domain.ScheduleTypes {
		ids = append(ids, s.MessageID())
	}
	for _, s := range domain.MisfireStrategies {
		ids = append(ids, s.MessageID())
	}
	for _, s := range []domain.TriggerType{domain.TriggerManual, domain.TriggerCron, domain.TriggerRetry,
		domain.TriggerParent, domain.TriggerAPI, domain.TriggerMisfire} {
		ids = append(ids, s.MessageID())
	}
	ids = append(ids, domain.AddressAuto.MessageID(), domain.AddressManual.MessageID())
	for _, f := range activeFiles {
		have := keys(t, locales.FS, f)
		for _, id := range ids {
			if !have[id] {
				t.Errorf("%s lacks %s", f, id)
			}
		}
	}
}

func TestNewCatalog(t *testing.T) {
	tests := []struct{ lang, tag, want string }{
		{"en", "en", "Sharding broadcast"},
		{"zh_CN", "zh-CN", "分片广播"},
		{"zh_TC", "zh-TW", "分片廣播"},
		{"zh-TW", "zh-TW", "分片廣播"},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			c, err := NewCatalog(tt.lang)
			if err != nil {
				t.Fatal(err)
			}
			if c.Lang() != tt.tag {
				t.Errorf("Lang = %s, want %s", c.Lang(), tt.tag)
			}
			for range 2 { // second time from the cache
				if got := c.T(domain.RouteShardingBroadcast.MessageID(), nil); got != tt.want {
					t.Errorf("T = %q, want %q", got, tt.want)
				}
			}
		})
	}
	t.Run("ErrUnknown", func(t *testing.T) {
		_, err := NewCatalog("fr")
		if err == nil || !strings.Contains(err.Error(), "--lang") || !strings.Contains(err.Error(), "zh_TC") {
			t.Errorf("err = %v, want one naming --lang and the choices", err)
		}
	})
}

func TestTemplateData(t *testing.T) {
	c, _ := NewCatalog("en")
	got := c.T("jobconf_callback_child_msg1", map[string]any{"Index": 1, "Total": 2, "JobID": 7})
	if got != "1/2 [Job ID=7]: trigger submitted, see its own log <br>" {
		t.Errorf("T = %q", got)
	}
	if got := c.T("no_such_key", nil); got != "no_such_key" {
		t.Errorf("unknown id = %q", got)
	}
}

func TestFallbackToEnglish(t *testing.T) {
	fsys := fstest.MapFS{
		"a.en.toml":    {Data: []byte("only_en = \"English only\"\nboth = \"Both\"\n")},
		"a.zh-CN.toml": {Data: []byte("both = \"都有\"\n")},
	}
	b, err := LoadBundle(fsys)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := b.Catalog("zh_CN")
	if got := c.T("only_en", nil); got != "English only" {
		t.Errorf("missing translation = %q, want the English text", got)
	}
	if got := c.T("both", nil); got != "都有" {
		t.Errorf("T = %q", got)
	}
}

func TestLocalizer(t *testing.T) {
	b, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		prefs []string
		want  string
	}{
		{"None", nil, "en"},
		{"CookieConfigValue", []string{"zh_TC", "en"}, "zh-TW"},
		{"AcceptLanguage", []string{"", "zh-CN,zh;q=0.9,en;q=0.8"}, "zh-CN"},
		{"HongKongIsTraditional", []string{"zh-HK"}, "zh-TW"},
		{"Unsupported", []string{"fr-FR,de;q=0.5"}, "en"},
		{"Garbage", []string{";;;"}, "en"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := b.Localizer(tt.prefs...).Lang(); got != tt.want {
				t.Errorf("Lang = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestContext(t *testing.T) {
	if got := T(context.Background(), "jobconf_route_first"); got != "First" {
		t.Errorf("no localizer: %q", got)
	}
	c, _ := NewCatalog("zh_CN")
	ctx := WithLocalizer(context.Background(), c)
	if got := T(ctx, "jobconf_route_first"); got != "第一个" {
		t.Errorf("zh-CN: %q", got)
	}
	if got := T(ctx, "jobconf_trigger_result_error", map[string]any{"Msg": "x"}); got != "出错：x" {
		t.Errorf("data: %q", got)
	}
}

func TestMiddleware(t *testing.T) {
	b, _ := Default()
	var got []string
	h := b.Middleware("xjob_lang")(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = append(got, FromContext(r.Context()).Lang())
	}))
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("Accept-Language", "zh-CN")
	h.ServeHTTP(httptest.NewRecorder(), r)
	r.AddCookie(&http.Cookie{Name: "xjob_lang", Value: "en"})
	h.ServeHTTP(httptest.NewRecorder(), r)
	if want := []string{"zh-CN", "en"}; strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("languages %v, want %v", got, want)
	}
}

func TestConfigLanguages(t *testing.T) {
	got := ConfigLanguages()
	if !sort.StringsAreSorted(got) || len(got) != 5 {
		t.Errorf("ConfigLanguages = %v", got)
	}
}
