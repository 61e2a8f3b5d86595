package porttest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/xjob-dev/xjob/domain"
	"github.com/xjob-dev/xjob/ports"
)

// RunJobStoreTests checks ports.JobStore.
func RunJobStoreTests(t *testing.T, newStores NewStores) {
	t.Run("CreateAndFind", func(t *testing.T) {
		s := newStores(t)
		g := mustGroup(t, s, "app-a", "A")
		j := newJob(g.ID, "full job")
		j.ChildJobIDs, j.ExecutorTimeout, j.ExecutorFailRetryCount = "7,8", 30, 2
		j.GlueSource, j.TriggerStatus, j.TriggerLastTime, j.TriggerNextTime = "echo hi", domain.TriggerRunning, 1000, 2000
		j.TimeZone, j.AlarmWebhooks = "Asia/Tokyo", "ops,dev"
		mustJob(t, s, j)
		got, err := s.Jobs.FindJobByID(t.Context(), j.ID)
		ok(t, err)
		assertJob(t, got, j)
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		s := newStores(t)
		_, err := s.Jobs.FindJobByID(t.Context(), 424242)
		wantCode(t, err, domain.ENOTFOUND)
		wantCode(t, s.Jobs.UpdateJob(t.Context(), &domain.JobInfo{ID: 424242, GroupID: 1, Desc: "x", GlueType: domain.GlueBean}), domain.ENOTFOUND)
		wantCode(t, s.Jobs.DeleteJob(t.Context(), 424242), domain.ENOTFOUND)
	})
	t.Run("FixDelayAndExtrasRoundTrip", func(t *testing.T) {
		s := newStores(t)
		g := mustGroup(t, s, "app-a", "A")
		for _, st := range []domain.ScheduleType{domain.ScheduleFixDelay, domain.ScheduleFixRate, domain.ScheduleCron, domain.ScheduleNone} {
			j := newJob(g.ID, string(st))
			j.ScheduleType, j.ScheduleConf = st, "15"
			mustJob(t, s, j)
			got, err := s.Jobs.FindJobByID(t.Context(), j.ID)
			ok(t, err)
			equal(t, "ScheduleType", got.ScheduleType, st)
			equal(t, "TimeZone", got.TimeZone, "")
		}
	})
	t.Run("UpdateJob", func(t *testing.T) {
		s := newStores(t)
		g := mustGroup(t, s, "app-a", "A")
		j := newJob(g.ID, "before")
		j.TimeZone = "Europe/Berlin"
		mustJob(t, s, j)
		// Saving unchanged values is not "not found".
		ok(t, s.Jobs.UpdateJob(t.Context(), j))

		j.Desc, j.Author, j.ScheduleType, j.ScheduleConf = "after", "dev", domain.ScheduleFixDelay, "60"
		j.UpdateTime, j.TriggerStatus, j.TriggerNextTime = base.Add(time.Minute), domain.TriggerRunning, 99
		j.TimeZone, j.AlarmWebhooks = "", "ops"
		j.AddTime = base.Add(time.Hour) // add_time is not updated
		ok(t, s.Jobs.UpdateJob(t.Context(), j))
		got, err := s.Jobs.FindJobByID(t.Context(), j.ID)
		ok(t, err)
		j.AddTime = base
		assertJob(t, got, j)

		j.ScheduleType = domain.ScheduleFixRate
		j.AlarmWebhooks = ""
		ok(t, s.Jobs.UpdateJob(t.Context(), j))
		got, err = s.Jobs.FindJobByID(t.Context(), j.ID)
		ok(t, err)
		assertJob(t, got, j)
	})
	t.Run("DeleteJob", func(t *testing.T) {
		s := newStores(t)
		g := mustGroup(t, s, "app-a", "A")
		j := newJob(g.ID, "doomed")
		j.TimeZone = "Asia/Tokyo"
		mustJob(t, s, j)
		ok(t, s.Jobs.DeleteJob(t.Context(), j.ID))
		_, err := s.Jobs.FindJobByID(t.Context(), j.ID)
		wantCode(t, err, domain.ENOTFOUND)
		wantCode(t, s.Jobs.DeleteJob(t.Context(), j.ID), domain.ENOTFOUND)
	})
	t.Run("FindJobsByIDs", func(t *testing.T) {
		s := newStores(t)
		g := mustGroup(t, s, "app-a", "A")
		a := mustJob(t, s, newJob(g.ID, "a"))
		b := mustJob(t, s, newJob(g.ID, "b"))
		c := mustJob(t, s, newJob(g.ID, "c"))
		got, err := s.Jobs.FindJobsByIDs(t.Context(), []int64{c.ID, 999999, a.ID})
		ok(t, err)
		equalSlice(t, "ids", jobIDs(got), []int64{a.ID, c.ID})
		got, err = s.Jobs.FindJobsByIDs(t.Context(), nil)
		ok(t, err)
		equal(t, "len(nil ids)", len(got), 0)
		_ = b
	})
	t.Run("FindJobs", func(t *testing.T) { testFindJobs(t, newStores(t)) })
	t.Run("CountJobs", func(t *testing.T) {
		s := newStores(t)
		g1 := mustGroup(t, s, "app-a", "A")
		g2 := mustGroup(t, s, "app-b", "B")
		mustJob(t, s, newJob(g1.ID, "1"))
		mustJob(t, s, newJob(g1.ID, "2"))
		mustJob(t, s, newJob(g2.ID, "3"))
		n, err := s.Jobs.CountJobs(t.Context(), g1.ID)
		ok(t, err)
		equal(t, "CountJobs(g1)", n, 2)
		n, err = s.Jobs.CountJobs(t.Context(), 0)
		ok(t, err)
		equal(t, "CountJobs(0)", n, 3)
	})
	t.Run("UpdateSchedules", func(t *testing.T) { testUpdateSchedules(t, newStores(t)) })
}

func testFindJobs(t *testing.T, s Stores) {
	g1 := mustGroup(t, s, "app-a", "A")
	g2 := mustGroup(t, s, "app-b", "B")
	mk := func(g int64, desc, handler, author string, status domain.TriggerStatus) *domain.JobInfo {
		j := newJob(g, desc)
		j.ExecutorHandler, j.Author, j.TriggerStatus = handler, author, status
		return mustJob(t, s, j)
	}
	j1 := mk(g1.ID, "daily report", "reportHandler", "alice", domain.TriggerRunning)
	j2 := mk(g1.ID, "100% done_x", "cleanHandler", "bob", domain.TriggerStopped)
	j3 := mk(g2.ID, "Daily backup", "backupHandler", "alice", domain.TriggerRunning)
	j4 := mk(g2.ID, "100x donex", "cleanHandler", "carol", domain.TriggerStopped)
	all := ports.JobFilter{TriggerStatus: -1}
	for _, tc := range []struct {
		name  string
		f     ports.JobFilter
		want  []int64
		total int
	}{
		{"All", all, []int64{j4.ID, j3.ID, j2.ID, j1.ID}, 4},
		{"Group", ports.JobFilter{TriggerStatus: -1, GroupID: g1.ID}, []int64{j2.ID, j1.ID}, 2},
		{"GroupIDs", ports.JobFilter{TriggerStatus: -1, GroupIDs: []int64{g2.ID}}, []int64{j4.ID, j3.ID}, 2},
		{"GroupIDsEmpty", ports.JobFilter{TriggerStatus: -1, GroupIDs: []int64{}}, nil, 0},
		{"GroupAndGroupIDs", ports.JobFilter{TriggerStatus: -1, GroupID: g1.ID, GroupIDs: []int64{g2.ID}}, nil, 0},
		{"Running", ports.JobFilter{TriggerStatus: 1}, []int64{j3.ID, j1.ID}, 2},
		{"Stopped", ports.JobFilter{TriggerStatus: 0}, []int64{j4.ID, j2.ID}, 2},
		{"DescCaseInsensitive", ports.JobFilter{TriggerStatus: -1, Desc: "daily"}, []int64{j3.ID, j1.ID}, 2},
		{"DescLiteralWildcards", ports.JobFilter{TriggerStatus: -1, Desc: "100% done_"}, []int64{j2.ID}, 1},
		{"Handler", ports.JobFilter{TriggerStatus: -1, Handler: "clean"}, []int64{j4.ID, j2.ID}, 2},
		{"Author", ports.JobFilter{TriggerStatus: -1, Author: "alic"}, []int64{j3.ID, j1.ID}, 2},
		{"Page", ports.JobFilter{TriggerStatus: -1, Offset: 1, Limit: 2}, []int64{j3.ID, j2.ID}, 4},
		{"PageBeyond", ports.JobFilter{TriggerStatus: -1, Offset: 10, Limit: 2}, nil, 4},
		{"OffsetNoLimit", ports.JobFilter{TriggerStatus: -1, Offset: 3}, []int64{j1.ID}, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, total, err := s.Jobs.FindJobs(t.Context(), tc.f)
			ok(t, err)
			equalSlice(t, "ids", jobIDs(got), tc.want)
			equal(t, "total", total, tc.total)
		})
	}
	got, _, err := s.Jobs.FindJobs(t.Context(), ports.JobFilter{TriggerStatus: -1, GroupID: g1.ID, Limit: 1})
	ok(t, err)
	if len(got) == 1 {
		assertJob(t, got[0], j2)
	}
}

func testUpdateSchedules(t *testing.T, s Stores) {
	g := mustGroup(t, s, "app-a", "A")
	const n = 450 // more than one batch
	var jobs []*domain.JobInfo
	for i := range n {
		j := newJob(g.ID, fmt.Sprintf("job %d", i))
		j.TriggerStatus, j.TriggerLastTime, j.TriggerNextTime = domain.TriggerRunning, 1, 2
		jobs = append(jobs, mustJob(t, s, j))
	}
	stopped := jobs[3]
	stopped.TriggerStatus = domain.TriggerStopped
	ok(t, s.Jobs.UpdateJob(t.Context(), stopped))

	var updates []ports.ScheduleUpdate
	for i, j := range jobs {
		updates = append(updates, ports.ScheduleUpdate{JobID: j.ID, TriggerLastTime: int64(1000 + i), TriggerNextTime: int64(5000 + i), Stop: i == 5})
	}
	// A job listed twice gets its last update; an unknown job is ignored.
	updates = append(updates, ports.ScheduleUpdate{JobID: jobs[7].ID, TriggerLastTime: 7, TriggerNextTime: 77},
		ports.ScheduleUpdate{JobID: 999999, TriggerLastTime: 1, TriggerNextTime: 1})
	ok(t, s.Jobs.UpdateSchedules(t.Context(), updates))
	ok(t, s.Jobs.UpdateSchedules(t.Context(), nil))

	got, err := s.Jobs.FindJobsByIDs(t.Context(), jobIDs(jobs))
	ok(t, err)
	if len(got) != n {
		t.Fatalf("found %d jobs, want %d", len(got), n)
	}
	for i, j := range got {
		wantLast, wantNext, wantStatus := int64(1000+i), int64(5000+i), domain.TriggerRunning
		switch i {
		case 3: // stopped meanwhile: untouched
			wantLast, wantNext, wantStatus = 1, 2, domain.TriggerStopped
		case 5:
			wantStatus = domain.TriggerStopped
		case 7:
			wantLast, wantNext = 7, 77
		}
		if j.TriggerLastTime != wantLast || j.TriggerNextTime != wantNext || j.TriggerStatus != wantStatus {
			t.Errorf("job %d: last,next,status = %d,%d,%d, want %d,%d,%d", i,
				j.TriggerLastTime, j.TriggerNextTime, j.TriggerStatus, wantLast, wantNext, wantStatus)
		}
	}
}

// RunScheduleLockerTests checks ports.ScheduleLocker and ports.ScheduleTx.
func RunScheduleLockerTests(t *testing.T, newStores NewStores) {
	t.Run("SchedulableJobs", func(t *testing.T) {
		s := newStores(t)
		g := mustGroup(t, s, "app-a", "A")
		mk := func(status domain.TriggerStatus, next int64, st domain.ScheduleType) *domain.JobInfo {
			j := newJob(g.ID, "j")
			j.TriggerStatus, j.TriggerNextTime, j.ScheduleType, j.ScheduleConf = status, next, st, "10"
			j.TimeZone = "Asia/Tokyo"
			return mustJob(t, s, j)
		}
		due1 := mk(domain.TriggerRunning, 100, domain.ScheduleFixDelay)
		mk(domain.TriggerStopped, 100, domain.ScheduleCron)
		mk(domain.TriggerRunning, 5000, domain.ScheduleCron)
		due2 := mk(domain.TriggerRunning, 1000, domain.ScheduleCron)
		due3 := mk(domain.TriggerRunning, 0, domain.ScheduleCron)
		err := s.Locker.WithScheduleLock(t.Context(), func(ctx context.Context, tx ports.ScheduleTx) error {
			jobs, err := tx.SchedulableJobs(ctx, 1000, 10)
			ok(t, err)
			equalSlice(t, "due", jobIDs(jobs), []int64{due1.ID, due2.ID, due3.ID})
			if len(jobs) > 0 {
				equal(t, "ScheduleType", jobs[0].ScheduleType, domain.ScheduleFixDelay)
				equal(t, "TimeZone", jobs[0].TimeZone, "Asia/Tokyo")
			}
			jobs, err = tx.SchedulableJobs(ctx, 1000, 2)
			ok(t, err)
			equalSlice(t, "limited", jobIDs(jobs), []int64{due1.ID, due2.ID})
			return nil
		})
		ok(t, err)
	})
	t.Run("CommitAndRollback", func(t *testing.T) {
		s := newStores(t)
		g := mustGroup(t, s, "app-a", "A")
		j := newJob(g.ID, "j")
		j.TriggerStatus = domain.TriggerRunning
		mustJob(t, s, j)
		boom := errors.New("boom")
		err := s.Locker.WithScheduleLock(t.Context(), func(ctx context.Context, tx ports.ScheduleTx) error {
			ok(t, tx.UpdateSchedules(ctx, []ports.ScheduleUpdate{{JobID: j.ID, TriggerLastTime: 1, TriggerNextTime: 111}}))
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("WithScheduleLock = %v, want boom", err)
		}
		got, err := s.Jobs.FindJobByID(t.Context(), j.ID)
		ok(t, err)
		equal(t, "next after rollback", got.TriggerNextTime, 0)
		ok(t, s.Locker.WithScheduleLock(t.Context(), func(ctx context.Context, tx ports.ScheduleTx) error {
			return tx.UpdateSchedules(ctx, []ports.ScheduleUpdate{{JobID: j.ID, TriggerLastTime: 1, TriggerNextTime: 222}})
		}))
		got, err = s.Jobs.FindJobByID(t.Context(), j.ID)
		ok(t, err)
		equal(t, "next after commit", got.TriggerNextTime, 222)
	})
	t.Run("MutualExclusion", func(t *testing.T) {
		s := newStores(t)
		var mu sync.Mutex
		inside, maxInside := 0, 0
		var wg sync.WaitGroup
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				err := s.Locker.WithScheduleLock(t.Context(), func(ctx context.Context, tx ports.ScheduleTx) error {
					mu.Lock()
					inside++
					maxInside = max(maxInside, inside)
					mu.Unlock()
					time.Sleep(30 * time.Millisecond)
					mu.Lock()
					inside--
					mu.Unlock()
					return nil
				})
				if err != nil {
					t.Errorf("WithScheduleLock: %v", err)
				}
			}()
		}
		wg.Wait()
		equal(t, "holders at once", maxInside, 1)
	})
}

func assertJob(t *testing.T, got, want *domain.JobInfo) {
	t.Helper()
	equal(t, "ID", got.ID, want.ID)
	equal(t, "GroupID", got.GroupID, want.GroupID)
	equal(t, "Desc", got.Desc, want.Desc)
	equalTime(t, "AddTime", got.AddTime, want.AddTime)
	equalTime(t, "UpdateTime", got.UpdateTime, want.UpdateTime)
	equal(t, "Author", got.Author, want.Author)
	equal(t, "AlarmEmail", got.AlarmEmail, want.AlarmEmail)
	equal(t, "ScheduleType", got.ScheduleType, want.ScheduleType)
	equal(t, "ScheduleConf", got.ScheduleConf, want.ScheduleConf)
	equal(t, "MisfireStrategy", got.MisfireStrategy, want.MisfireStrategy)
	equal(t, "RouteStrategy", got.RouteStrategy, want.RouteStrategy)
	equal(t, "ExecutorHandler", got.ExecutorHandler, want.ExecutorHandler)
	equal(t, "ExecutorParam", got.ExecutorParam, want.ExecutorParam)
	equal(t, "BlockStrategy", got.BlockStrategy, want.BlockStrategy)
	equal(t, "ExecutorTimeout", got.ExecutorTimeout, want.ExecutorTimeout)
	equal(t, "ExecutorFailRetryCount", got.ExecutorFailRetryCount, want.ExecutorFailRetryCount)
	equal(t, "GlueType", got.GlueType, want.GlueType)
	equal(t, "GlueSource", got.GlueSource, want.GlueSource)
	equal(t, "GlueRemark", got.GlueRemark, want.GlueRemark)
	equalTime(t, "GlueUpdatetime", got.GlueUpdatetime, want.GlueUpdatetime)
	equal(t, "ChildJobIDs", got.ChildJobIDs, want.ChildJobIDs)
	equal(t, "TriggerStatus", got.TriggerStatus, want.TriggerStatus)
	equal(t, "TriggerLastTime", got.TriggerLastTime, want.TriggerLastTime)
	equal(t, "TriggerNextTime", got.TriggerNextTime, want.TriggerNextTime)
	equal(t, "TimeZone", got.TimeZone, want.TimeZone)
	equal(t, "AlarmWebhooks", got.AlarmWebhooks, want.AlarmWebhooks)
}
