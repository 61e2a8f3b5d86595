package main

import (
	"context"
	"fmt"
	"runtime"
	"time"
)

// RunCeilings measures the machine's ceilings.
func (e *Env) RunCeilings(ctx context.Context) error {
	c := &Ceilings{HTTPRun: map[int]float64{}}
	d := e.Opts.CeilingTime
	for _, conc := range []int{1, 64} {
		v, err := MeasureHTTP(e.Opts.Token, conc, d)
		if err != nil {
			return err
		}
		c.HTTPRun[conc] = v
		logf("ceiling: loopback HTTP /run, %d conns: %.0f/s", conc, v)
	}
	dsn, err := e.Maria.CreateDB(ctx, e.dbName("ceilings"))
	if err != nil {
		return err
	}
	defer e.Maria.DropDB(e.dbName("ceilings"))
	if c.Commit, c.BatchRows, err = MeasureMariaDB(ctx, dsn, d); err != nil {
		return err
	}
	logf("ceiling: MariaDB commits/s %v, 100-row batch rows/s %.0f", c.Commit, c.BatchRows)
	e.Report.Ceilings = c
	e.Report.CeilingValues[ceilHTTP] = c.HTTPRun[64]
	e.Report.CeilingValues["loopback HTTP /run, 1 conn"] = c.HTTPRun[1]
	e.Report.CeilingValues[ceilCommit1] = c.Commit[1]
	e.Report.CeilingValues[ceilCommit16] = c.Commit[16]
	e.Report.CeilingValues[ceilBatch] = c.BatchRows
	return nil
}

// RunS1 is 1,000 jobs every second: on MariaDB, on SQLite (-sqlite) and
// for the Quartz peer (-quartz).
func (e *Env) RunS1(ctx context.Context) error {
	spec := fireSpec{Name: "S1", Engine: "mariadb", Jobs: e.Opts.S1Jobs, Window: e.Opts.S1Duration,
		Sched: func(int) Schedule { return EverySecond }, Settle: 30 * time.Second}
	xo, xerr := e.runXjobFires(ctx, spec)
	if xerr == nil {
		e.reportFires("S1 mariadb", xo, true)
	}
	if e.Opts.SQLite && xerr == nil {
		spec.Engine = "sqlite"
		so, err := e.runXjobFires(ctx, spec)
		if err != nil {
			e.Report.Note("S1 sqlite: %v", err)
		} else {
			e.reportFires("S1 sqlite", so, false)
		}
	}
	if e.Opts.Quartz {
		qo, err := e.runQuartz(ctx, spec)
		if err != nil {
			e.Report.Note("S1 Quartz: %v", err)
		} else {
			e.reportFires("S1 Quartz", qo, false)
			if xo != nil {
				e.compare("S1", xo, qo)
			}
		}
	}
	return xerr
}

// RunS2 is 10,000 jobs every second: what gets through, and an account
// of every instant that did not run.
func (e *Env) RunS2(ctx context.Context) error {
	spec := fireSpec{Name: "S2", Engine: "mariadb", Jobs: e.Opts.S2Jobs, Window: e.Opts.S2Duration,
		Sched: func(int) Schedule { return EverySecond }, Settle: 2 * time.Minute}
	o, err := e.runXjobFires(ctx, spec)
	if err != nil {
		return err
	}
	e.reportFires("S2 mariadb", o, false)
	e.Report.AddGoal("S2 mariadb", "sustained fires/s (stretch 10 000)", o.Check.FiresPerSec, "/s", ">=", 5000, ceilHTTP)
	a := o.Accounting
	if a != nil {
		sc := "S2 mariadb"
		e.Report.Add(Figure{Scenario: sc, Name: "all runs / (first instant → last run)", Value: o.Check.DrainFiresPerSec, Unit: "/s", Ceiling: ceilHTTP})
		e.Report.Add(Figure{Scenario: sc, Name: "expected instants", Value: float64(a.Expected)})
		e.Report.Add(Figure{Scenario: sc, Name: "ran (% of expected)", Value: pct(a.Ran, a.Expected), Unit: "%"})
		e.Report.Add(Figure{Scenario: sc, Name: "skipped by the scan (late/misfire, DO_NOTHING)", Value: float64(a.SkippedByScan)})
		e.Report.Add(Figure{Scenario: sc, Name: "skipped at delivery (misfire)", Value: float64(a.SkippedAtDelivery)})
		e.Report.Add(Figure{Scenario: sc, Name: "trigger failed (logged)", Value: float64(a.TriggerFailed)})
		e.Report.Add(Figure{Scenario: sc, Name: "not reached (scan behind)", Value: float64(a.NotReached)})
		if a.StoppedByScheduler > 0 {
			e.Report.Add(Figure{Scenario: sc, Name: "job stopped by the scheduler", Value: float64(a.StoppedByScheduler)})
		}
		e.Report.AddGoal(sc, "unexplained instants", float64(a.Unexplained), "", "<=", 0, "")
	}
	return nil
}

// RunS3 is 100,000 jobs spread over the minute (second i%60).
func (e *Env) RunS3(ctx context.Context) error {
	spec := fireSpec{Name: "S3", Engine: "mariadb", Jobs: e.Opts.S3Jobs, Window: e.Opts.S3Duration,
		Sched: func(i int) Schedule { return Schedule{Second: i % 60} }, Settle: time.Minute}
	xo, xerr := e.runXjobFires(ctx, spec)
	if xerr == nil {
		e.reportFires("S3 mariadb", xo, false)
		e.Report.AddGoal("S3 mariadb", "admin RSS peak, 100k jobs", xo.Usage.RSSMaxMiB, "MiB", "<=", 100, "")
	}
	if e.Opts.Quartz {
		qo, err := e.runQuartz(ctx, spec)
		if err != nil {
			e.Report.Note("S3 Quartz: %v", err)
		} else {
			e.reportFires("S3 Quartz", qo, false)
			if xo != nil {
				e.compare("S3", xo, qo)
			}
		}
	}
	return xerr
}

// reportFires adds the figures of one fire run; goals are S1's when s1Goals.
func (e *Env) reportFires(sc string, o *fireOutcome, s1Goals bool) {
	c := o.Check
	e.Report.Detail(sc, o)
	e.Report.Add(Figure{Scenario: sc, Name: "fires/s", Value: c.FiresPerSec, Unit: "/s", Ceiling: ceilHTTP})
	if s1Goals {
		e.Report.Add(Figure{Scenario: sc, Name: "lateness p50", Value: c.Lateness.P50, Unit: "ms"})
		e.Report.AddGoal(sc, "lateness p99", c.Lateness.P99, "ms", "<=", 20, "")
		e.Report.Add(Figure{Scenario: sc, Name: "lateness max", Value: c.Lateness.Max, Unit: "ms"})
		e.Report.AddGoal(sc, "missed", float64(c.Missed), "", "<=", 0, "")
		e.Report.AddGoal(sc, "duplicates", float64(c.Duplicates), "", "<=", 0, "")
	} else {
		e.Report.Add(Figure{Scenario: sc, Name: "lateness p50", Value: c.Lateness.P50, Unit: "ms"})
		e.Report.Add(Figure{Scenario: sc, Name: "lateness p99", Value: c.Lateness.P99, Unit: "ms"})
		e.Report.Add(Figure{Scenario: sc, Name: "lateness max", Value: c.Lateness.Max, Unit: "ms"})
		e.Report.Add(Figure{Scenario: sc, Name: "missed", Value: float64(c.Missed)})
		e.Report.Add(Figure{Scenario: sc, Name: "duplicates", Value: float64(c.Duplicates)})
	}
	e.Report.Add(Figure{Scenario: sc, Name: "per-second burst: first run late p50", Value: c.FirstLateness.P50, Unit: "ms"})
	e.Report.Add(Figure{Scenario: sc, Name: "per-second burst: drain time p50 (last - first run)", Value: c.Drain.P50, Unit: "ms"})
	if c.Unexpected+c.Early > 0 {
		e.Report.Add(Figure{Scenario: sc, Name: "unexpected / early runs", Value: float64(c.Unexpected + c.Early)})
	}
	e.Report.Add(Figure{Scenario: sc, Name: "RSS peak (system under test)", Value: o.Usage.RSSMaxMiB, Unit: "MiB"})
	e.Report.Add(Figure{Scenario: sc, Name: "CPU of system under test", Value: o.Usage.CPUCores, Unit: "cores"})
	if len(o.Usage.OtherCores) > 0 && o.Usage.OtherCores[0] > 0 {
		e.Report.Add(Figure{Scenario: sc, Name: "CPU of MariaDB", Value: o.Usage.OtherCores[0], Unit: "cores"})
	}
	e.Report.Add(Figure{Scenario: sc, Name: "machine busy", Value: o.Usage.MachineBusy, Unit: "%"})
	if u := o.Usage; len(u.OtherCores) == 2 {
		e.Report.Add(Figure{Scenario: sc, Name: "CPU of the harness (stub executor)", Value: u.OtherCores[1], Unit: "cores"})
		others := u.MachineBusy/100*float64(runtime.NumCPU()) - u.CPUCores - u.OtherCores[0] - u.OtherCores[1]
		e.Report.Add(Figure{Scenario: sc, Name: "CPU of other processes (noise)", Value: max(0, others), Unit: "cores"})
	}
	if m := o.Metrics; m != nil {
		if v, ok := m["deliveryLatenessP99ms"].(float64); ok {
			e.Report.Add(Figure{Scenario: sc, Name: "admin's own fire lateness p99 (histogram bucket bound)", Value: v, Unit: "ms"})
		}
	}
	if a := o.Accounting; a != nil && a.HandleMissing > 0 {
		e.Report.Add(Figure{Scenario: sc, Name: "runs whose callback result was not recorded", Value: float64(a.HandleMissing)})
	}
	logf("%s: %.0f fires/s, lateness p50 %.1f p99 %.1f max %.1f ms, expected %d matched %d missed %d dup %d; RSS %.0f MiB; CPU %.2f cores; machine %.0f%%",
		sc, c.FiresPerSec, c.Lateness.P50, c.Lateness.P99, c.Lateness.Max, c.Expected, c.Matched, c.Missed, c.Duplicates,
		o.Usage.RSSMaxMiB, o.Usage.CPUCores, o.Usage.MachineBusy)
}

// compare adds the xjob/Quartz ratios.
func (e *Env) compare(sc string, x, q *fireOutcome) {
	ratio := func(a, b float64) float64 {
		if b == 0 {
			return 0
		}
		return a / b
	}
	name := sc + " xjob/Quartz"
	e.Report.Add(Figure{Scenario: name, Name: "fires/s ratio", Value: ratio(x.Check.FiresPerSec, q.Check.FiresPerSec), Unit: "×"})
	e.Report.Add(Figure{Scenario: name, Name: "lateness p99 ratio", Value: ratio(x.Check.Lateness.P99, q.Check.Lateness.P99), Unit: "×"})
	e.Report.Add(Figure{Scenario: name, Name: "missed: xjob vs Quartz", Value: float64(x.Check.Missed), Unit: fmt.Sprintf("vs %d", q.Check.Missed)})
	e.Report.Add(Figure{Scenario: name, Name: "RSS ratio", Value: ratio(x.Usage.RSSMaxMiB, q.Usage.RSSMaxMiB), Unit: "×"})
	e.Report.Add(Figure{Scenario: name, Name: "CPU ratio", Value: ratio(x.Usage.CPUCores, q.Usage.CPUCores), Unit: "×"})
}

func pct(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return 100 * float64(a) / float64(b)
}
