package executor

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/xjob-dev/xjob/domain"
)

// Executor is one XXL-JOB executor node. Create it with New, register
// handlers, then Start and Stop it (or Run it until a context ends).
type Executor struct {
	opts      Options
	log       *slog.Logger
	admin     *adminClient
	callbacks *callbacks
	jobs      *jobs
	api       *server

	mu       sync.Mutex
	handlers map[string]Handler
	state    int // stateNew, stateStarted, stateStopped
	address  string
	listen   string
	srv      *http.Server
	cancel   context.CancelFunc
	loops    sync.WaitGroup
	reg      *registrar
}

const (
	stateNew = iota
	stateStarted
	stateStopped
)

// New checks opts and prepares an executor: it creates LogDir and the
// callback spool, so results left undelivered by an earlier run are sent
// once the executor starts. It returns an error for invalid options (see
// Options) or an unusable LogDir.
func New(opts Options) (*Executor, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(opts.LogDir, 0o750); err != nil {
		return nil, fmt.Errorf("executor: create log dir (set Options.LogDir): %w", err)
	}
	sp, err := newSpool(opts.LogDir, opts.Logger)
	if err != nil {
		return nil, err
	}
	e := &Executor{opts: opts, log: opts.Logger, handlers: map[string]Handler{}}
	e.admin = newAdminClient(opts.AdminAddresses, opts.AccessToken, opts.HTTPTimeout)
	e.callbacks = newCallbacks(e.admin, sp, opts.CallbackRetryInterval, e.log)
	e.jobs = &jobs{
		workers: map[int64]*worker{}, active: map[int64]struct{}{},
		logDir: opts.LogDir, idle: opts.IdleTimeout, grace: opts.CancelGrace,
		maxQueue: opts.MaxQueue, log: e.log, report: e.callbacks.add,
	}
	e.api = &server{ex: e, token: opts.AccessToken}
	return e, nil
}

// Register makes h run the triggers whose executorHandler is name. It
// panics if name is empty, h is nil or name is already registered.
func (e *Executor) Register(name string, h Handler) {
	if strings.TrimSpace(name) == "" || h == nil {
		panic("executor: Register needs a name and a handler")
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, dup := e.handlers[name]; dup {
		panic("executor: handler " + strconv.Quote(name) + " registered twice")
	}
	e.handlers[name] = h
}

func (e *Executor) handler(name string) Handler {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.handlers[name]
}

// trigger accepts or refuses one /run request; "" means accepted.
func (e *Executor) trigger(p domain.TriggerParam) string {
	h, key, refusal := e.resolve(p)
	if refusal != "" {
		return refusal
	}
	return e.jobs.dispatch(&trigger{p: p, run: h}, key)
}

// Address is the URL the executor registers; it is known after Start.
func (e *Executor) Address() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.address
}

// ListenAddr is the host:port the executor listens on; it is known after
// Start (useful with a ":0" ListenAddr option).
func (e *Executor) ListenAddr() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.listen
}

// Start listens on ListenAddr and starts the registry heartbeat, result
// delivery and log cleanup in the background. It returns once listening;
// ctx only bounds that. An executor starts once.
func (e *Executor) Start(ctx context.Context) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.state != stateNew {
		return errors.New("executor: already started or stopped")
	}
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", e.opts.ListenAddr)
	if err != nil {
		return fmt.Errorf("executor: listen: %w", err)
	}
	e.state = stateStarted
	e.listen = ln.Addr().String()
	e.address = e.opts.Address
	if e.address == "" {
		e.address = defaultAddress(ln.Addr())
	}
	if strings.TrimSpace(e.opts.AccessToken) == "" {
		e.log.Warn("executor has no access token: anyone who can reach it can run its jobs")
	}
	e.srv = &http.Server{Handler: e.api, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 90 * time.Second, MaxHeaderBytes: 64 << 10}
	bg, cancel := context.WithCancel(context.WithoutCancel(ctx))
	e.cancel = cancel
	e.reg = &registrar{admin: e.admin, interval: e.opts.BeatInterval, log: e.log, param: domain.RegistryParam{
		RegistryGroup: string(domain.RegistryExecutor), RegistryKey: e.opts.AppName, RegistryValue: e.address,
	}}
	e.goLoop(func() { e.serve(ln) })
	e.goLoop(func() { e.reg.loop(bg) })
	e.goLoop(func() { e.callbacks.loop(bg) })
	e.goLoop(func() { retentionLoop(bg, e.opts.LogDir, e.opts.LogRetentionDays, e.log) })
	e.log.Info("executor started", "app", e.opts.AppName, "address", e.address, "listen", ln.Addr().String())
	return nil
}

func (e *Executor) goLoop(f func()) {
	e.loops.Add(1)
	go func() { defer e.loops.Done(); f() }()
}

func (e *Executor) serve(ln net.Listener) {
	if err := e.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		e.log.Error("executor HTTP server stopped", "err", err)
	}
}

// Stop deregisters from the admins, stops serving, kills running and
// queued jobs (reported as killed) and delivers the remaining results;
// results still undelivered when ctx ends stay on disk for the next start.
// Stop may be called more than once, and without Start.
func (e *Executor) Stop(ctx context.Context) error {
	e.mu.Lock()
	state := e.state
	e.state = stateStopped
	e.mu.Unlock()
	if state == stateStopped {
		return nil
	}
	var errs []error
	if state == stateStarted {
		e.cancel() // no heartbeat may re-register after the removal
		if err := e.reg.remove(ctx); err != nil {
			errs = append(errs, fmt.Errorf("executor: registryRemove: %w", err))
		}
		if err := e.srv.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("executor: shutdown http: %w", err))
		}
		e.loops.Wait()
	}
	if err := e.jobs.stopAll(ctx, reasonShutdown); err != nil {
		errs = append(errs, err)
	}
	e.callbacks.flush(ctx)
	return errors.Join(errs...)
}

// Run starts the executor, waits until ctx is done and stops it, giving
// the shutdown up to 10 s.
func (e *Executor) Run(ctx context.Context) error {
	if err := e.Start(ctx); err != nil {
		return err
	}
	<-ctx.Done()
	stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	return e.Stop(stopCtx)
}

// defaultAddress is http://<ip>:<port>/ for the listener: its own IP when
// bound to one, else the host's first non-loopback IPv4 address.
func defaultAddress(addr net.Addr) string {
	tcp, _ := addr.(*net.TCPAddr)
	if tcp == nil {
		return "http://" + addr.String() + "/"
	}
	ip := tcp.IP
	if ip == nil || ip.IsUnspecified() {
		ip = hostIPv4()
	}
	return "http://" + net.JoinHostPort(ip.String(), strconv.Itoa(tcp.Port)) + "/"
}

func hostIPv4() net.IP {
	addrs, _ := net.InterfaceAddrs()
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && !n.IP.IsLoopback() && n.IP.To4() != nil && !n.IP.IsLinkLocalUnicast() {
			return n.IP.To4()
		}
	}
	return net.IPv4(127, 0, 0, 1)
}
