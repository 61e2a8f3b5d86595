package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/xjob-dev/xjob/domain"
	"github.com/xjob-dev/xjob/executor"
)

// executorEnvPrefix prefixes the environment variable of every flag of
// `xjob executor`: --app-name is XJOB_EXECUTOR_APP_NAME.
const executorEnvPrefix = "XJOB_EXECUTOR_"

// executorEnvSeparators say how list flags are split when they come from
// the environment; command lines may contain commas, so they use newlines.
var executorEnvSeparators = map[string]string{"command": "\n", "http-allow": ","}

// executorConfig is the parsed configuration of `xjob executor`.
type executorConfig struct {
	opts      executor.Options
	admins    string
	glue      string
	logLevel  string
	level     slog.Level
	commands  executorListFlag // NAME=CMDLINE
	httpAllow executorListFlag // URL prefixes
}

// runExecutor runs a standalone executor until ctx is done, then
// deregisters it. It returns 2 for bad settings and 1 if it cannot start.
func runExecutor(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg, err := parseExecutorArgs(args, os.Getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	} else if err != nil {
		fmt.Fprintf(stderr, "xjob executor: %v\n", err)
		return 2
	}
	cfg.opts.Logger = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: cfg.level}))
	ex, err := newCLIExecutor(cfg)
	if err != nil {
		fmt.Fprintf(stderr, "xjob executor: %v\n", err)
		return 2
	}
	if err := ex.Start(ctx); err != nil {
		fmt.Fprintf(stderr, "xjob executor: %v\n", err)
		return 1
	}
	<-ctx.Done()
	stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
	defer cancel()
	if err := ex.Stop(stopCtx); err != nil {
		// Undelivered results are on disk and sent by the next start.
		cfg.opts.Logger.Warn("executor stopped with problems", "err", err)
	}
	return 0
}

// parseExecutorArgs reads flags, then XJOB_EXECUTOR_* for flags not given.
func parseExecutorArgs(args []string, getenv func(string) string, out io.Writer) (*executorConfig, error) {
	c := &executorConfig{}
	fs := executorFlagSet(c, out)
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if err := applyExecutorEnv(fs, getenv); err != nil {
		return nil, err
	}
	c.opts.AdminAddresses = splitExecutorList(c.admins, ",")
	glue, err := parseGlueTypes(c.glue)
	if err != nil {
		return nil, err
	}
	c.opts.EnableGlue = glue
	if err := c.level.UnmarshalText([]byte(c.logLevel)); err != nil {
		return nil, fmt.Errorf("--log-level: %w", err)
	}
	return c, nil
}

func executorFlagSet(c *executorConfig, out io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("executor", flag.ContinueOnError)
	fs.SetOutput(out)
	o := &c.opts
	fs.StringVar(&c.admins, "admin-addresses", "", "comma-separated admin base URLs, tried in order, e.g. http://10.0.0.1:8080 (required)")
	fs.StringVar(&o.AccessToken, "access-token", "", "access token shared with the admin; prefer the environment variable")
	fs.StringVar(&o.AppName, "app-name", "", "AppName of the executor group to register in (required)")
	fs.StringVar(&o.Address, "address", "", "URL the admin calls (default http://<first IPv4>:<port>/)")
	fs.StringVar(&o.ListenAddr, "listen", "", "host:port to listen on (default :<port>)")
	fs.IntVar(&o.Port, "port", executor.DefaultPort, "port to listen on when --listen is not set")
	fs.StringVar(&o.LogDir, "log-dir", executor.DefaultLogDir, "directory of run logs, GLUE sources and undelivered results")
	fs.IntVar(&o.LogRetentionDays, "log-retention-days", executor.DefaultLogRetentionDays, "delete run logs older than this many days (>= 3; -1 keeps them)")
	fs.DurationVar(&o.HTTPTimeout, "timeout", executor.DefaultHTTPTimeout, "timeout of each request to an admin")
	fs.DurationVar(&o.BeatInterval, "beat-interval", executor.DefaultBeatInterval, "registry heartbeat interval")
	fs.DurationVar(&o.CallbackRetryInterval, "callback-retry-interval", executor.DefaultCallbackRetryInterval, "retry interval of undelivered results")
	fs.StringVar(&c.glue, "glue", "", "comma-separated GLUE script types to run, e.g. GLUE_SHELL,GLUE_PYTHON (needs a non-default --access-token)")
	fs.Var(&c.commands, "command", "NAME=CMDLINE: handler NAME runs CMDLINE (no shell) with the job param as last argument; repeatable")
	fs.Var(&c.httpAllow, "http-allow", "URL prefix the built-in "+executor.HTTPJobName+" may call; repeatable; enables it")
	fs.StringVar(&c.logLevel, "log-level", "info", "debug, info, warn or error")
	fs.Usage = func() { executorUsage(fs, out) }
	return fs
}

func executorUsage(fs *flag.FlagSet, out io.Writer) {
	fmt.Fprint(out, "Usage: xjob executor [flags]\n\nRuns an XXL-JOB compatible executor with command and HTTP handlers.\n"+
		"Every flag can also be set by the environment variable shown.\n\n")
	fs.VisitAll(func(f *flag.Flag) {
		def := ""
		if f.DefValue != "" && f.DefValue != "0" && f.DefValue != "[]" {
			def = " (default " + f.DefValue + ")"
		}
		fmt.Fprintf(out, "  --%s\n      %s%s [%s]\n", f.Name, f.Usage, def, executorEnvName(f.Name))
	})
}

// executorEnvName is the environment variable of a flag.
func executorEnvName(flagName string) string {
	return executorEnvPrefix + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// applyExecutorEnv sets every flag not given on the command line from its
// non-empty environment variable.
func applyExecutorEnv(fs *flag.FlagSet, getenv func(string) string) error {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	var errs []error
	fs.VisitAll(func(f *flag.Flag) {
		v := getenv(executorEnvName(f.Name))
		if set[f.Name] || v == "" {
			return
		}
		values := []string{v}
		if sep, ok := executorEnvSeparators[f.Name]; ok {
			values = splitExecutorList(v, sep)
		}
		for _, item := range values {
			if err := fs.Set(f.Name, item); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", executorEnvName(f.Name), err))
			}
		}
	})
	return errors.Join(errs...)
}

// newCLIExecutor builds the executor and registers the command and HTTP
// handlers the configuration names.
func newCLIExecutor(c *executorConfig) (*executor.Executor, error) {
	ex, err := executor.New(c.opts)
	if err != nil {
		return nil, err
	}
	names := map[string]bool{}
	for _, spec := range c.commands {
		name, argv, err := parseCommandSpec(spec)
		if err != nil {
			return nil, err
		}
		if names[name] {
			return nil, fmt.Errorf("--command: handler %q given twice", name)
		}
		names[name] = true
		ex.Register(name, executor.CommandHandler(argv...))
	}
	if len(c.httpAllow) > 0 {
		if names[executor.HTTPJobName] {
			return nil, fmt.Errorf("--command %s clashes with the built-in handler enabled by --http-allow", executor.HTTPJobName)
		}
		ex.Register(executor.HTTPJobName, executor.HTTPJobHandler(c.httpAllow))
	}
	if len(names) == 0 && len(c.httpAllow) == 0 && len(c.opts.EnableGlue) == 0 && c.opts.Logger != nil {
		c.opts.Logger.Warn("no handlers: use --command, --http-allow or --glue")
	}
	return ex, nil
}

// parseCommandSpec splits "NAME=CMDLINE" into the name and the arguments.
func parseCommandSpec(spec string) (string, []string, error) {
	name, cmdline, ok := strings.Cut(spec, "=")
	name = strings.TrimSpace(name)
	if !ok || name == "" {
		return "", nil, fmt.Errorf("--command %q: want NAME=CMDLINE", spec)
	}
	argv, err := splitCommandLine(cmdline)
	if err != nil {
		return "", nil, fmt.Errorf("--command %s: %w", name, err)
	}
	if len(argv) == 0 {
		return "", nil, fmt.Errorf("--command %s: empty command line", name)
	}
	return name, argv, nil
}

// splitCommandLine splits a command line into words like a POSIX shell
// does for quoting only: 'single' and "double" quotes group words, a
// backslash escapes the next character (inside double quotes only \" and
// \\). Nothing is expanded and no shell runs.
func splitCommandLine(s string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	var quote rune
	escaped := false
	for _, r := range s {
		switch {
		case escaped:
			if quote == '"' && r != '"' && r != '\\' {
				cur.WriteRune('\\')
			}
			cur.WriteRune(r)
			escaped = false
		case r == '\\' && quote != '\'':
			escaped, inWord = true, true
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			cur.WriteRune(r)
		case r == '\'' || r == '"':
			quote, inWord = r, true
		case r == ' ' || r == '\t' || r == '\n':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if quote != 0 || escaped {
		return nil, errors.New("unterminated quote or trailing backslash")
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}

// parseGlueTypes reads "GLUE_SHELL,python" into GLUE types.
func parseGlueTypes(list string) ([]domain.GlueType, error) {
	var out []domain.GlueType
	for _, item := range splitExecutorList(list, ",") {
		name := strings.ToUpper(item)
		if !strings.HasPrefix(name, "GLUE_") {
			name = "GLUE_" + name
		}
		g := domain.GlueType(name)
		if !g.IsScript() {
			return nil, fmt.Errorf("--glue: %q is not a GLUE script type (GLUE_SHELL, GLUE_PYTHON, GLUE_PYTHON2, GLUE_NODEJS, GLUE_PHP, GLUE_POWERSHELL)", item)
		}
		out = append(out, g)
	}
	return out, nil
}

// splitExecutorList splits s on sep and drops blank items.
func splitExecutorList(s, sep string) []string {
	var out []string
	for _, item := range strings.Split(s, sep) {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// executorListFlag is a repeatable string flag.
type executorListFlag []string

func (l *executorListFlag) String() string { return strings.Join(*l, ", ") }

// Set appends one value.
func (l *executorListFlag) Set(v string) error {
	*l = append(*l, v)
	return nil
}
