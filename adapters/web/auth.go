package web

import (
	"net/http"
	"net/url"

	"github.com/xjob-dev/xjob/adapters/i18n"
	"github.com/xjob-dev/xjob/domain"
	"github.com/xjob-dev/xjob/web/templates"
)

func (s *Server) handleIndex(w http.ResponseWriter, r *http.Request) {
	s.redirect(w, r, "/dashboard")
}

func (s *Server) handleLoginPage(w http.ResponseWriter, r *http.Request) {
	if userFrom(r.Context()) != nil {
		s.redirect(w, r, "/")
		return
	}
	s.page(w, r, http.StatusOK, "", templates.LoginPage(templates.LoginView{Next: r.URL.Query().Get("next"), Remember: false}))
}

// handleLogin signs in. Failures are counted per client IP and username;
// past the limit every attempt is refused until the window has passed,
// whether or not the password is right.
func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	username, password := r.PostFormValue("userName"), r.PostFormValue("password")
	remember := r.PostFormValue("ifRemember") == "on"
	view := templates.LoginView{Username: username, Remember: remember, Next: r.PostFormValue("next")}
	ip := s.clientIP(r)
	now := s.d.Clock.Now()
	if !s.limiter.allowed(ip, username, now) {
		s.log.Warn("web: sign-in rate limited", "ip", ip, "username", username)
		view.Error = i18n.T(ctx, "ui_err_login_rate", map[string]any{"Minutes": int(s.opts.LoginWindow.Minutes())})
		w.Header().Set("Retry-After", "60")
		s.page(w, r, http.StatusTooManyRequests, "", templates.LoginPage(view))
		return
	}
	u, err := s.d.Login.Authenticate(ctx, username, password)
	if err != nil {
		code := domain.ErrorCode(err)
		if code == domain.EUNAUTHORIZED {
			s.limiter.fail(ip, username, now)
		} else if code == domain.EINTERNAL {
			s.fail(w, r, err)
			return
		}
		view.Error = errorText(ctx, err)
		s.page(w, r, statusOf(code), "", templates.LoginPage(view))
		return
	}
	s.limiter.succeed(ip, username)
	ttl, maxAge := s.opts.SessionTTL, 0
	if remember {
		ttl = s.opts.RememberTTL
		maxAge = int(ttl.Seconds())
	}
	value, _, err := s.sessions.create(ctx, u, ttl, false)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.setCookie(w, r, sessionCookieName, value, maxAge)
	s.clearCookie(w, r, preCookieName)
	if p, ok := s.localPath(view.Next); ok && p != "/auth/login" {
		s.redirect(w, r, p)
		return
	}
	s.redirect(w, r, "/")
}

func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) {
	if sess := sessionFrom(r.Context()); sess != nil {
		if err := s.sessions.remove(r.Context(), sess); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	s.clearCookie(w, r, sessionCookieName)
	s.redirect(w, r, "/auth/login")
}

func (s *Server) handlePasswordPage(w http.ResponseWriter, r *http.Request) {
	must, err := s.d.Login.MustChangePassword(r.Context(), userFrom(r.Context()).ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.page(w, r, http.StatusOK, "", templates.PasswordPage(templates.PasswordView{Forced: must}))
}

// handlePassword changes the user's own password, ends every other session
// of the user and starts a fresh one for this browser.
func (s *Server) handlePassword(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	sess := sessionFrom(ctx)
	err := s.d.Login.ChangePassword(ctx, sess.User.ID, r.PostFormValue("oldPassword"), r.PostFormValue("password"), r.PostFormValue("confirm"))
	if errs, ok := fieldErrors(ctx, err); ok {
		must, _ := s.d.Login.MustChangePassword(ctx, sess.User.ID)
		s.page(w, r, http.StatusUnprocessableEntity, "", templates.PasswordPage(templates.PasswordView{Forced: must, Errors: errs}))
		return
	} else if err != nil {
		s.fail(w, r, err)
		return
	}
	ttl, maxAge := sess.Expiry.Sub(s.d.Clock.Now()), 0
	if ttl > s.opts.SessionTTL {
		maxAge = int(ttl.Seconds())
	}
	if ttl <= 0 {
		ttl = s.opts.SessionTTL
	}
	value, _, err := s.sessions.create(ctx, sess.User, ttl, true)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.setCookie(w, r, sessionCookieName, value, maxAge)
	s.flash(w, r, false, "ui_flash_password_changed")
	s.redirect(w, r, "/")
}

// handleLang remembers the chosen language in a cookie for a year.
func (s *Server) handleLang(w http.ResponseWriter, r *http.Request) {
	lang := r.PostFormValue("lang")
	if !supportedLang(lang) {
		s.fail(w, r, &domain.Error{Code: domain.EINVALID, Key: "ui_err_lang", Message: "Unknown language."})
		return
	}
	s.setCookie(w, r, langCookieName, lang, 365*24*3600)
	if r.Header.Get("HX-Request") == "true" {
		w.Header().Set("HX-Refresh", "true")
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if ref, err := url.Parse(r.Referer()); err == nil && ref.Host == r.Host {
		if p, ok := s.localPath(ref.RequestURI()); ok {
			s.redirect(w, r, p)
			return
		}
	}
	s.redirect(w, r, "/")
}
