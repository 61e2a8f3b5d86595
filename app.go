package xjob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Loop is a background component: Run works until ctx is done.
type Loop interface {
	Run(ctx context.Context)
}

// Pinger answers whether a dependency (the database) is reachable.
type Pinger interface {
	PingContext(ctx context.Context) error
}

// App is the running scheduling center: an HTTP server and background loops.
type App struct {
	Config   *Config
	Logger   *slog.Logger
	Secrets  *Secrets
	Listener net.Listener // the bound --listen (newListener); if nil, Run binds it
	Handler  http.Handler
	Loops    []Loop
	Stoppers []func(context.Context) // drained in order after the loops stop
}

// Run listens, prints the first-start secrets, starts the loops and serves
// until ctx is done, then shuts down gracefully. ready is called with the
// bound address once the server accepts connections (may be nil).
func (a *App) Run(ctx context.Context, out io.Writer, ready func(addr net.Addr)) error {
	ln := a.Listener
	var err error
	if ln == nil {
		if ln, _, err = newListener(a.Config); err != nil {
			return err
		}
	}
	a.printBanner(out, ln.Addr())
	srv := &http.Server{
		Handler:           a.Handler,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(a.Logger.Handler(), slog.LevelWarn),
	}
	loopCtx, stopLoops := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	for _, l := range a.Loops {
		wg.Add(1)
		go func() { defer wg.Done(); l.Run(loopCtx) }()
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	if ready != nil {
		ready(ln.Addr())
	}
	select {
	case <-ctx.Done():
	case err = <-errc:
	}
	a.Logger.Info("shutting down")
	shutCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	stopLoops()
	wg.Wait()
	for _, stop := range a.Stoppers {
		stop(shutCtx)
	}
	if serr := srv.Shutdown(shutCtx); serr != nil && err == nil {
		err = serr
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// printBanner shows where xjob listens and, once, the generated secrets.
func (a *App) printBanner(out io.Writer, addr net.Addr) {
	host, port, _ := net.SplitHostPort(addr.String())
	if host == "" || host == "::" || host == "0.0.0.0" {
		host = "localhost"
	}
	url := "http://" + net.JoinHostPort(host, port) + strings.TrimSuffix(a.Config.ContextPath, "/") + "/"
	fmt.Fprintf(out, "xjob is listening on %s\n", url)
	s := a.Secrets
	if s == nil {
		return
	}
	if s.AdminPassword != "" {
		fmt.Fprintf(out, "  created user %q with password %s", s.AdminUser, s.AdminPassword)
		if s.AdminNeedsChange {
			fmt.Fprint(out, " (change it at the first sign-in; it is not shown again)")
		}
		fmt.Fprintln(out)
	}
	if s.TokenGenerated {
		fmt.Fprintf(out, "  executor access token: %s (kept in %s; configure executors with it)\n",
			s.AccessToken, a.Config.DataDir+"/"+tokenFile)
	}
}

// healthHandler serves /healthz (the process is up) and /readyz (the
// database answers within a second).
func healthHandler(db Pinger) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "ok\n")
	})
	mux.HandleFunc("/readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), time.Second)
		defer cancel()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if err := db.PingContext(ctx); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(w, "database unavailable\n")
			return
		}
		io.WriteString(w, "ready\n")
	})
	return mux
}
