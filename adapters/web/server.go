// Package web is the operator console: server-rendered templ pages
// (web/templates) enhanced with htmx, in English, Simplified and
// Traditional Chinese. It owns sign-in, sessions, CSRF protection, the
// security headers and the handlers of every page; the decisions behind the
// pages live in application (ManageJobs, ManageGroups, ManageUsers, Login,
// Dashboard), and the executor API (/api/*) in adapters/api.
//
// It imports domain, ports, application (use cases and request types),
// adapters/i18n and web/templates. The interfaces it needs beyond ports are
// declared here, by their consumer: JobTriggerer, LogKiller and LogReader.
package web

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/xjob-dev/xjob/adapters/i18n"
	"github.com/xjob-dev/xjob/application"
	"github.com/xjob-dev/xjob/domain"
	"github.com/xjob-dev/xjob/ports"
)

// JobTriggerer runs a job once now (the "run once" action). Bound to
// *application.TriggerJob.
type JobTriggerer interface {
	Trigger(ctx context.Context, req application.TriggerRequest) error
}

// LogKiller stops the run of a log on its executor. Bound to
// *application.KillJob.
type LogKiller interface {
	Kill(ctx context.Context, logID int64) (string, error)
}

// LogReader reads a run's executor log from a line on. Bound to
// *application.ReadLog.
type LogReader interface {
	Read(ctx context.Context, logID int64, fromLine int) (*domain.LogResult, error)
}

// Options are the console's settings.
type Options struct {
	// ContextPath is the URL prefix the lead mounts Handler under ("/" or
	// e.g. "/xxl-job-admin"). Every link and cookie path honours it. The
	// handler itself serves paths without the prefix (use http.StripPrefix
	// or chi's Mount).
	ContextPath string
	// Lang is the configured language (en, zh_CN or zh_TC): the default when
	// neither the language cookie nor Accept-Language decide.
	Lang string
	// Location is the zone times are shown in (the DATETIME zone).
	Location *time.Location
	// SessionTTL is how long a session lasts without "remember me"
	// (default 12h); RememberTTL with it (default 14 days).
	SessionTTL  time.Duration
	RememberTTL time.Duration
	// LoginFailures is how many failed sign-ins per IP and username are
	// allowed within LoginWindow (defaults 5 and 15 minutes); an IP alone
	// gets four times as many.
	LoginFailures int
	LoginWindow   time.Duration
	// TrustProxyHeaders takes the client IP from X-Forwarded-For / X-Real-IP
	// and TLS from X-Forwarded-Proto. Enable it only behind a proxy that
	// sets them.
	TrustProxyHeaders bool
	// TrustedOrigins are extra origins (scheme://host[:port]) allowed to
	// post, e.g. when a proxy rewrites Host.
	TrustedOrigins []string
	// Logger receives internal errors; slog.Default() when nil.
	Logger *slog.Logger
}

// Deps are the console's collaborators. The stores are the ports
// interfaces; the use cases are application's concrete types.
type Deps struct {
	Users    ports.UserStore
	Groups   ports.GroupStore
	Jobs     ports.JobStore
	Logs     ports.LogStore
	Clock    ports.Clock
	I18n     *i18n.Bundle // nil: i18n.Default()
	Login    *application.Login
	JobsUC   *application.ManageJobs
	GroupsUC *application.ManageGroups
	UsersUC  *application.ManageUsers
	Board    *application.Dashboard
	Trigger  JobTriggerer
	Killer   LogKiller
	Reader   LogReader
}

// Server is the operator console.
type Server struct {
	opts     Options
	d        Deps
	bundle   *i18n.Bundle
	base     string // context path without trailing slash
	log      *slog.Logger
	sessions *sessionStore
	limiter  *loginLimiter
	static   fs.FS
	assetVer string
	handler  http.Handler
}

// NewServer returns the console. It panics on a missing dependency, which is
// a programming error.
func NewServer(opts Options, d Deps) *Server {
	if d.Users == nil || d.Groups == nil || d.Jobs == nil || d.Logs == nil || d.Clock == nil ||
		d.Login == nil || d.JobsUC == nil || d.GroupsUC == nil || d.UsersUC == nil || d.Board == nil ||
		d.Trigger == nil || d.Killer == nil || d.Reader == nil {
		panic("web.NewServer: nil dependency")
	}
	if opts.Location == nil {
		opts.Location = time.Local
	}
	if opts.SessionTTL <= 0 {
		opts.SessionTTL = 12 * time.Hour
	}
	if opts.RememberTTL <= 0 {
		opts.RememberTTL = 14 * 24 * time.Hour
	}
	if opts.LoginFailures <= 0 {
		opts.LoginFailures = 5
	}
	if opts.LoginWindow <= 0 {
		opts.LoginWindow = 15 * time.Minute
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	bundle := d.I18n
	if bundle == nil {
		b, err := i18n.Default()
		if err != nil {
			panic("web.NewServer: load message catalogs: " + err.Error())
		}
		bundle = b
	}
	s := &Server{
		opts:     opts,
		d:        d,
		bundle:   bundle,
		base:     strings.TrimRight(opts.ContextPath, "/"),
		log:      opts.Logger,
		sessions: newSessionStore(d.Users, d.Clock.Now),
		limiter:  newLoginLimiter(opts.LoginFailures, opts.LoginFailures*4, opts.LoginWindow),
		static:   staticFS(),
	}
	s.assetVer = assetVersion(s.static)
	s.handler = s.routes()
	return s
}

// Handler returns the console's HTTP handler (paths without the context path).
func (s *Server) Handler() http.Handler { return s.handler }

func (s *Server) routes() http.Handler {
	r := chi.NewRouter()
	r.Use(s.recoverer, s.securityHeaders)
	r.Handle("/static/*", s.staticHandler())
	r.Group(func(r chi.Router) {
		r.Use(s.crossOrigin, s.localize, s.loadSession, s.checkCSRF)
		r.Get("/auth/login", s.handleLoginPage)
		r.Post("/auth/login", s.handleLogin)
		r.Post("/lang", s.handleLang)
		r.Group(func(r chi.Router) {
			r.Use(s.requireLogin)
			r.Post("/auth/logout", s.handleLogout)
			r.Get("/auth/password", s.handlePasswordPage)
			r.Post("/auth/password", s.handlePassword)
			r.Group(func(r chi.Router) {
				r.Use(s.requirePasswordChanged)
				r.Get("/", s.handleIndex)
				r.Get("/dashboard", s.handleDashboard)
				r.Get("/help", s.handleHelp)
				s.jobRoutes(r)
				s.logRoutes(r)
				r.Group(func(r chi.Router) {
					r.Use(s.requireAdmin)
					s.groupRoutes(r)
					s.userRoutes(r)
				})
			})
		})
		r.NotFound(s.handleNotFound)
		r.MethodNotAllowed(s.handleMethodNotAllowed)
	})
	return r
}

func assetVersion(fsys fs.FS) string {
	h := sha256.New()
	_ = fs.WalkDir(fsys, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		if info, err := d.Info(); err == nil {
			h.Write([]byte(path))
			h.Write([]byte(info.ModTime().String()))
			b, _ := fs.ReadFile(fsys, path)
			h.Write(b)
		}
		return nil
	})
	return hex.EncodeToString(h.Sum(nil))[:10]
}
