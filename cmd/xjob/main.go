// Command xjob is the xjob scheduling center and its tools.
//
//	xjob serve      run the scheduling center (admin UI, executor API, scheduler)
//	xjob migrate    create or adopt the database schema, then exit
//	xjob executor   run a standalone executor
//	xjob cron       compute and explain Quartz cron schedules
//	xjob version    print the version
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run dispatches a subcommand and returns the process exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return runServe(ctx, rest, stdout, stderr)
	case "migrate":
		return runMigrate(ctx, rest, stdout, stderr)
	case "executor":
		return runExecutor(ctx, rest, stdout, stderr)
	case "cron":
		return runCron(rest, stdin, stdout, stderr)
	case "version", "--version", "-version":
		fmt.Fprintln(stdout, "xjob", version)
		return 0
	case "help", "-h", "--help":
		usage(stdout)
		return 0
	}
	fmt.Fprintf(stderr, "xjob: unknown command %q\n", cmd)
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprint(w, `Usage: xjob <command> [flags]

Commands:
  serve      run the scheduling center (admin UI, executor API, scheduler)
  migrate    create or adopt the database schema, then exit
  executor   run a standalone executor
  cron       compute and explain Quartz cron schedules (next, explain)
  version    print the version

Run 'xjob <command> --help' for the settings of a command.
`)
}
