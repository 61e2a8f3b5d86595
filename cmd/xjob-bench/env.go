package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// Env is what every scenario shares: the options, the xjob binary, the
// MariaDB server, a scratch directory and the report being filled.
type Env struct {
	Opts      *Options
	Bin       string
	Maria     *MariaDB
	Dir       string
	Report    *Report
	ProfBin   string // -profile: xjob built with a pprof listener
	pprofAddr string
	started   bool // we started MariaDB
	runID     string
}

func newEnv(ctx context.Context, o *Options) (*Env, error) {
	dir, err := os.MkdirTemp("", "xjob-bench-")
	if err != nil {
		return nil, err
	}
	e := &Env{Opts: o, Dir: dir, runID: time.Now().Format("150405"), Report: newReport()}
	e.Report.Scenarios = o.Scenarios
	e.Report.Versions["go"] = runtime.Version()
	if rev, err := exec.Command("git", "-C", o.Repo, "rev-parse", "--short", "HEAD").Output(); err == nil {
		dirty := ""
		if out, _ := exec.Command("git", "-C", o.Repo, "status", "--porcelain").Output(); len(out) > 0 {
			dirty = " + uncommitted changes"
		}
		e.Report.Versions["xjob"] = strings.TrimSpace(string(rev)) + dirty
	}
	if o.XjobBin != "" {
		e.Bin = o.XjobBin
	} else {
		logf("building ./cmd/xjob")
		if e.Bin, err = BuildXjob(ctx, o.Repo, dir); err != nil {
			e.Report.Notes = append(e.Report.Notes, "xjob does not build: "+firstLines(err.Error(), 6))
			logf("%v", err)
		}
	}
	if o.Profile {
		logf("building a profiled copy of ./cmd/xjob")
		if e.ProfBin, err = BuildXjobProfiled(ctx, o.Repo, filepath.Join(dir, "prof")); err != nil {
			e.Report.Notes = append(e.Report.Notes, "profiled build failed: "+firstLines(err.Error(), 6))
			logf("%v", err)
		}
	}
	if o.MySQLDSN != "" {
		e.Maria = &MariaDB{DSN: o.MySQLDSN, repo: o.Repo}
	} else {
		logf("starting MariaDB with scripts/mariadb.sh")
		if e.Maria, err = StartMariaDB(ctx, o.Repo); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
		e.started = true
	}
	if _, err := e.Maria.CreateDB(ctx, "xjob_bench_probe"); err != nil {
		e.Close()
		return nil, fmt.Errorf("MariaDB at %s: %w", e.Maria.DSN, err)
	}
	e.Maria.DropDB("xjob_bench_probe")
	e.Report.Versions["mariadb"] = e.Maria.Version
	if out, err := exec.Command("java", "-version").CombinedOutput(); err == nil {
		e.Report.Versions["java"] = firstLines(string(out), 1)
	}
	return e, nil
}

// needBin returns an error when xjob could not be built.
func (e *Env) needBin() error {
	if e.Bin == "" {
		return fmt.Errorf("no xjob binary (go build ./cmd/xjob failed; see the notes)")
	}
	return nil
}

// dbName returns a fresh database name for a scenario.
func (e *Env) dbName(s string) string { return "xjob_bench_" + s + "_" + e.runID }

// Close stops what the harness started and removes its scratch directory.
func (e *Env) Close() {
	if e.started {
		e.Maria.Close()
	}
	os.RemoveAll(e.Dir)
}

func firstLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[:n]
	}
	return strings.Join(lines, " | ")
}

func firstLinesN(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[:n]
	}
	return strings.Join(lines, "\n")
}
