package main

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"time"
)

// RunStartup times exec → /readyz 200 on fresh and existing databases,
// exec → first /run of a job that is due, and the idle RSS.
func (e *Env) RunStartup(ctx context.Context) error {
	if err := e.needBin(); err != nil {
		return err
	}
	type engine struct {
		name  string
		db    func(i int) (adminDB string, open func() (*sql.DB, error), err error)
		goals bool
	}
	engines := []engine{
		{"sqlite", func(i int) (string, func() (*sql.DB, error), error) {
			path := filepath.Join(e.Dir, fmt.Sprintf("startup-%d.db", i))
			return "sqlite:" + path, func() (*sql.DB, error) { return OpenSQLite(path) }, nil
		}, true},
		{"mariadb", func(i int) (string, func() (*sql.DB, error), error) {
			name := e.dbName(fmt.Sprintf("startup%d", i))
			dsn, err := e.Maria.CreateDB(ctx, name)
			if err != nil {
				return "", nil, err
			}
			return e.Maria.AdminDSN(name), func() (*sql.DB, error) { return sql.Open("mysql", dsn) }, nil
		}, false},
	}
	if !e.Opts.Keep {
		defer func() {
			for i := range 3 {
				e.Maria.DropDB(e.dbName(fmt.Sprintf("startup%d", i)))
			}
		}()
	}
	details := map[string]any{}
	for _, en := range engines {
		var fresh, again []float64
		var adminDB string
		var open func() (*sql.DB, error)
		for i := range 3 {
			var err error
			if adminDB, open, err = en.db(i); err != nil {
				return err
			}
			d, _, err := e.timeReady(ctx, adminDB, fmt.Sprintf("startup-%s-%d", en.name, i), false)
			if err != nil {
				return err
			}
			fresh = append(fresh, d)
			if d, _, err = e.timeReady(ctx, adminDB, fmt.Sprintf("startup-%s-%d-again", en.name, i), false); err != nil {
				return err
			}
			again = append(again, d)
		}
		fs, as := Summarize(fresh), Summarize(again)
		sc := "start-up " + en.name
		if en.goals {
			e.Report.AddGoal(sc, "exec → /readyz 200, new database (max of 3)", fs.Max, "s", "<=", 0.5, "")
			e.Report.AddGoal(sc, "exec → /readyz 200, existing database (max of 3)", as.Max, "s", "<=", 0.5, "")
		} else {
			e.Report.Add(Figure{Scenario: sc, Name: "exec → /readyz 200, new database (max of 3)", Value: fs.Max, Unit: "s"})
			e.Report.Add(Figure{Scenario: sc, Name: "exec → /readyz 200, existing database (max of 3)", Value: as.Max, Unit: "s"})
		}
		_, idle, err := e.timeReady(ctx, adminDB, "startup-"+en.name+"-idle", true)
		if err != nil {
			return err
		}
		e.Report.Add(Figure{Scenario: sc, Name: "idle RSS (10 s after ready, no jobs)", Value: idle, Unit: "MiB"})
		first, late, err := e.timeFirstFire(ctx, adminDB, open, "startup-"+en.name+"-fire")
		if err != nil {
			e.Report.Note("%s: first fire: %v", sc, err)
		} else {
			e.Report.Add(Figure{Scenario: sc, Name: "exec → first /run of a due job", Value: first, Unit: "s"})
		}
		details[en.name] = map[string]any{"readyNewS": fresh, "readyExistingS": again, "idleRSSMiB": idle,
			"firstFireS": first, "firstFireLatenessMs": late}
		logf("start-up %s: ready new %v existing %v s; idle RSS %.1f MiB; first fire %.3f s", en.name, fresh, again, idle, first)
	}
	e.Report.Detail("startup", details)
	return nil
}

// timeReady starts the admin on adminDB, returns exec → /readyz 200 in
// seconds and, when idle, its RSS 10 s after ready.
func (e *Env) timeReady(ctx context.Context, adminDB, name string, idle bool) (float64, float64, error) {
	logPath := filepath.Join(e.Dir, name+".log")
	a, err := StartAdmin(ctx, e.Bin, adminDB, filepath.Join(e.Dir, name+"-data"), e.Opts.Token, logPath, nil)
	if err != nil {
		return 0, 0, err
	}
	defer a.Stop()
	ready, err := a.WaitReady(ctx, 60*time.Second)
	if err != nil {
		return 0, 0, fmt.Errorf("%s: %w; log:\n%s", name, err, tail(logPath, 10))
	}
	d := ready.Sub(a.Started).Seconds()
	var rss float64
	if idle {
		time.Sleep(10 * time.Second)
		rss, _ = RSS(a.PID)
	}
	return d, rss, nil
}

// timeFirstFire seeds one running job every second that is 1 s overdue,
// starts the admin and returns exec → first /run at the stub (s) and that
// run's lateness against its instant (ms).
func (e *Env) timeFirstFire(ctx context.Context, adminDB string, open func() (*sql.DB, error), name string) (float64, float64, error) {
	db, err := open()
	if err != nil {
		return 0, 0, err
	}
	defer db.Close()
	if err := waitTables(ctx, db, 5*time.Second); err != nil {
		return 0, 0, err
	}
	stub, err := StartStub(e.Opts.Token, "")
	if err != nil {
		return 0, 0, err
	}
	defer stub.Close()
	seed := Seeder{DB: db, SQLite: filepath.Ext(adminDB) == ".db"}
	group, err := seed.CreateGroup(ctx, stub.URL(), true) // the stub does not register here
	if err != nil {
		return 0, 0, err
	}
	id, err := seed.CreateJobs(ctx, group, 1, func(int) Schedule { return EverySecond })
	if err != nil {
		return 0, 0, err
	}
	due := (time.Now().UnixMilli()/1000 - 1) * 1000
	if err := seed.StartJobs(ctx, map[int64]Schedule{id: EverySecond}, due); err != nil {
		return 0, 0, err
	}
	logPath := filepath.Join(e.Dir, name+".log")
	a, err := StartAdmin(ctx, e.Bin, adminDB, filepath.Join(e.Dir, name+"-data"), e.Opts.Token, logPath, nil)
	if err != nil {
		return 0, 0, err
	}
	defer a.Stop()
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		if runs := stub.Arrivals(); len(runs) > 0 {
			r := runs[0]
			return float64(r.At-a.Started.UnixNano()) / 1e9, float64(r.At-r.LogDateTime*1e6) / 1e6, nil
		}
	}
	return 0, 0, fmt.Errorf("no /run within 15 s of exec; log:\n%s", tail(logPath, 10))
}
