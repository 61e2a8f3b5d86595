// Package i18n localises xjob's text with go-i18n over the TOML catalogs
// embedded in package locales. A Catalog renders messages in one language:
// the admin's configured language for text the application stores
// (trigger_msg, handle_msg; it implements ports.Messages), or the best match
// of a browser's preferences for pages (Localizer, WithLocalizer, T).
//
// A known message id never comes back raw: a message missing in the chosen
// language falls back to English.
package i18n

import (
	"context"
	"fmt"
	"io/fs"
	"net/http"
	"sort"
	"strings"
	"sync"

	"github.com/BurntSushi/toml"
	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"

	"github.com/xjob-dev/xjob/locales"
	"github.com/xjob-dev/xjob/ports"
)

var _ ports.Messages = (*Catalog)(nil)

// configLangs maps the values of the --lang setting (upstream's
// xxl.job.i18n spelling, plus the tags themselves) to language tags.
var configLangs = map[string]language.Tag{
	"en":    language.English,
	"zh_CN": language.MustParse("zh-CN"),
	"zh_TC": language.MustParse("zh-TW"),
	"zh-CN": language.MustParse("zh-CN"),
	"zh-TW": language.MustParse("zh-TW"),
}

// Bundle holds every loaded catalog.
type Bundle struct {
	b       *goi18n.Bundle
	matcher language.Matcher
	english *Catalog
}

// LoadBundle reads every *.toml file of fsys; English is the fallback.
func LoadBundle(fsys fs.FS) (*Bundle, error) {
	b := goi18n.NewBundle(language.English)
	b.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	files, err := fs.Glob(fsys, "*.toml")
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		if _, err := b.LoadMessageFileFS(fsys, f); err != nil {
			return nil, fmt.Errorf("load message file %s: %w", f, err)
		}
	}
	bundle := &Bundle{b: b, matcher: language.NewMatcher(b.LanguageTags())}
	bundle.english = bundle.catalog(language.English.String())
	return bundle, nil
}

var defaultBundle = sync.OnceValues(func() (*Bundle, error) { return LoadBundle(locales.FS) })

// Default returns the bundle of the embedded catalogs, loaded once.
func Default() (*Bundle, error) { return defaultBundle() }

// NewCatalog returns the embedded catalog for a value of the --lang setting:
// en, zh_CN or zh_TC. It is the admin's language for stored messages.
func NewCatalog(lang string) (*Catalog, error) {
	b, err := Default()
	if err != nil {
		return nil, err
	}
	return b.Catalog(lang)
}

// Catalog returns the catalog for a value of the --lang setting.
func (b *Bundle) Catalog(lang string) (*Catalog, error) {
	tag, ok := configLangs[lang]
	if !ok {
		return nil, fmt.Errorf("unknown language %q in setting --lang: use one of %s", lang, strings.Join(ConfigLanguages(), ", "))
	}
	return b.catalog(tag.String()), nil
}

// ConfigLanguages lists the accepted values of the --lang setting.
func ConfigLanguages() []string {
	out := make([]string, 0, len(configLangs))
	for k := range configLangs {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Localizer returns the catalog that best matches prefs, each a --lang
// value (as a cookie may hold), a language tag or an Accept-Language
// header; earlier preferences win and English is the last resort.
func (b *Bundle) Localizer(prefs ...string) *Catalog {
	langs := make([]string, 0, len(prefs))
	for _, p := range prefs {
		if tag, ok := configLangs[strings.TrimSpace(p)]; ok {
			p = tag.String()
		}
		if p != "" {
			langs = append(langs, p)
		}
	}
	return b.catalog(langs...)
}

func (b *Bundle) catalog(langs ...string) *Catalog {
	var tags []language.Tag
	for _, l := range langs {
		if t, _, err := language.ParseAcceptLanguage(l); err == nil {
			tags = append(tags, t...)
		}
	}
	_, i, _ := b.matcher.Match(tags...)
	tag := b.b.LanguageTags()[i]
	return &Catalog{loc: goi18n.NewLocalizer(b.b, tag.String()), tag: tag, english: b.english}
}

// Catalog renders messages in one language. It is safe for concurrent use.
type Catalog struct {
	loc     *goi18n.Localizer
	tag     language.Tag
	english *Catalog // nil for the English catalog itself
	plain   sync.Map // id → text of messages rendered without data
}

// Lang returns the catalog's language tag, e.g. "zh-CN".
func (c *Catalog) Lang() string { return c.tag.String() }

// T returns the message id filled with data (may be nil), falling back to
// English and, for an id no catalog knows, to the id itself.
func (c *Catalog) T(id string, data map[string]any) string {
	if data == nil {
		if s, ok := c.plain.Load(id); ok {
			return s.(string)
		}
	}
	s, err := c.loc.Localize(&goi18n.LocalizeConfig{MessageID: id, TemplateData: data})
	if s == "" && err != nil {
		if c.english != nil {
			return c.english.T(id, data)
		}
		return id
	}
	if data == nil {
		c.plain.Store(id, s)
	}
	return s
}

type ctxKey struct{}

// WithLocalizer returns a context carrying c for T.
func WithLocalizer(ctx context.Context, c *Catalog) context.Context {
	return context.WithValue(ctx, ctxKey{}, c)
}

// FromContext returns the catalog of ctx, or English when there is none.
func FromContext(ctx context.Context) *Catalog {
	if c, ok := ctx.Value(ctxKey{}).(*Catalog); ok && c != nil {
		return c
	}
	if b, err := Default(); err == nil {
		return b.english
	}
	return &Catalog{loc: goi18n.NewLocalizer(goi18n.NewBundle(language.English)), tag: language.English}
}

// T renders message id in the language of ctx (see WithLocalizer); data is
// optional template data.
func T(ctx context.Context, id string, data ...map[string]any) string {
	var d map[string]any
	if len(data) > 0 {
		d = data[0]
	}
	return FromContext(ctx).T(id, d)
}

// Middleware puts the request's catalog in its context: the language in
// cookie (when cookie is not empty and set), then Accept-Language.
func (b *Bundle) Middleware(cookie string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var prefs []string
			if cookie != "" {
				if c, err := r.Cookie(cookie); err == nil {
					prefs = append(prefs, c.Value)
				}
			}
			prefs = append(prefs, r.Header.Get("Accept-Language"))
			next.ServeHTTP(w, r.WithContext(WithLocalizer(r.Context(), b.Localizer(prefs...))))
		})
	}
}
