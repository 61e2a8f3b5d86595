package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/a-h/templ"

	"github.com/xjob-dev/xjob/adapters/i18n"
	"github.com/xjob-dev/xjob/application"
	"github.com/xjob-dev/xjob/domain"
	"github.com/xjob-dev/xjob/web/templates"
)

// isFragment reports whether htmx asked for a part of a page (not a boosted
// navigation, which wants the whole page).
func isFragment(r *http.Request) bool {
	return r.Header.Get("HX-Request") == "true" && r.Header.Get("HX-Boosted") != "true"
}

// hxTarget returns the id htmx will swap, without "#".
func hxTarget(r *http.Request) string { return r.Header.Get("HX-Target") }

// pageContext returns ctx carrying the PageInfo templates need. Reading the
// flash cookie consumes it.
func (s *Server) pageContext(w http.ResponseWriter, r *http.Request, active string, withFlash bool) context.Context {
	ctx := r.Context()
	info := templates.PageInfo{
		Base:         s.base,
		CSRF:         csrfTokenFrom(ctx),
		Lang:         i18n.FromContext(ctx).Lang(),
		Active:       active,
		AssetVersion: s.assetVer,
	}
	if u := userFrom(ctx); u != nil {
		info.User = &templates.UserInfo{ID: u.ID, Username: u.Username, Admin: u.IsAdmin()}
	}
	if withFlash {
		if c, err := r.Cookie(flashCookieName); err == nil {
			s.clearCookie(w, r, flashCookieName)
			if kind, key, ok := strings.Cut(c.Value, ":"); ok && flashKey.MatchString(key) {
				info.Flash = &templates.Flash{Error: kind == "err", Message: i18n.T(ctx, key)}
			}
		}
	}
	return templates.WithPageInfo(ctx, info)
}

// page renders a full page.
func (s *Server) page(w http.ResponseWriter, r *http.Request, status int, active string, c templ.Component) {
	ctx := s.pageContext(w, r, active, true)
	s.write(w, r.WithContext(ctx), status, c)
}

// fragment renders part of a page for htmx.
func (s *Server) fragment(w http.ResponseWriter, r *http.Request, status int, c templ.Component) {
	ctx := s.pageContext(w, r, "", false)
	s.write(w, r.WithContext(ctx), status, c)
}

func (s *Server) write(w http.ResponseWriter, r *http.Request, status int, c templ.Component) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Add("Vary", "HX-Request")
	w.WriteHeader(status)
	if err := c.Render(r.Context(), w); err != nil {
		s.log.Error("web: render", "path", r.URL.Path, "err", err)
	}
}

// flashKey limits flash cookies to the console's own message ids.
var flashKey = regexp.MustCompile(`^ui_[a-z0-9_]+$`)

// flash shows a message on the next page.
func (s *Server) flash(w http.ResponseWriter, r *http.Request, isErr bool, key string) {
	kind := "ok"
	if isErr {
		kind = "err"
	}
	s.setCookie(w, r, flashCookieName, kind+":"+key, 60)
}

// redirect sends the browser to an application path (with the context
// path prefixed), also for htmx requests.
func (s *Server) redirect(w http.ResponseWriter, r *http.Request, path string) {
	target := s.base + path
	if isFragment(r) {
		w.Header().Set("HX-Location", target)
		w.WriteHeader(http.StatusNoContent)
		return
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// back redirects to the form's "next" value when it is a path of this
// console, else to fallback.
func (s *Server) back(w http.ResponseWriter, r *http.Request, fallback string) {
	next := r.PostFormValue("next")
	if p, ok := s.localPath(next); ok {
		s.redirect(w, r, p)
		return
	}
	s.redirect(w, r, fallback)
}

// localPath turns a URL under the context path into an application path;
// anything else (other hosts, schemes, "//x") is refused.
func (s *Server) localPath(raw string) (string, bool) {
	if raw == "" || !strings.HasPrefix(raw, "/") || strings.HasPrefix(raw, "//") || strings.ContainsAny(raw, "\\\r\n") {
		return "", false
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "" || u.Host != "" {
		return "", false
	}
	if s.base != "" {
		if !strings.HasPrefix(raw, s.base+"/") {
			return "", false
		}
		raw = strings.TrimPrefix(raw, s.base)
	}
	return raw, true
}

// statusOf maps an error code to an HTTP status.
func statusOf(code string) int {
	switch code {
	case domain.EINVALID:
		return http.StatusUnprocessableEntity
	case domain.ENOTFOUND:
		return http.StatusNotFound
	case domain.EFORBIDDEN:
		return http.StatusForbidden
	case domain.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case domain.ECONFLICT:
		return http.StatusConflict
	case domain.EUNAVAILABLE:
		return http.StatusBadGateway
	}
	return http.StatusInternalServerError
}

// errorText returns the localised text of err for a user. Internal errors
// never show their details.
func errorText(ctx context.Context, err error) string {
	code := domain.ErrorCode(err)
	if code == domain.EINTERNAL {
		return i18n.T(ctx, "ui_err_internal")
	}
	if fe, ok := application.AsFieldErrors(err); ok && len(fe) > 0 {
		return fieldErrorText(ctx, fe[0])
	}
	if key := domain.ErrorKey(err); key != "" {
		if t := i18n.T(ctx, key); t != key {
			return t
		}
	}
	msg := domain.ErrorMessage(err)
	switch code {
	case domain.ENOTFOUND:
		return i18n.T(ctx, "ui_err_not_found")
	case domain.EFORBIDDEN:
		return i18n.T(ctx, "ui_err_permission")
	case domain.EUNAVAILABLE:
		return i18n.T(ctx, "ui_err_unavailable", map[string]any{"Detail": msg})
	}
	return msg
}

// fieldErrorText localises one field error; cron errors name their field
// through FieldID, which is translated too.
func fieldErrorText(ctx context.Context, fe *application.FieldError) string {
	data := map[string]any{}
	for k, v := range fe.Data {
		data[k] = v
	}
	if fid, ok := data["FieldID"].(string); ok && fid != "" {
		if t := i18n.T(ctx, fid); t != fid {
			data["Field"] = t
		}
	}
	if t := i18n.T(ctx, fe.Key, data); t != fe.Key {
		return t
	}
	return fe.Message
}

// fieldErrors localises every field error of err; ok is false when err is
// not a validation error.
func fieldErrors(ctx context.Context, err error) (map[string]string, bool) {
	fe, ok := application.AsFieldErrors(err)
	if !ok {
		return nil, false
	}
	out := map[string]string{}
	for _, e := range fe {
		if _, dup := out[e.Field]; !dup {
			out[e.Field] = fieldErrorText(ctx, e)
		}
	}
	return out, true
}

// fail renders err: a full error page, or an alert fragment for htmx
// fragment requests. Only internal errors are logged, with their detail.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	code := domain.ErrorCode(err)
	status := statusOf(code)
	if code == domain.EINTERNAL && !errors.Is(err, context.Canceled) {
		s.log.Error("web: internal error", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	ctx := r.Context()
	msg := errorText(ctx, err)
	if isFragment(r) {
		w.Header().Set("HX-Retarget", "#main")
		w.Header().Set("HX-Reswap", "afterbegin")
		s.fragment(w, r, status, templates.Alert(true, msg))
		return
	}
	title := i18n.T(ctx, "ui_error_title_"+strconv.Itoa(status))
	if strings.HasPrefix(title, "ui_error_title_") {
		title = i18n.T(ctx, "ui_error_title")
	}
	s.page(w, r, status, "", templates.ErrorPage(templates.ErrorView{Status: status, Title: title, Message: msg}))
}

func (s *Server) handleNotFound(w http.ResponseWriter, r *http.Request) {
	s.fail(w, r, &domain.Error{Code: domain.ENOTFOUND, Key: "ui_err_page_not_found", Message: "This page does not exist."})
}

func (s *Server) handleMethodNotAllowed(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Allow", "GET, POST")
	s.fail(w, r, &domain.Error{Code: domain.EINVALID, Key: "ui_err_method", Message: "This action is not available that way."})
}

// formatTime renders a time in the console's zone; zero is "".
func (s *Server) formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(s.opts.Location).Format(time.DateTime)
}

func (s *Server) formatMillis(ms int64) string {
	if ms <= 0 {
		return ""
	}
	return s.formatTime(time.UnixMilli(ms))
}

// pathID parses the {id} URL parameter; a malformed id is "not found".
func pathID(r *http.Request, raw string) (int64, error) {
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 {
		return 0, &domain.Error{Code: domain.ENOTFOUND, Key: "ui_err_not_found", Message: "Not found."}
	}
	return id, nil
}

func atoiDefault(s string, def int) int {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return def
	}
	return n
}

func parseInt64(s string) int64 {
	n, _ := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	return n
}

// pageParams reads page (1-based) and the page size (10..100, default 20).
func pageParams(r *http.Request) (page, size int) {
	page = atoiDefault(r.URL.Query().Get("page"), 1)
	if page < 1 {
		page = 1
	}
	size = atoiDefault(r.URL.Query().Get("size"), 20)
	if size < 10 {
		size = 10
	} else if size > 100 {
		size = 100
	}
	return page, size
}
