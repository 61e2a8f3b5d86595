// Command xjob-bench measures xjob's scheduling center end to end: it builds
// and starts `xjob serve` as a separate process on a fresh MariaDB (or
// SQLite) database, seeds jobs straight into xxl_job_info, plays the
// executor with an in-process stub, and checks every fire against the cron
// schedule (expected instants vs /run arrivals: late, missed, duplicate).
// The same run measures the machine's ceilings (loopback HTTP, MariaDB
// commits and batch inserts) and, optionally, Quartz 2.3.2 clustered on the
// same MariaDB as a peer.
//
//	go run ./cmd/xjob-bench -scenario quick            # what `make bench` runs
//	go run ./cmd/xjob-bench -scenario s1,s3 -quartz    # with the Quartz peer
//	go run ./cmd/xjob-bench -scenario s2,logs,startup
//
// Scenarios: ceilings, s1, s2, s3, callbacks, logs, startup; "quick" is
// ceilings + s1 (60 s) + callbacks, "all" is everything. Results go to a
// JSON file (-out) and a Markdown table on stdout; progress to stderr.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// Options are the harness' flags.
type Options struct {
	Scenarios     []string
	Repo          string
	XjobBin       string
	MySQLDSN      string
	Out           string
	Token         string
	Keep          bool
	S1Duration    time.Duration
	S1Jobs        int
	S2Duration    time.Duration
	S2Jobs        int
	S3Duration    time.Duration
	S3Jobs        int
	SQLite        bool
	Quartz        bool
	QuartzCP      string
	QuartzThreads int
	CallbackStep  time.Duration
	CallbackMax   int
	LogRows       int
	CeilingTime   time.Duration
	Profile       bool
	WaitQuiet     time.Duration
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "xjob-bench:", err)
		os.Exit(1)
	}
}

func parseFlags(args []string) (*Options, error) {
	o := &Options{}
	fs := flag.NewFlagSet("xjob-bench", flag.ContinueOnError)
	scen := fs.String("scenario", "quick", "comma-separated: ceilings, s1, s2, s3, callbacks, logs, startup; quick = ceilings,s1,callbacks with s1 at 60 s; all = every scenario")
	fs.StringVar(&o.Repo, "repo", ".", "the xjob checkout (for go build and scripts/mariadb.sh)")
	fs.StringVar(&o.XjobBin, "xjob-bin", "", "use this xjob binary instead of building ./cmd/xjob")
	fs.StringVar(&o.MySQLDSN, "mysql-dsn", os.Getenv("XJOB_BENCH_MYSQL_DSN"), "MariaDB server as root@tcp(HOST:PORT)/ (env XJOB_BENCH_MYSQL_DSN); empty = start one with scripts/mariadb.sh")
	fs.StringVar(&o.Out, "out", "", "JSON result file (default $TMPDIR/xjob-bench-DATE.json)")
	fs.StringVar(&o.Token, "token", "bench-token-5f1e0c2a9d", "access token of the admin and the stub executor")
	fs.BoolVar(&o.Keep, "keep", false, "keep the benchmark databases")
	fs.DurationVar(&o.S1Duration, "s1-duration", 2*time.Minute, "S1 measurement window")
	fs.IntVar(&o.S1Jobs, "s1-jobs", 1000, "S1 jobs (every second)")
	fs.DurationVar(&o.S2Duration, "s2-duration", time.Minute, "S2 measurement window")
	fs.IntVar(&o.S2Jobs, "s2-jobs", 10000, "S2 jobs (every second)")
	fs.DurationVar(&o.S3Duration, "s3-duration", 2*time.Minute, "S3 measurement window")
	fs.IntVar(&o.S3Jobs, "s3-jobs", 100000, "S3 jobs (second i%60 of every minute)")
	fs.BoolVar(&o.SQLite, "sqlite", true, "also run S1 and start-up on SQLite (the embedded default)")
	fs.BoolVar(&o.Quartz, "quartz", false, "run the Quartz 2.3.2 peer for S1 and S3")
	fs.StringVar(&o.QuartzCP, "quartz-classpath", "", "classpath of the compiled peer (bench/quartz/build.sh prints it); empty = build it")
	fs.IntVar(&o.QuartzThreads, "quartz-threads", 50, "Quartz worker threads (and trigger batch size)")
	fs.DurationVar(&o.CallbackStep, "callback-step", 4*time.Second, "duration of each callback load step")
	fs.IntVar(&o.CallbackMax, "callback-max", 64000, "highest callback rate (results/s) to try")
	fs.IntVar(&o.LogRows, "log-rows", 10_000_000, "rows in xxl_job_log for the logs scenario")
	fs.DurationVar(&o.CeilingTime, "ceiling-time", 3*time.Second, "duration of each ceiling measurement")
	fs.DurationVar(&o.WaitQuiet, "wait-quiet", 2*time.Minute, "before each load scenario, wait up to this long for other processes to leave the CPUs (< 20% busy); 0 = don't wait")
	fs.BoolVar(&o.Profile, "profile", false, "run the admin from a copy of the tree with a pprof listener added and keep a CPU profile of each load window")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	for _, s := range strings.Split(*scen, ",") {
		switch s = strings.TrimSpace(s); s {
		case "quick":
			// `make bench`: about two minutes.
			o.Scenarios = append(o.Scenarios, "ceilings", "s1", "callbacks")
			def := map[string]func(){
				"s1-duration":   func() { o.S1Duration = time.Minute },
				"sqlite":        func() { o.SQLite = false },
				"callback-step": func() { o.CallbackStep = 2 * time.Second },
				"ceiling-time":  func() { o.CeilingTime = time.Second },
			}
			for name, set := range def {
				if !isSet(fs, name) {
					set()
				}
			}
		case "all":
			o.Scenarios = append(o.Scenarios, "ceilings", "startup", "s1", "callbacks", "s3", "s2", "logs")
		case "ceilings", "s1", "s2", "s3", "callbacks", "logs", "startup":
			o.Scenarios = append(o.Scenarios, s)
		case "":
		default:
			return nil, fmt.Errorf("-scenario: unknown scenario %q", s)
		}
	}
	repo, err := filepath.Abs(o.Repo)
	if err != nil {
		return nil, err
	}
	o.Repo = repo
	if o.Out == "" {
		o.Out = filepath.Join(os.TempDir(), "xjob-bench-"+time.Now().Format("20060102-150405")+".json")
	}
	return o, nil
}

func isSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

func run(ctx context.Context, args []string) error {
	o, err := parseFlags(args)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	} else if err != nil {
		return err
	}
	env, err := newEnv(ctx, o)
	if err != nil {
		return err
	}
	defer env.Close()
	rep := env.Report
	for _, s := range o.Scenarios {
		if ctx.Err() != nil {
			break
		}
		logf("=== scenario %s", s)
		if s != "ceilings" && s != "logs" {
			env.waitQuiet(ctx, s)
		}
		start := time.Now()
		var err error
		switch s {
		case "ceilings":
			env.waitQuiet(ctx, s)
			err = env.RunCeilings(ctx)
		case "s1":
			err = env.RunS1(ctx)
		case "s2":
			err = env.RunS2(ctx)
		case "s3":
			err = env.RunS3(ctx)
		case "callbacks":
			err = env.RunCallbacks(ctx)
		case "logs":
			err = env.RunLogs(ctx)
		case "startup":
			err = env.RunStartup(ctx)
		}
		if err != nil {
			logf("scenario %s failed: %v", s, err)
			rep.Notes = append(rep.Notes, fmt.Sprintf("%s: FAILED: %v", s, err))
		}
		logf("=== scenario %s took %s", s, time.Since(start).Round(time.Second))
		rep.WriteJSON(o.Out) // after every scenario, so a long run keeps what it measured
	}
	rep.ApplyCeilings()
	if err := rep.WriteJSON(o.Out); err != nil {
		return err
	}
	rep.WriteMarkdown(os.Stdout)
	fmt.Printf("\nResult file: %s\n", o.Out)
	return nil
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s %s\n", time.Now().Format("15:04:05.000"), fmt.Sprintf(format, args...))
}
