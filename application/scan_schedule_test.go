package application_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/xjob-dev/xjob/adapters/clock"
	"github.com/xjob-dev/xjob/adapters/sqlstore"
	"github.com/xjob-dev/xjob/application"
	"github.com/xjob-dev/xjob/domain"
	"github.com/xjob-dev/xjob/ports"
)

func ms(t time.Time) int64 { return t.UnixMilli() }

func TestScanSchedule(t *testing.T) {
	ctx := context.Background()

	t.Run("OK", func(t *testing.T) {
		db := schedOpenSQLite(t)
		jobs := sqlstore.NewJobStore(db)
		clk := clock.NewManual(schedT0)
		trig := newRecTrigger()
		n := newSchedNode(db, trig, clk, "a", application.FireOptions{})
		job := schedCreateJob(t, jobs, func(j *domain.JobInfo) { j.TriggerNextTime = ms(schedT0) + 2000 })

		if found, err := n.scan.Scan(ctx); err != nil || found != 1 {
			t.Fatalf("Scan = %d, %v", found, err)
		}
		// Pre-read: both instants within 5 s are planned, the job advanced past them.
		got, _ := jobs.FindJobByID(ctx, job.ID)
		if got.TriggerNextTime != ms(schedT0)+8000 || got.TriggerLastTime != ms(schedT0)+5000 {
			t.Fatalf("next %d last %d, want T0+8000 and T0+5000", got.TriggerNextTime-ms(schedT0), got.TriggerLastTime-ms(schedT0))
		}
		if q := n.delivery.Queued(); q != 2 {
			t.Fatalf("queued %d fires, want 2", q)
		}
		// Nothing fires before its instant, then exactly at it.
		if d := n.delivery.DeliverDue(ctx); d != 0 {
			t.Fatalf("delivered %d before the instant", d)
		}
		clk.Set(schedT0.Add(1999 * time.Millisecond))
		if d := n.delivery.DeliverDue(ctx); d != 0 {
			t.Fatalf("delivered %d a millisecond early", d)
		}
		clk.Set(schedT0.Add(2000 * time.Millisecond))
		if d := n.delivery.DeliverDue(ctx); d != 1 {
			t.Fatalf("delivered %d at the instant, want 1", d)
		}
		n.delivery.Wait()
		reqs := trig.requests()
		if len(reqs) != 1 || reqs[0].JobID != job.ID || reqs[0].Type != domain.TriggerCron ||
			!reqs[0].FireTime.Equal(schedT0.Add(2*time.Second)) || reqs[0].FailRetryCount != -1 {
			t.Fatalf("requests %+v", reqs)
		}
		st := fireStates(t, db)
		if st[fireKey{job.ID, ms(schedT0) + 2000}] != ports.FireDelivered || st[fireKey{job.ID, ms(schedT0) + 5000}] != ports.FirePending {
			t.Fatalf("fire states %v", st)
		}
	})

	t.Run("ZoneOfJob", func(t *testing.T) {
		db := schedOpenSQLite(t)
		jobs := sqlstore.NewJobStore(db)
		clk := clock.NewManual(schedT0) // 10:00 UTC = 19:00 in Tokyo
		n := newSchedNode(db, newRecTrigger(), clk, "a", application.FireOptions{})
		job := schedCreateJob(t, jobs, func(j *domain.JobInfo) {
			j.ScheduleType, j.ScheduleConf, j.TimeZone = domain.ScheduleCron, "0 0 19 * * ?", "Asia/Tokyo"
			j.TriggerNextTime = ms(schedT0) + 1000
		})
		if _, err := n.scan.Scan(ctx); err != nil {
			t.Fatal(err)
		}
		got, _ := jobs.FindJobByID(ctx, job.ID)
		if want := ms(schedT0.Add(24 * time.Hour)); got.TriggerNextTime != want {
			t.Fatalf("next %v, want 19:00 Tokyo tomorrow (%v)", time.UnixMilli(got.TriggerNextTime).UTC(), time.UnixMilli(want).UTC())
		}
	})

	t.Run("MisfireDoNothing", func(t *testing.T) {
		db := schedOpenSQLite(t)
		jobs := sqlstore.NewJobStore(db)
		clk := clock.NewManual(schedT0)
		trig := newRecTrigger()
		n := newSchedNode(db, trig, clk, "a", application.FireOptions{})
		job := schedCreateJob(t, jobs, func(j *domain.JobInfo) { j.TriggerNextTime = ms(schedT0) - 10_000 })
		if _, err := n.scan.Scan(ctx); err != nil {
			t.Fatal(err)
		}
		n.delivery.DeliverDue(ctx)
		n.delivery.Wait()
		if reqs := trig.requests(); len(reqs) != 0 {
			t.Fatalf("misfired job triggered: %+v", reqs)
		}
		got, _ := jobs.FindJobByID(ctx, job.ID)
		// Rescheduled from now: +3 s is planned (within the window), next is +6 s.
		if got.TriggerNextTime != ms(schedT0)+6000 || got.TriggerStatus != domain.TriggerRunning {
			t.Fatalf("next %d, want now+6s", got.TriggerNextTime-ms(schedT0))
		}
		if st := fireStates(t, db); len(st) != 1 || st[fireKey{job.ID, ms(schedT0) + 3000}] != ports.FirePending {
			t.Fatalf("fires %v, want only now+3s", st)
		}
	})

	t.Run("MisfireFireOnceNow", func(t *testing.T) {
		db := schedOpenSQLite(t)
		jobs := sqlstore.NewJobStore(db)
		clk := clock.NewManual(schedT0.Add(250 * time.Millisecond))
		trig := newRecTrigger()
		n := newSchedNode(db, trig, clk, "a", application.FireOptions{})
		job := schedCreateJob(t, jobs, func(j *domain.JobInfo) {
			j.TriggerNextTime = ms(schedT0) - 60_000
			j.MisfireStrategy = domain.MisfireFireOnceNow
		})
		if _, err := n.scan.Scan(ctx); err != nil {
			t.Fatal(err)
		}
		n.delivery.DeliverDue(ctx)
		n.delivery.Wait()
		reqs := trig.requests()
		if len(reqs) != 1 || reqs[0].Type != domain.TriggerMisfire || !reqs[0].FireTime.Equal(clk.Now()) {
			t.Fatalf("requests %+v, want one MISFIRE now", reqs)
		}
		got, _ := jobs.FindJobByID(ctx, job.ID)
		if got.TriggerNextTime != ms(schedT0)+7000 { // now+3 s rounded up (planned), then +3 s
			t.Fatalf("next %d", got.TriggerNextTime-ms(schedT0))
		}
	})

	t.Run("LateWithinWindow", func(t *testing.T) {
		db := schedOpenSQLite(t)
		jobs := sqlstore.NewJobStore(db)
		clk := clock.NewManual(schedT0)
		trig := newRecTrigger()
		n := newSchedNode(db, trig, clk, "a", application.FireOptions{})
		schedCreateJob(t, jobs, func(j *domain.JobInfo) { j.TriggerNextTime = ms(schedT0) - 3000 })
		if _, err := n.scan.Scan(ctx); err != nil {
			t.Fatal(err)
		}
		n.delivery.DeliverDue(ctx)
		n.delivery.Wait()
		reqs := trig.requests()
		if len(reqs) != 2 || reqs[0].Type != domain.TriggerCron || reqs[1].Type != domain.TriggerCron ||
			!reqs[0].FireTime.Equal(schedT0.Add(-3*time.Second)) && !reqs[1].FireTime.Equal(schedT0.Add(-3*time.Second)) {
			t.Fatalf("requests %+v, want the late instants (T0-3s, T0) fired at once as CRON", reqs)
		}
	})

	t.Run("AutoStop", func(t *testing.T) {
		db := schedOpenSQLite(t)
		jobs := sqlstore.NewJobStore(db)
		clk := clock.NewManual(schedT0)
		n := newSchedNode(db, newRecTrigger(), clk, "a", application.FireOptions{})
		ended := schedCreateJob(t, jobs, func(j *domain.JobInfo) {
			j.ScheduleType, j.ScheduleConf = domain.ScheduleCron, "0 0 10 1 3 ? 2026" // only today at 10:00:00
			j.TriggerNextTime = ms(schedT0)
		})
		invalid := schedCreateJob(t, jobs, func(j *domain.JobInfo) {
			j.ScheduleConf = "soon"
			j.TriggerNextTime = ms(schedT0) + 1000
		})
		if _, err := n.scan.Scan(ctx); err != nil {
			t.Fatal(err)
		}
		for _, id := range []int64{ended.ID, invalid.ID} {
			got, _ := jobs.FindJobByID(ctx, id)
			if got.TriggerStatus != domain.TriggerStopped || got.TriggerNextTime != 0 {
				t.Errorf("job %d: status %d next %d, want stopped", id, got.TriggerStatus, got.TriggerNextTime)
			}
		}
		// The ended schedule's last instant still fires.
		if st := fireStates(t, db); len(st) != 2 {
			t.Fatalf("fires %v, want the last instant of each", st)
		}
	})

	t.Run("ClockStepBackNoDoubleFire", func(t *testing.T) {
		db := schedOpenSQLite(t)
		jobs := sqlstore.NewJobStore(db)
		clk := clock.NewManual(schedT0)
		trig := newRecTrigger()
		n := newSchedNode(db, trig, clk, "a", application.FireOptions{})
		job := schedCreateJob(t, jobs, func(j *domain.JobInfo) { j.TriggerNextTime = ms(schedT0) + 1000 })
		if _, err := n.scan.Scan(ctx); err != nil {
			t.Fatal(err)
		}
		clk.Set(schedT0.Add(5 * time.Second))
		n.delivery.DeliverDue(ctx)
		n.delivery.Wait()
		// The wall clock steps back 10 s and the job's schedule state with it
		// (a restored replica, an operator's edit): the same instants are
		// planned again, but their fire records already exist.
		clk.Set(schedT0.Add(-5 * time.Second))
		job.TriggerNextTime = ms(schedT0) + 1000
		if err := jobs.UpdateSchedules(ctx, []ports.ScheduleUpdate{{JobID: job.ID, TriggerNextTime: job.TriggerNextTime}}); err != nil {
			t.Fatal(err)
		}
		clk.Set(schedT0)
		if _, err := n.scan.Scan(ctx); err != nil {
			t.Fatal(err)
		}
		clk.Set(schedT0.Add(5 * time.Second))
		n.delivery.DeliverDue(ctx)
		n.delivery.Wait()
		if d := trig.duplicates(); len(d) > 0 {
			t.Fatalf("fired twice: %v", d)
		}
		if len(trig.requests()) != 2 {
			t.Fatalf("requests %+v, want T0+1s and T0+4s once each", trig.requests())
		}
	})

	t.Run("ErrLockRowMissing", func(t *testing.T) {
		db := schedOpenSQLite(t)
		n := newSchedNode(db, newRecTrigger(), clock.NewManual(schedT0), "a", application.FireOptions{})
		if _, err := db.Bun().NewRaw("DELETE FROM xxl_job_lock").Exec(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := n.scan.Scan(ctx); domain.ErrorCode(err) != domain.EUNAVAILABLE {
			t.Fatalf("Scan = %v, want EUNAVAILABLE", err)
		}
	})

	t.Run("FixDelay", func(t *testing.T) {
		db := schedOpenSQLite(t)
		jobs := sqlstore.NewJobStore(db)
		clk := clock.NewManual(schedT0)
		trig := newRecTrigger()
		n := newSchedNode(db, trig, clk, "a", application.FireOptions{})
		fd := application.NewScheduleFixDelay(jobs, time.UTC, nil)
		job := schedCreateJob(t, jobs, func(j *domain.JobInfo) {
			j.ScheduleType = domain.ScheduleFixDelay
			j.TriggerNextTime = ms(schedT0) + 1000
		})
		if _, err := n.scan.Scan(ctx); err != nil {
			t.Fatal(err)
		}
		got, _ := jobs.FindJobByID(ctx, job.ID)
		if got.TriggerNextTime != application.FixDelayWaiting || got.ScheduleType != domain.ScheduleFixDelay {
			t.Fatalf("next %d type %s, want waiting", got.TriggerNextTime, got.ScheduleType)
		}
		if st := fireStates(t, db); len(st) != 1 {
			t.Fatalf("fires %v, want one until the run ends", st)
		}
		finish := schedT0.Add(42 * time.Second)
		if err := fd.Finished(ctx, job.ID, finish); err != nil {
			t.Fatal(err)
		}
		got, _ = jobs.FindJobByID(ctx, job.ID)
		if got.TriggerNextTime != ms(finish)+3000 {
			t.Fatalf("next %d, want end of run + 3 s", got.TriggerNextTime-ms(schedT0))
		}
		// A second result (another shard) does not move it again.
		if err := fd.Finished(ctx, job.ID, finish.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		if again, _ := jobs.FindJobByID(ctx, job.ID); again.TriggerNextTime != got.TriggerNextTime {
			t.Fatal("a late result moved a scheduled FIX_DELAY job")
		}
	})
}

func TestFireRecovery(t *testing.T) {
	ctx := context.Background()

	t.Run("PendingFromDeadNode", func(t *testing.T) {
		db := schedOpenSQLite(t)
		jobs := sqlstore.NewJobStore(db)
		clk := clock.NewManual(schedT0)
		dead := newSchedNode(db, newRecTrigger(), clk, "dead", application.FireOptions{})
		trig := newRecTrigger()
		alive := newSchedNode(db, trig, clk, "alive", application.FireOptions{})
		job := schedCreateJob(t, jobs, func(j *domain.JobInfo) { j.TriggerNextTime = ms(schedT0) + 1000 })
		if _, err := dead.scan.Scan(ctx); err != nil { // fires at +1 s and +4 s, then "kill -9"
			t.Fatal(err)
		}
		clk.Set(schedT0.Add(3500 * time.Millisecond)) // the +1 s fire is past its 2 s grace, +4 s not yet due
		if n, err := alive.delivery.Recover(ctx); err != nil || n != 1 {
			t.Fatalf("Recover = %d, %v; want the +1 s fire", n, err)
		}
		alive.delivery.Wait()
		if n, _ := alive.delivery.Recover(ctx); n != 0 {
			t.Fatalf("recovered %d more", n)
		}
		// The +4 s fire is found only 20 s later: misfire, DO_NOTHING.
		clk.Set(schedT0.Add(24 * time.Second))
		if n, err := alive.delivery.Recover(ctx); err != nil || n != 1 {
			t.Fatalf("Recover = %d, %v", n, err)
		}
		alive.delivery.Wait()
		reqs := trig.requests()
		if len(reqs) != 1 || reqs[0].Type != domain.TriggerCron || !reqs[0].FireTime.Equal(schedT0.Add(time.Second)) {
			t.Fatalf("requests %+v, want only the +1 s fire as CRON", reqs)
		}
		st := fireStates(t, db)
		if st[fireKey{job.ID, ms(schedT0) + 1000}] != ports.FireDelivered || st[fireKey{job.ID, ms(schedT0) + 4000}] != ports.FireSkipped {
			t.Fatalf("states %v", st)
		}
		// The dead node coming back cannot deliver them again.
		dead.delivery.DeliverDue(ctx)
		dead.delivery.Wait()
		if d := trig.duplicates(); len(d) > 0 || len(trig.requests()) != 1 {
			t.Fatal("a fire was delivered twice")
		}
	})

	t.Run("PendingMisfireFireOnceNow", func(t *testing.T) {
		for _, scanFirst := range []bool{false, true} {
			t.Run(fmt.Sprintf("scanFirst=%v", scanFirst), func(t *testing.T) {
				db := schedOpenSQLite(t)
				jobs := sqlstore.NewJobStore(db)
				clk := clock.NewManual(schedT0)
				dead := newSchedNode(db, newRecTrigger(), clk, "dead", application.FireOptions{})
				trig := newRecTrigger()
				alive := newSchedNode(db, trig, clk, "alive", application.FireOptions{})
				mk := func(conf string) *domain.JobInfo {
					return schedCreateJob(t, jobs, func(j *domain.JobInfo) {
						j.ScheduleConf = conf
						j.MisfireStrategy = domain.MisfireFireOnceNow
						j.TriggerNextTime = ms(schedT0) + 1000
					})
				}
				// Every second: five fires recorded, and the job's own next
				// instant is a misfire too. Hourly: one fire, next far ahead.
				often, hourly := mk("1"), mk("3600")
				if _, err := dead.scan.Scan(ctx); err != nil {
					t.Fatal(err)
				}
				clk.Set(schedT0.Add(time.Minute))
				steps := []func() error{
					func() error { _, err := alive.delivery.Recover(ctx); return err },
					func() error { _, err := alive.scan.Scan(ctx); return err },
				}
				if scanFirst {
					steps[0], steps[1] = steps[1], steps[0]
				}
				for _, step := range steps {
					if err := step(); err != nil {
						t.Fatal(err)
					}
				}
				alive.delivery.DeliverDue(ctx)
				alive.delivery.Wait()
				per := map[int64]int{}
				for _, r := range trig.requests() {
					if r.Type != domain.TriggerMisfire {
						t.Errorf("unexpected %s trigger of job %d", r.Type, r.JobID)
					}
					per[r.JobID]++
				}
				if per[often.ID] != 1 || per[hourly.ID] != 1 {
					t.Fatalf("misfire triggers per job %v, want exactly one each", per)
				}
			})
		}
	})

	t.Run("ClaimedWithLog", func(t *testing.T) {
		db := schedOpenSQLite(t)
		jobs := sqlstore.NewJobStore(db)
		logs := sqlstore.NewLogStore(db)
		clk := clock.NewManual(schedT0)
		// The dying node claimed the fire and its trigger wrote the log.
		dying := newRecTrigger()
		dying.logs = logs
		deadNode := newSchedNode(db, dying, clk, "dead", application.FireOptions{})
		job := schedCreateJob(t, jobs, func(j *domain.JobInfo) { j.TriggerNextTime = ms(schedT0) + 1000; j.ScheduleConf = "60" })
		if _, err := deadNode.scan.Scan(ctx); err != nil {
			t.Fatal(err)
		}
		clk.Set(schedT0.Add(time.Second))
		deadNode.delivery.DeliverDue(ctx)
		deadNode.delivery.Wait()
		// Simulate the crash between the log and the "delivered" mark.
		if _, err := db.Bun().NewRaw("UPDATE xjob_fire SET state = 1, lease_until = ?", ms(schedT0)+11_000).Exec(ctx); err != nil {
			t.Fatal(err)
		}
		trig := newRecTrigger()
		alive := newSchedNode(db, trig, clk, "alive", application.FireOptions{})
		clk.Set(schedT0.Add(2 * time.Minute))
		if n, err := alive.delivery.Recover(ctx); err != nil || n != 1 {
			t.Fatalf("Recover = %d, %v", n, err)
		}
		alive.delivery.Wait()
		if len(trig.requests()) != 0 {
			t.Fatal("a fire whose log exists was triggered again")
		}
		if st := fireStates(t, db); st[fireKey{job.ID, ms(schedT0) + 1000}] != ports.FireDelivered {
			t.Fatalf("states %v", st)
		}
	})

	t.Run("ClaimedWithoutLogPromptly", func(t *testing.T) {
		db := schedOpenSQLite(t)
		jobs := sqlstore.NewJobStore(db)
		clk := clock.NewManual(schedT0)
		failing := newRecTrigger()
		failing.err = domain.Errorf(domain.EINTERNAL, "killed")
		deadNode := newSchedNode(db, failing, clk, "dead", application.FireOptions{})
		job := schedCreateJob(t, jobs, func(j *domain.JobInfo) { j.TriggerNextTime = ms(schedT0) + 1000; j.ScheduleConf = "60" })
		if _, err := deadNode.scan.Scan(ctx); err != nil {
			t.Fatal(err)
		}
		clk.Set(schedT0.Add(time.Second))
		deadNode.delivery.DeliverDue(ctx) // claimed on time, then "kill -9"
		deadNode.delivery.Wait()
		trig := newRecTrigger()
		alive := newSchedNode(db, trig, clk, "alive", application.FireOptions{})
		clk.Set(schedT0.Add(13 * time.Second)) // claim lease (10 s) over 2 s ago
		if n, err := alive.delivery.Recover(ctx); err != nil || n != 1 {
			t.Fatalf("Recover = %d, %v", n, err)
		}
		alive.delivery.Wait()
		if reqs := trig.requests(); len(reqs) != 1 || reqs[0].Type != domain.TriggerCron || reqs[0].JobID != job.ID ||
			!reqs[0].FireTime.Equal(schedT0.Add(time.Second)) {
			t.Fatalf("requests %+v, want the fire delivered as planned", reqs)
		}
	})

	t.Run("ClaimedWithoutLog", func(t *testing.T) {
		db := schedOpenSQLite(t)
		jobs := sqlstore.NewJobStore(db)
		clk := clock.NewManual(schedT0)
		// The dying node claimed the fire, then died before any log.
		failing := newRecTrigger()
		failing.err = domain.Errorf(domain.EINTERNAL, "connection lost")
		deadNode := newSchedNode(db, failing, clk, "dead", application.FireOptions{})
		job := schedCreateJob(t, jobs, func(j *domain.JobInfo) {
			j.TriggerNextTime = ms(schedT0) + 1000
			j.ScheduleConf = "60"
			j.MisfireStrategy = domain.MisfireFireOnceNow
		})
		if _, err := deadNode.scan.Scan(ctx); err != nil {
			t.Fatal(err)
		}
		clk.Set(schedT0.Add(time.Second))
		deadNode.delivery.DeliverDue(ctx)
		deadNode.delivery.Wait()
		if st := fireStates(t, db); st[fireKey{job.ID, ms(schedT0) + 1000}] != ports.FireClaimed {
			t.Fatalf("states %v, want the fire left claimed", st)
		}
		trig := newRecTrigger()
		alive := newSchedNode(db, trig, clk, "alive", application.FireOptions{})
		clk.Set(schedT0.Add(5 * time.Second)) // lease not over
		if n, _ := alive.delivery.Recover(ctx); n != 0 {
			t.Fatalf("recovered %d within the claim lease", n)
		}
		clk.Set(schedT0.Add(2 * time.Minute))
		if n, err := alive.delivery.Recover(ctx); err != nil || n != 1 {
			t.Fatalf("Recover = %d, %v", n, err)
		}
		if _, err := alive.scan.Scan(ctx); err != nil { // the job's next instant (+61 s) is a misfire too
			t.Fatal(err)
		}
		alive.delivery.DeliverDue(ctx)
		alive.delivery.Wait()
		if reqs := trig.requests(); len(reqs) != 1 || reqs[0].Type != domain.TriggerMisfire {
			t.Fatalf("requests %+v, want one MISFIRE compensation", reqs)
		}
	})
}

// A node that falls more than the misfire threshold behind its own queue
// applies the misfire policy instead of working through an old backlog, and
// the scan's snapshot of the job reaches the trigger.
func TestDeliverDueLateFiresMisfire(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct {
		name     string
		strategy domain.MisfireStrategy
		want     []domain.TriggerType
	}{
		{"DoNothing", domain.MisfireDoNothing, nil},
		{"FireOnceNow", domain.MisfireFireOnceNow, []domain.TriggerType{domain.TriggerMisfire}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			db := schedOpenSQLite(t)
			jobs := sqlstore.NewJobStore(db)
			clk := clock.NewManual(schedT0)
			trig := newRecTrigger()
			n := newSchedNode(db, trig, clk, "a", application.FireOptions{})
			job := schedCreateJob(t, jobs, func(j *domain.JobInfo) {
				j.TriggerNextTime = ms(schedT0) + 1000
				j.MisfireStrategy = tt.strategy
			})
			if _, err := n.scan.Scan(ctx); err != nil {
				t.Fatal(err)
			}
			// The node was stalled: it looks at its queue 10 s after the
			// instants, then scans again (where FIRE_ONCE_NOW's one
			// compensation comes from, since the job's next time is late too).
			clk.Set(schedT0.Add(15 * time.Second))
			n.delivery.DeliverDue(ctx)
			n.delivery.Wait()
			if _, err := n.scan.Scan(ctx); err != nil {
				t.Fatal(err)
			}
			n.delivery.DeliverDue(ctx)
			n.delivery.Wait()
			var got []domain.TriggerType
			for _, r := range trig.requests() {
				got = append(got, r.Type)
			}
			if len(got) != len(tt.want) || (len(got) == 1 && got[0] != tt.want[0]) {
				t.Fatalf("triggers %v, want %v", got, tt.want)
			}
			for k, st := range fireStates(t, db) {
				if k.job == job.ID && k.at <= ms(schedT0)+5000 && st == ports.FirePending {
					t.Errorf("fire %v still pending", k)
				}
			}
		})
	}

	t.Run("SnapshotReachesTrigger", func(t *testing.T) {
		db := schedOpenSQLite(t)
		jobs := sqlstore.NewJobStore(db)
		clk := clock.NewManual(schedT0)
		trig := newRecTrigger()
		n := newSchedNode(db, trig, clk, "a", application.FireOptions{})
		job := schedCreateJob(t, jobs, func(j *domain.JobInfo) { j.TriggerNextTime = ms(schedT0) + 1000 })
		if _, err := n.scan.Scan(ctx); err != nil {
			t.Fatal(err)
		}
		clk.Set(schedT0.Add(time.Second))
		n.delivery.DeliverDue(ctx)
		n.delivery.Wait()
		reqs := trig.requests()
		if len(reqs) != 1 || reqs[0].Job == nil || reqs[0].Job.ID != job.ID {
			t.Fatalf("requests %+v, want one with the scan's job", reqs)
		}
	})
}

// A fire claimed in time that waits too long for a delivery worker is
// dropped under DO_NOTHING instead of running late.
func TestDeliverDueWorkerBacklogMisfire(t *testing.T) {
	ctx := context.Background()
	db := schedOpenSQLite(t)
	jobs := sqlstore.NewJobStore(db)
	clk := clock.NewManual(schedT0)
	trig := newRecTrigger()
	trig.gate, trig.entered = make(chan struct{}), make(chan struct{}, 2)
	n := newSchedNode(db, trig, clk, "a", application.FireOptions{Workers: 1})
	first := schedCreateJob(t, jobs, func(j *domain.JobInfo) { j.TriggerNextTime = ms(schedT0) + 1000 })
	second := schedCreateJob(t, jobs, func(j *domain.JobInfo) { j.TriggerNextTime = ms(schedT0) + 1000 })
	if _, err := n.scan.Scan(ctx); err != nil {
		t.Fatal(err)
	}
	clk.Set(schedT0.Add(time.Second))
	done := make(chan int, 1)
	go func() { done <- n.delivery.DeliverDue(ctx) }()
	// The one worker is stuck in the first trigger; meanwhile time passes.
	select {
	case <-trig.entered:
	case <-time.After(30 * time.Second):
		t.Fatal("no trigger started")
	}
	clk.Set(schedT0.Add(20 * time.Second))
	trig.gate <- struct{}{} // the first trigger returns
	if got := <-done; got != 2 {
		t.Fatalf("claimed %d fires, want 2", got)
	}
	n.delivery.Wait()
	reqs := trig.requests()
	if len(reqs) != 1 {
		t.Fatalf("%d triggers ran, want only the first: %+v", len(reqs), reqs)
	}
	late := second.ID
	if reqs[0].JobID == second.ID {
		late = first.ID
	}
	if st := fireStates(t, db)[fireKey{late, ms(schedT0) + 1000}]; st != ports.FireSkipped {
		t.Fatalf("the late fire is in state %v, want skipped", st)
	}
}
