package executor

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/xjob-dev/xjob/domain"
)

// Defaults applied by New to zero Options fields.
const (
	DefaultPort                  = 9999
	DefaultLogDir                = "/data/applogs/xxl-job/jobhandler"
	DefaultLogRetentionDays      = 30
	DefaultHTTPTimeout           = 3 * time.Second
	DefaultBeatInterval          = 30 * time.Second
	DefaultCallbackRetryInterval = 30 * time.Second
	DefaultIdleTimeout           = 90 * time.Second
	DefaultCancelGrace           = 500 * time.Millisecond
	DefaultMaxQueue              = 1000
)

// upstreamDefaultToken is the token every XXL-JOB install ships with; it is
// as good as no token, so it cannot protect GLUE.
const upstreamDefaultToken = "default_token"

// Options configure an Executor. Only AdminAddresses and AppName are
// required; every zero field gets the default named next to it.
type Options struct {
	// AdminAddresses are the admin base URLs, e.g. "http://10.0.0.1:8080"
	// (2.x admins: "http://host:8080/xxl-job-admin"). Requests go to the
	// first address that answers with code 200.
	AdminAddresses []string
	// AccessToken is sent to the admin and required from the admin when
	// non-blank. A blank token accepts any request, like upstream.
	AccessToken string
	// AppName is the executor group's AppName the executor registers under.
	AppName string
	// Address is the URL the admin calls, default "http://<ip>:<port>/"
	// with the first non-loopback IPv4 address and the listening port.
	Address string
	// ListenAddr is the host:port to listen on; default ":<Port>".
	ListenAddr string
	// Port is used when ListenAddr is empty; default 9999.
	Port int
	// LogDir holds run logs (yyyy-MM-dd/{logId}.log), GLUE sources and the
	// callback spool; default /data/applogs/xxl-job/jobhandler.
	LogDir string
	// LogRetentionDays deletes day directories of run logs older than this,
	// once a day: 0 means 30, a negative value keeps logs forever, and 1
	// or 2 are refused (upstream silently disables cleanup below 3).
	LogRetentionDays int
	// HTTPTimeout bounds each request to an admin; default 3 s.
	HTTPTimeout time.Duration
	// Logger receives the executor's own diagnostics; default slog.Default().
	Logger *slog.Logger
	// EnableGlue lists the GLUE script types this executor runs (GLUE_SHELL,
	// GLUE_PYTHON, GLUE_PYTHON2, GLUE_NODEJS, GLUE_PHP, GLUE_POWERSHELL).
	// Empty means none. Requires an AccessToken other than "default_token".
	EnableGlue []domain.GlueType

	// BeatInterval is the registry heartbeat period; default 30 s.
	BeatInterval time.Duration
	// CallbackRetryInterval is how often undelivered results are retried;
	// default 30 s.
	CallbackRetryInterval time.Duration
	// IdleTimeout retires a job's worker after this long without triggers;
	// default 90 s (upstream: 30 idle polls of 3 s).
	IdleTimeout time.Duration
	// CancelGrace is how long a cancelled handler may take to return before
	// its result is reported anyway and the goroutine abandoned; default 0.5 s.
	CancelGrace time.Duration
	// MaxQueue bounds the triggers waiting per job id; default 1000.
	MaxQueue int
}

// withDefaults validates o and returns a copy with defaults filled in.
func (o Options) withDefaults() (Options, error) {
	if err := o.validate(); err != nil {
		return o, err
	}
	o.AdminAddresses = trimAll(o.AdminAddresses)
	o.EnableGlue = append([]domain.GlueType(nil), o.EnableGlue...)
	if o.ListenAddr == "" {
		o.ListenAddr = ":" + strconv.Itoa(orInt(o.Port, DefaultPort))
	}
	o.LogDir = orString(o.LogDir, DefaultLogDir)
	o.LogRetentionDays = orInt(o.LogRetentionDays, DefaultLogRetentionDays)
	o.HTTPTimeout = orDuration(o.HTTPTimeout, DefaultHTTPTimeout)
	o.BeatInterval = orDuration(o.BeatInterval, DefaultBeatInterval)
	o.CallbackRetryInterval = orDuration(o.CallbackRetryInterval, DefaultCallbackRetryInterval)
	o.IdleTimeout = orDuration(o.IdleTimeout, DefaultIdleTimeout)
	o.CancelGrace = orDuration(o.CancelGrace, DefaultCancelGrace)
	o.MaxQueue = orInt(o.MaxQueue, DefaultMaxQueue)
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o, nil
}

func (o Options) validate() error {
	if len(trimAll(o.AdminAddresses)) == 0 {
		return errors.New("executor: at least one admin address is required")
	}
	for _, a := range trimAll(o.AdminAddresses) {
		if u, err := url.Parse(a); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("executor: admin address %q is not an http(s) URL", a)
		}
	}
	if name := strings.TrimSpace(o.AppName); name == "" || len(name) > 64 {
		return errors.New("executor: AppName is required (at most 64 characters)")
	}
	if o.LogRetentionDays > 0 && o.LogRetentionDays < 3 {
		return fmt.Errorf("executor: LogRetentionDays %d: use 0 (default 30), a negative value (keep forever) or at least 3", o.LogRetentionDays)
	}
	if o.Port < 0 || o.Port > 65535 {
		return fmt.Errorf("executor: port %d out of range", o.Port)
	}
	return o.validateGlue()
}

func (o Options) validateGlue() error {
	for _, g := range o.EnableGlue {
		if !g.IsScript() {
			return fmt.Errorf("executor: glue type %q cannot be enabled (script types only: GLUE_SHELL, GLUE_PYTHON, GLUE_PYTHON2, GLUE_NODEJS, GLUE_PHP, GLUE_POWERSHELL)", g)
		}
	}
	if len(o.EnableGlue) == 0 {
		return nil
	}
	if tok := strings.TrimSpace(o.AccessToken); tok == "" || tok == upstreamDefaultToken {
		return errors.New("executor: GLUE runs code sent over the network; it needs an AccessToken other than blank or \"default_token\"")
	}
	return nil
}

func trimAll(list []string) []string {
	var out []string
	for _, s := range list {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func orInt(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

func orString(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func orDuration(v, def time.Duration) time.Duration {
	if v <= 0 {
		return def
	}
	return v
}
