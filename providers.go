package xjob

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"
	"github.com/google/wire"

	"github.com/xjob-dev/xjob/adapters/alarm"
	"github.com/xjob-dev/xjob/adapters/api"
	"github.com/xjob-dev/xjob/adapters/clock"
	"github.com/xjob-dev/xjob/adapters/executorclient"
	"github.com/xjob-dev/xjob/adapters/i18n"
	"github.com/xjob-dev/xjob/adapters/metrics"
	"github.com/xjob-dev/xjob/adapters/password"
	"github.com/xjob-dev/xjob/adapters/sqlstore"
	"github.com/xjob-dev/xjob/adapters/web"
	"github.com/xjob-dev/xjob/application"
	"github.com/xjob-dev/xjob/domain"
	"github.com/xjob-dev/xjob/ports"
)

// storeSet opens the database and binds every store port to sqlstore.
var storeSet = wire.NewSet(
	openDB,
	sqlstore.NewJobStore, wire.Bind(new(ports.JobStore), new(*sqlstore.JobStore)),
	sqlstore.NewLogStore, wire.Bind(new(ports.LogStore), new(*sqlstore.LogStore)),
	sqlstore.NewGroupStore, wire.Bind(new(ports.GroupStore), new(*sqlstore.GroupStore)),
	sqlstore.NewRegistryStore, wire.Bind(new(ports.RegistryStore), new(*sqlstore.RegistryStore)),
	sqlstore.NewUserStore, wire.Bind(new(ports.UserStore), new(*sqlstore.UserStore)),
	sqlstore.NewGlueStore, wire.Bind(new(ports.GlueStore), new(*sqlstore.GlueStore)),
	sqlstore.NewReportStore, wire.Bind(new(ports.ReportStore), new(*sqlstore.ReportStore)),
	sqlstore.NewFireStore, wire.Bind(new(ports.FireStore), new(*sqlstore.FireStore)),
	wire.Bind(new(ports.ScheduleLocker), new(*sqlstore.DB)),
)

// platformSet is the clock, password hashing, messages, metrics and the
// first-start secrets.
var platformSet = wire.NewSet(
	wire.Value(clock.System{}), wire.Bind(new(ports.Clock), new(clock.System)),
	password.New, wire.Bind(new(ports.PasswordHasher), new(password.Hasher)),
	newCatalog, wire.Bind(new(ports.Messages), new(*i18n.Catalog)),
	metrics.New, wire.Bind(new(application.Metrics), new(*metrics.Registry)),
	newUserFlags, wire.Bind(new(application.PasswordFlags), new(*sqlstore.UserFlagStore)),
	newSecrets,
)

// executorSet is the client that calls executors and the alarm channels.
var executorSet = wire.NewSet(
	newExecutorClient, wire.Bind(new(ports.ExecutorClient), new(*executorclient.Client)),
	newAlarmer, wire.Bind(new(ports.Alarmer), new(*alarm.Fanout)),
)

// triggerSet is the trigger path: routing, triggering, pools, callbacks,
// the executor registry, kill and the rolling log.
var triggerSet = wire.NewSet(
	domain.NewRouter,
	newTriggerJob,
	newTriggerPool, wire.Bind(new(application.Submitter), new(*application.TriggerPool)),
	newHandleCallback,
	newRefreshGroups,
	application.NewRegisterExecutor,
	application.NewRemoveExecutor,
	newMonitorRegistry,
	application.NewKillJob,
	application.NewReadLog,
)

// scheduleSet is the schedule loop and the monitors.
var scheduleSet = wire.NewSet(
	newScheduleFixDelay, wire.Bind(new(application.FixDelayFinisher), new(*application.ScheduleFixDelay)),
	newFireDelivery,
	newScanSchedule,
	newMonitorFailures,
	newFailLostJobs,
	newReportLogs,
	newCleanLogs,
	newLoops,
)

// webSet is the console's use cases, the HTTP handlers and the listener.
var webSet = wire.NewSet(
	newListener,
	consoleOptions,
	application.NewLogin,
	application.NewManageJobs,
	application.NewManageGroups,
	application.NewManageUsers,
	application.NewDashboard,
	newWebServer,
	newHandler,
)

func openDB(ctx context.Context, cfg *Config, logger *slog.Logger) (*sqlstore.DB, func(), error) {
	// The pool serves the fire workers, the trigger pools and the callbacks
	// at once; Hikari's 30 made bursts wait for connections (see
	// docs/benchmarks.md).
	db, cleanup, err := sqlstore.Open(ctx, cfg.DB, sqlstore.WithLocation(cfg.Location), sqlstore.WithPool(64, 32))
	if err != nil {
		return nil, nil, err
	}
	logger.Info("database ready", "schema", db.Schema().String())
	return db, cleanup, nil
}

func newCatalog(cfg *Config) (*i18n.Catalog, error) { return i18n.NewCatalog(cfg.Lang) }

func newUserFlags(db *sqlstore.DB) *sqlstore.UserFlagStore { return sqlstore.NewUserFlagStore(db) }

// newSecrets makes sure an access token and an admin user exist.
func newSecrets(ctx context.Context, cfg *Config, users ports.UserStore, hasher ports.PasswordHasher,
	flags application.PasswordFlags) (*Secrets, error) {
	s := &Secrets{}
	if err := ensureAccessToken(cfg, s); err != nil {
		return nil, err
	}
	if err := ensureAdmin(ctx, cfg, users, hasher, s); err != nil {
		return nil, err
	}
	if s.AdminNeedsChange {
		if err := flags.SetMustChangePassword(ctx, s.AdminID, true); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func newExecutorClient(cfg *Config, s *Secrets) (*executorclient.Client, func()) {
	c := executorclient.New(executorclient.Options{AccessToken: s.AccessToken, Timeout: cfg.ExecutorTimeout})
	return c, c.Close
}

func newAlarmer(cfg *Config, msgs ports.Messages, m *metrics.Registry, logger *slog.Logger) (*alarm.Fanout, error) {
	return alarm.New(alarm.Config{
		Email: alarm.EmailConfig{Host: cfg.SMTPHost, Port: cfg.SMTPPort, Username: cfg.SMTPUsername,
			Password: cfg.SMTPPassword, From: cfg.SMTPFrom, TLS: cfg.SMTPTLS},
		Webhooks: cfg.Webhooks,
		Location: cfg.Location,
		Metrics:  m,
		Logger:   logger,
	}, msgs)
}

// newListener binds --listen. It binds before the use cases are built, so
// that they know the port actually bound (--listen 127.0.0.1:0 picks one);
// App.Run serves on it.
func newListener(cfg *Config) (net.Listener, func(), error) {
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return nil, nil, fmt.Errorf("--listen %s: %w", cfg.Listen, err)
	}
	return ln, func() { ln.Close() }, nil
}

// adminAddress is how this node names itself in trigger messages: the
// configured host (this machine's outbound address when it listens on all
// interfaces) and the port bound.
func adminAddress(cfg *Config, ln net.Listener) string {
	host, port, err := net.SplitHostPort(cfg.Listen)
	if err != nil {
		return ln.Addr().String()
	}
	if _, bound, err := net.SplitHostPort(ln.Addr().String()); err == nil {
		port = bound
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		if ip := outboundIP(); ip != "" {
			host = ip
		}
	}
	return net.JoinHostPort(host, port)
}

// outboundIP returns the first non-loopback IPv4 address of this machine.
func outboundIP() string {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return ""
	}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && !n.IP.IsLoopback() && n.IP.To4() != nil {
			return n.IP.String()
		}
	}
	return ""
}

func newTriggerJob(jobs ports.JobStore, groups ports.GroupStore, logs ports.LogStore, exec ports.ExecutorClient,
	msgs ports.Messages, clk ports.Clock, router *domain.Router, cfg *Config, ln net.Listener, m *metrics.Registry) *application.TriggerJob {
	return application.NewTriggerJob(jobs, groups, logs, exec, msgs, clk, router, adminAddress(cfg, ln)).WithMetrics(m)
}

func newTriggerPool(t *application.TriggerJob, clk ports.Clock, cfg *Config, logger *slog.Logger, m *metrics.Registry) *application.TriggerPool {
	pool := application.NewTriggerPool(t, clk, application.PoolOptions{
		FastWorkers: cfg.TriggerFastMax, SlowWorkers: cfg.TriggerSlowMax,
		FastQueue: cfg.TriggerQueueSize, SlowQueue: cfg.TriggerQueueSize, Logger: logger,
	})
	m.WatchQueues(pool)
	return pool
}

func newHandleCallback(logs ports.LogStore, jobs ports.JobStore, pool application.Submitter, msgs ports.Messages,
	clk ports.Clock, m *metrics.Registry, fd application.FixDelayFinisher) *application.HandleCallback {
	return application.NewHandleCallback(logs, jobs, pool, msgs, clk, m).WithFixDelay(fd)
}

func newRefreshGroups(regs ports.RegistryStore, groups ports.GroupStore, clk ports.Clock, cfg *Config) *application.RefreshGroups {
	return application.NewRefreshGroups(regs, groups, clk, cfg.RegistryDead)
}

func newMonitorRegistry(regs ports.RegistryStore, refresh *application.RefreshGroups, clk ports.Clock,
	logger *slog.Logger, m *metrics.Registry) *application.MonitorRegistry {
	return application.NewMonitorRegistry(regs, refresh, clk, application.RegistryOptions{Logger: logger, Metrics: m})
}

func newScheduleFixDelay(jobs ports.JobStore, cfg *Config, logger *slog.Logger) *application.ScheduleFixDelay {
	return application.NewScheduleFixDelay(jobs, cfg.Location, logger)
}

func newFireDelivery(fires ports.FireStore, logs ports.LogStore, jobs ports.JobStore, t *application.TriggerJob,
	clk ports.Clock, logger *slog.Logger, m *metrics.Registry) *application.FireDelivery {
	return application.NewFireDelivery(fires, logs, jobs, t, clk, application.FireOptions{Logger: logger, Metrics: m})
}

func newScanSchedule(db *sqlstore.DB, d *application.FireDelivery, clk ports.Clock, cfg *Config,
	logger *slog.Logger, m *metrics.Registry) *application.ScanSchedule {
	return application.NewScanSchedule(db, d, clk, application.ScheduleOptions{Location: cfg.Location, Logger: logger, Metrics: m})
}

func newMonitorFailures(logs ports.LogStore, jobs ports.JobStore, groups ports.GroupStore, pool application.Submitter,
	alarmer ports.Alarmer, msgs ports.Messages, clk ports.Clock, fd application.FixDelayFinisher, cfg *Config,
	logger *slog.Logger, m *metrics.Registry) *application.MonitorFailures {
	return application.NewMonitorFailures(logs, jobs, groups, pool, alarmer, msgs, clk, fd, application.MonitorOptions{
		Horizon: cfg.AlarmHorizon, RateWindow: cfg.AlarmWindow, Logger: logger, Metrics: m,
	})
}

func newFailLostJobs(logs ports.LogStore, jobs ports.JobStore, groups ports.GroupStore, regs ports.RegistryStore,
	msgs ports.Messages, clk ports.Clock, fd application.FixDelayFinisher, cfg *Config, logger *slog.Logger) *application.FailLostJobs {
	return application.NewFailLostJobs(logs, jobs, groups, regs, msgs, clk, fd, application.LostJobsOptions{
		RegistryDeadTimeout: cfg.RegistryDead, Logger: logger,
	})
}

func newReportLogs(logs ports.LogStore, reports ports.ReportStore, clk ports.Clock, cfg *Config,
	logger *slog.Logger, m *metrics.Registry) *application.ReportLogs {
	return application.NewReportLogs(logs, reports, clk, application.ReportOptions{Location: cfg.Location, Logger: logger, Metrics: m})
}

func newCleanLogs(logs ports.LogStore, clk ports.Clock, cfg *Config, logger *slog.Logger, m *metrics.Registry) *application.CleanLogs {
	return application.NewCleanLogs(logs, clk, application.CleanOptions{
		RetentionDays: cfg.LogRetentionDays, Location: cfg.Location, Logger: logger, Metrics: m,
	})
}

// Loops are the background components App runs.
type Loops []Loop

func newLoops(pool *application.TriggerPool, scan *application.ScanSchedule, delivery *application.FireDelivery,
	reg *application.MonitorRegistry, fail *application.MonitorFailures, lost *application.FailLostJobs,
	report *application.ReportLogs, clean *application.CleanLogs) Loops {
	return Loops{pool, delivery, scan, reg, fail, lost, report, clean}
}

func consoleOptions(cfg *Config) application.ConsoleOptions {
	return application.ConsoleOptions{Location: cfg.Location, RegistryDeadTimeout: cfg.RegistryDead,
		UpgradeLegacyPasswords: cfg.UpgradePasswords}
}

// webDeps groups the console's dependencies for newWebServer.
type webDeps struct {
	Users    ports.UserStore
	Groups   ports.GroupStore
	Jobs     ports.JobStore
	Logs     ports.LogStore
	Clock    ports.Clock
	Login    *application.Login
	JobsUC   *application.ManageJobs
	GroupsUC *application.ManageGroups
	UsersUC  *application.ManageUsers
	Board    *application.Dashboard
	Trigger  *application.TriggerJob
	Killer   *application.KillJob
	Reader   *application.ReadLog
}

func newWebServer(cfg *Config, d webDeps, logger *slog.Logger) *web.Server {
	return web.NewServer(web.Options{ContextPath: cfg.ContextPath, Lang: cfg.Lang, Location: cfg.Location, Logger: logger},
		web.Deps{Users: d.Users, Groups: d.Groups, Jobs: d.Jobs, Logs: d.Logs, Clock: d.Clock, Login: d.Login,
			JobsUC: d.JobsUC, GroupsUC: d.GroupsUC, UsersUC: d.UsersUC, Board: d.Board,
			Trigger: d.Trigger, Killer: d.Killer, Reader: d.Reader})
}

// newHandler assembles every HTTP endpoint: health, metrics, the executor
// API (under the context path and, for 2.x executors, /xxl-job-admin) and
// the console.
func newHandler(cfg *Config, db *sqlstore.DB, s *Secrets, reg *application.RegisterExecutor,
	rm *application.RemoveExecutor, cb *application.HandleCallback, m *metrics.Registry, console *web.Server,
	logger *slog.Logger) http.Handler {
	r := chi.NewRouter()
	health := healthHandler(pinger{db})
	r.Handle("/healthz", health)
	r.Handle("/readyz", health)
	r.Handle("/metrics", m.Handler())
	apiHandler := api.NewHandler(s.AccessToken, reg, rm, cb, logger)
	base := strings.TrimSuffix(cfg.ContextPath, "/")
	mountAPI(r, base, apiHandler)
	if cfg.CompatContextPath && base != "/xxl-job-admin" {
		mountAPI(r, "/xxl-job-admin", apiHandler)
	}
	if base == "" {
		r.Mount("/", console.Handler())
	} else {
		r.Mount(base, http.StripPrefix(base, console.Handler()))
		r.Get("/", http.RedirectHandler(base+"/", http.StatusFound).ServeHTTP)
	}
	return r
}

// mountAPI serves the executor API's /api and /api/* under prefix. The API
// routes on the full path below the prefix, so it is not chi-mounted.
func mountAPI(r chi.Router, prefix string, api http.Handler) {
	h := http.StripPrefix(prefix, api)
	r.Handle(prefix+"/api", h)
	r.Handle(prefix+"/api/*", h)
}

// pinger adapts the store's Ping to the health check.
type pinger struct{ db *sqlstore.DB }

func (p pinger) PingContext(ctx context.Context) error { return p.db.Ping(ctx) }

func newApp(cfg *Config, logger *slog.Logger, s *Secrets, ln net.Listener, h http.Handler, loops Loops, pool *application.TriggerPool) *App {
	return &App{Config: cfg, Logger: logger, Secrets: s, Listener: ln, Handler: h, Loops: loops,
		Stoppers: []func(context.Context){func(context.Context) { pool.Stop() }}}
}
