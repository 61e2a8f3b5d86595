package main

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/xjob-dev/xjob/adapters/sqlstore"
	"github.com/xjob-dev/xjob/adapters/sqlstore/sqltest"
	"github.com/xjob-dev/xjob/domain"
	"github.com/xjob-dev/xjob/ports"
)

// TestServeClusterKill9 runs two `xjob serve` processes on one MariaDB
// database, kills one with SIGKILL while jobs fire every second, and checks
// in xxl_job_log that every instant of every job ran exactly once: the
// survivor takes over what the dead node had planned or claimed.
func TestServeClusterKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("runs for half a minute")
	}
	ctx := context.Background()
	dsn := sqltest.MySQLDSN(t, sqltest.MustCreateMySQLDatabase(t))
	db, cleanup, err := sqlstore.Open(ctx, "mysql:"+dsn, sqlstore.WithLocation(time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	group := sqltest.MustCreateGroup(t, db, nil) // no executor: each trigger logs a failure, which is enough here
	var jobs []*domain.JobInfo
	for i := 0; i < 5; i++ {
		jobs = append(jobs, sqltest.MustCreateJob(t, db, &domain.JobInfo{GroupID: group.ID, ScheduleType: domain.ScheduleFixRate,
			ScheduleConf: "1", TriggerStatus: domain.TriggerRunning, TriggerNextTime: time.Now().Add(time.Hour).UnixMilli()}))
	}

	args := []string{"--db", "mysql:" + dsn, "--listen", "127.0.0.1:0", "--timezone", "UTC",
		"--access-token", "cluster-test-token", "--admin-password", "cluster-test-pw"}
	doomed := startServe(t, nil, append(args, "--data-dir", t.TempDir())...)
	survivor := startServe(t, nil, append(args, "--data-dir", t.TempDir())...)

	first := time.Now().Truncate(time.Second).Add(3 * time.Second)
	if _, err := db.Bun().NewRaw("UPDATE xxl_job_info SET trigger_next_time = ? WHERE job_group = ?", first.UnixMilli(), group.ID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	// Kill it a few milliseconds after an instant: fires are being claimed
	// and triggered right then.
	time.Sleep(time.Until(first.Add(4*time.Second + 3*time.Millisecond)))
	if err := doomed.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-doomed.done
	// Fires the dead node had claimed are taken over once their 10 s claim
	// lease is over; leave time for that.
	last := first.Add(8 * time.Second)
	time.Sleep(time.Until(first.Add(20 * time.Second)))
	survivor.stop(t)

	logs := sqlstore.NewLogStore(db)
	for _, j := range jobs {
		res, err := logs.FindLogs(ctx, ports.LogFilter{JobID: j.ID, Status: domain.LogStatusAll})
		got := res.Logs
		if err != nil {
			t.Fatal(err)
		}
		count := map[int64]int{}
		for _, l := range got {
			count[l.TriggerTime.Unix()]++
		}
		t.Logf("job %d: %d runs", j.ID, len(got))
		for at := first; !at.After(last); at = at.Add(time.Second) {
			if n := count[at.Unix()]; n != 1 {
				t.Errorf("job %d at %s: %d runs, want exactly 1", j.ID, at.Format("15:04:05"), n)
			}
		}
		for sec, n := range count {
			if n > 1 {
				t.Errorf("job %d at %s: %d runs", j.ID, time.Unix(sec, 0).UTC().Format("15:04:05"), n)
			}
		}
	}
	if t.Failed() {
		fmt.Printf("survivor stderr:\n%s\n", survivor.stderr)
	}
}
