package web

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/xjob-dev/xjob/adapters/i18n"
	"github.com/xjob-dev/xjob/domain"
)

const (
	sessionCookieName = "xjob_session"
	langCookieName    = "xjob_lang"
	flashCookieName   = "xjob_flash"
)

// contentSecurityPolicy allows scripts from this origin only (htmx and the
// editor bundle; no inline script, no eval), no plugins, no framing. Inline
// style attributes stay allowed for the coloured spans of stored messages
// and CodeMirror's layout.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; " +
	"form-action 'self'; frame-ancestors 'none'"

func (s *Server) securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Frame-Options", "DENY")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		next.ServeHTTP(w, r)
	})
}

func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("web: panic", "path", r.URL.Path, "panic", v)
				http.Error(w, "Internal error.", http.StatusInternalServerError)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// crossOrigin rejects unsafe requests that a browser marks as coming from
// another origin (Sec-Fetch-Site, or Origin against Host).
func (s *Server) crossOrigin(next http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	for _, o := range s.opts.TrustedOrigins {
		if err := cop.AddTrustedOrigin(o); err != nil {
			s.log.Warn("web: ignoring trusted origin", "origin", o, "err", err)
		}
	}
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, &domain.Error{Code: domain.EFORBIDDEN, Key: "ui_err_csrf", Message: "The request came from another site."})
	}))
	return cop.Handler(next)
}

// localize picks the page language: the language cookie, then the
// browser's Accept-Language, then the configured language.
func (s *Server) localize(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var prefs []string
		if c, err := r.Cookie(langCookieName); err == nil && supportedLang(c.Value) {
			prefs = append(prefs, c.Value)
		}
		if al := r.Header.Get("Accept-Language"); al != "" {
			prefs = append(prefs, al)
		}
		if s.opts.Lang != "" {
			prefs = append(prefs, s.opts.Lang)
		}
		ctx := i18n.WithLocalizer(r.Context(), s.bundle.Localizer(prefs...))
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

func supportedLang(tag string) bool { return tag == "en" || tag == "zh-CN" || tag == "zh-TW" }

type sessionKey struct{}

func sessionFrom(ctx context.Context) *Session {
	s, _ := ctx.Value(sessionKey{}).(*Session)
	return s
}

// userFrom returns the signed-in user; nil when signed out.
func userFrom(ctx context.Context) *domain.User {
	if s := sessionFrom(ctx); s != nil {
		return s.User
	}
	return nil
}

// loadSession resolves the session cookie and derives the request's CSRF
// token: from the session secret when signed in, else from a random
// pre-session cookie (so the sign-in form is protected too).
func (s *Server) loadSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		if c, err := r.Cookie(sessionCookieName); err == nil && c.Value != "" {
			sess, err := s.sessions.lookup(ctx, c.Value)
			switch {
			case err == nil:
				ctx = context.WithValue(ctx, sessionKey{}, sess)
			case err == errNoSession:
				s.clearCookie(w, r, sessionCookieName)
			default:
				s.fail(w, r, err)
				return
			}
		}
		var token string
		if sess := sessionFrom(ctx); sess != nil {
			token = csrfTokenFor(sess.Secret)
		} else {
			pre := ""
			if c, err := r.Cookie(preCookieName); err == nil && len(c.Value) >= 32 {
				pre = c.Value
			} else {
				pre = randomSecret()
				s.setCookie(w, r, preCookieName, pre, 0)
			}
			token = csrfTokenFor("pre:" + pre)
		}
		next.ServeHTTP(w, r.WithContext(withCSRFToken(ctx, token)))
	})
}

func (s *Server) checkCSRF(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !isSafeMethod(r.Method) && !validCSRF(r) {
			s.fail(w, r, &domain.Error{Code: domain.EFORBIDDEN, Key: "ui_err_csrf", Message: "The form expired or came from another site. Reload the page and try again."})
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) requireLogin(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if userFrom(r.Context()) != nil {
			next.ServeHTTP(w, r)
			return
		}
		login := s.base + "/auth/login"
		if r.Method == http.MethodGet {
			login += "?next=" + url.QueryEscape(s.base+r.URL.RequestURI())
		}
		if r.Header.Get("HX-Request") == "true" {
			w.Header().Set("HX-Redirect", login)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		if r.Method == http.MethodGet {
			http.Redirect(w, r, login, http.StatusSeeOther)
			return
		}
		s.fail(w, r, &domain.Error{Code: domain.EUNAUTHORIZED, Key: "ui_err_signed_out", Message: "Please sign in."})
	})
}

// requirePasswordChanged sends a flagged user to the change-password page
// before anything else.
func (s *Server) requirePasswordChanged(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u := userFrom(r.Context())
		must, err := s.d.Login.MustChangePassword(r.Context(), u.ID)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if must {
			s.redirect(w, r, "/auth/password")
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) requireAdmin(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u := userFrom(r.Context()); u == nil || !u.IsAdmin() {
			s.fail(w, r, &domain.Error{Code: domain.EFORBIDDEN, Key: "ui_err_admin_only", Message: "Only administrators may do this."})
			return
		}
		next.ServeHTTP(w, r)
	})
}

// isTLS reports whether the client talks HTTPS to us or to the proxy in front.
func isTLS(r *http.Request) bool {
	return r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}

func (s *Server) cookiePath() string {
	if s.base == "" {
		return "/"
	}
	return s.base + "/"
}

// setCookie sets an HttpOnly, SameSite=Lax cookie, Secure over HTTPS.
// maxAge 0 makes a session cookie.
func (s *Server) setCookie(w http.ResponseWriter, r *http.Request, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name: name, Value: value, Path: s.cookiePath(), MaxAge: maxAge,
		HttpOnly: true, Secure: isTLS(r), SameSite: http.SameSiteLaxMode,
	})
}

func (s *Server) clearCookie(w http.ResponseWriter, r *http.Request, name string) {
	http.SetCookie(w, &http.Cookie{
		Name: name, Value: "", Path: s.cookiePath(), MaxAge: -1,
		HttpOnly: true, Secure: isTLS(r), SameSite: http.SameSiteLaxMode,
	})
}

// clientIP is the peer address, or the proxy's view of the client when
// TrustProxyHeaders is on.
func (s *Server) clientIP(r *http.Request) string {
	if s.opts.TrustProxyHeaders {
		if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
			first, _, _ := strings.Cut(xff, ",")
			if ip := strings.TrimSpace(first); ip != "" {
				return ip
			}
		}
		if ip := strings.TrimSpace(r.Header.Get("X-Real-IP")); ip != "" {
			return ip
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
