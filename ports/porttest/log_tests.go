package porttest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/xjob-dev/xjob/domain"
	"github.com/xjob-dev/xjob/ports"
)

// RunLogStoreTests checks ports.LogStore.
func RunLogStoreTests(t *testing.T, newStores NewStores) {
	t.Run("FindLogsByIDs", func(t *testing.T) {
		s := newStores(t)
		logs := []*domain.JobLog{{GroupID: 1, JobID: 7, TriggerTime: base}, {GroupID: 1, JobID: 8, TriggerTime: base}}
		if err := s.Logs.CreateLogs(t.Context(), logs); err != nil {
			t.Fatal(err)
		}
		got, err := s.Logs.FindLogsByIDs(t.Context(), []int64{logs[1].ID, 999999, logs[0].ID})
		if err != nil || len(got) != 2 {
			t.Fatalf("got %d logs, %v; want the 2 that exist", len(got), err)
		}
		jobs := map[int64]int64{}
		for _, l := range got {
			jobs[l.ID] = l.JobID
		}
		if jobs[logs[0].ID] != 7 || jobs[logs[1].ID] != 8 {
			t.Fatalf("logs %v", jobs)
		}
		if none, err := s.Logs.FindLogsByIDs(t.Context(), nil); err != nil || len(none) != 0 {
			t.Fatalf("no ids: %v %v", none, err)
		}
	})
	t.Run("CreateLogsSetsEveryID", func(t *testing.T) {
		s := newStores(t)
		var logs []*domain.JobLog
		for i := range 1234 { // more than one INSERT
			logs = append(logs, &domain.JobLog{GroupID: 1, JobID: int64(i + 1), TriggerTime: base,
				ExecutorParam: fmt.Sprintf("p%d", i)})
		}
		ok(t, s.Logs.CreateLogs(t.Context(), logs))
		seen := map[int64]bool{}
		for i, l := range logs {
			if l.ID <= 0 || seen[l.ID] {
				t.Fatalf("log %d: ID %d is not new", i, l.ID)
			}
			seen[l.ID] = true
		}
		for _, i := range []int{0, 1, 499, 500, 777, 1233} {
			got, err := s.Logs.FindLogByID(t.Context(), logs[i].ID)
			ok(t, err)
			equal(t, "JobID", got.JobID, logs[i].JobID)
			equal(t, "ExecutorParam", got.ExecutorParam, logs[i].ExecutorParam)
		}
		ok(t, s.Logs.CreateLogs(t.Context(), nil))
	})
	t.Run("RoundTrip", func(t *testing.T) {
		s := newStores(t)
		l := &domain.JobLog{GroupID: 2, JobID: 3, ExecutorAddress: "http://a:9999/", ExecutorHandler: "h",
			ExecutorParam: "p", ExecutorShardingParam: "1/3", ExecutorFailRetryCount: 2, TriggerTime: base,
			TriggerCode: 200, TriggerMsg: "<br>ok", HandleTime: base.Add(time.Second), HandleCode: 500,
			HandleMsg: "failed", AlarmStatus: domain.AlarmSuccess}
		ok(t, s.Logs.CreateLogs(t.Context(), []*domain.JobLog{l}))
		got, err := s.Logs.FindLogByID(t.Context(), l.ID)
		ok(t, err)
		assertLog(t, got, l)
		_, err = s.Logs.FindLogByID(t.Context(), l.ID+1000)
		wantCode(t, err, domain.ENOTFOUND)
	})
	t.Run("FindLogs", func(t *testing.T) { testFindLogs(t, newStores(t)) })
	t.Run("FindLogsPaging", func(t *testing.T) { testLogPaging(t, newStores(t)) })
	t.Run("UpdateTriggerInfos", func(t *testing.T) {
		s := newStores(t)
		for _, n := range []int{1, 3, 150} {
			logs := make([]*domain.JobLog, n)
			for i := range logs {
				logs[i] = &domain.JobLog{GroupID: 1, JobID: 1, TriggerTime: base}
			}
			ok(t, s.Logs.CreateLogs(t.Context(), logs))
			for i, l := range logs {
				l.TriggerTime = base.Add(time.Duration(i) * time.Second)
				l.TriggerCode, l.TriggerMsg = 200, fmt.Sprintf("msg %d 'quoted'", i)
				l.ExecutorAddress, l.ExecutorHandler, l.ExecutorParam = fmt.Sprintf("http://h%d/", i), "h", "p"
				l.ExecutorShardingParam, l.ExecutorFailRetryCount = fmt.Sprintf("%d/%d", i, n), 3
			}
			ok(t, s.Logs.UpdateTriggerInfos(t.Context(), logs))
			for _, l := range logs {
				got, err := s.Logs.FindLogByID(t.Context(), l.ID)
				ok(t, err)
				assertLog(t, got, l)
			}
		}
		ok(t, s.Logs.UpdateTriggerInfos(t.Context(), nil))
	})
	t.Run("UpdateHandleInfoFirstWins", func(t *testing.T) {
		s := newStores(t)
		l := &domain.JobLog{GroupID: 1, JobID: 1, TriggerTime: base, TriggerCode: 200}
		ok(t, s.Logs.CreateLogs(t.Context(), []*domain.JobLog{l}))
		first := *l
		first.HandleCode, first.HandleMsg, first.HandleTime = 200, "done", base.Add(time.Minute)
		won, err := s.Logs.UpdateHandleInfo(t.Context(), &first)
		ok(t, err)
		equal(t, "first", won, true)
		second := *l
		second.HandleCode, second.HandleMsg, second.HandleTime = 500, "late", base.Add(2*time.Minute)
		won, err = s.Logs.UpdateHandleInfo(t.Context(), &second)
		ok(t, err)
		equal(t, "second", won, false)
		got, err := s.Logs.FindLogByID(t.Context(), l.ID)
		ok(t, err)
		assertLog(t, got, &first)
		won, err = s.Logs.UpdateHandleInfo(t.Context(), &domain.JobLog{ID: 999999, HandleCode: 200})
		ok(t, err)
		equal(t, "missing", won, false)
	})
	t.Run("AlarmStatusCAS", func(t *testing.T) {
		s := newStores(t)
		l := &domain.JobLog{GroupID: 1, JobID: 1, TriggerTime: base, TriggerCode: 500}
		ok(t, s.Logs.CreateLogs(t.Context(), []*domain.JobLog{l}))
		won, err := s.Logs.UpdateAlarmStatus(t.Context(), l.ID, domain.AlarmDefault, domain.AlarmLocked)
		ok(t, err)
		equal(t, "lock", won, true)
		won, err = s.Logs.UpdateAlarmStatus(t.Context(), l.ID, domain.AlarmDefault, domain.AlarmLocked)
		ok(t, err)
		equal(t, "lock again", won, false)
		won, err = s.Logs.UpdateAlarmStatus(t.Context(), l.ID, domain.AlarmLocked, domain.AlarmSuccess)
		ok(t, err)
		equal(t, "finish", won, true)
		got, err := s.Logs.FindLogByID(t.Context(), l.ID)
		ok(t, err)
		equal(t, "AlarmStatus", got.AlarmStatus, domain.AlarmSuccess)
	})
	t.Run("FailedLogIDs", func(t *testing.T) {
		s := newStores(t)
		mk := func(tc, hc int, alarm domain.AlarmStatus) *domain.JobLog {
			return &domain.JobLog{GroupID: 1, JobID: 1, TriggerTime: base, TriggerCode: tc, HandleCode: hc, AlarmStatus: alarm}
		}
		logs := []*domain.JobLog{
			mk(0, 0, 0),      // 0 not triggered yet
			mk(200, 0, 0),    // 1 running
			mk(200, 200, 0),  // 2 success
			mk(500, 0, 0),    // 3 trigger failed            *
			mk(200, 500, 0),  // 4 run failed                *
			mk(200, 502, 0),  // 5 timeout                   *
			mk(500, 0, 2),    // 6 trigger failed, alarmed
			mk(200, 500, 1),  // 7 failed, no alarm needed
			mk(200, 123, 0),  // 8 odd executor code         *
			mk(500, 200, 0),  // 9 late success after a trigger error
			mk(200, -1, 0),   // 10 negative code            *
			mk(200, 500, -1), // 11 locked by a monitor
		}
		ok(t, s.Logs.CreateLogs(t.Context(), logs))
		got, err := s.Logs.FailedLogIDs(t.Context(), 100)
		ok(t, err)
		equalSlice(t, "failed", got, []int64{logs[3].ID, logs[4].ID, logs[5].ID, logs[8].ID, logs[10].ID})
		got, err = s.Logs.FailedLogIDs(t.Context(), 2)
		ok(t, err)
		equalSlice(t, "limited", got, []int64{logs[3].ID, logs[4].ID})
	})
	t.Run("RunningLogs", func(t *testing.T) {
		s := newStores(t)
		mk := func(tc, hc int, at time.Time) *domain.JobLog {
			return &domain.JobLog{GroupID: 1, JobID: 1, TriggerTime: at, TriggerCode: tc, HandleCode: hc}
		}
		logs := []*domain.JobLog{
			mk(200, 0, base),                     // 0 running, old
			mk(200, 0, base.Add(10*time.Minute)), // 1 running, recent
			mk(200, 200, base),                   // 2 done
			mk(500, 0, base),                     // 3 trigger failed
			mk(0, 0, base),                       // 4 still triggering
			mk(200, 0, base.Add(-time.Minute)),   // 5 running, old
			mk(200, 0, base.Add(time.Second)),    // 6 running, just after
		}
		ok(t, s.Logs.CreateLogs(t.Context(), logs))
		got, err := s.Logs.RunningLogs(t.Context(), base, 10)
		ok(t, err)
		equalSlice(t, "running", logIDs(got), []int64{logs[0].ID, logs[5].ID})
		got, err = s.Logs.RunningLogs(t.Context(), base.Add(time.Hour), 2)
		ok(t, err)
		equalSlice(t, "limited", logIDs(got), []int64{logs[0].ID, logs[1].ID})
	})
	t.Run("CountLogs", func(t *testing.T) {
		s := newStores(t)
		mk := func(tc, hc int, at time.Time) *domain.JobLog {
			return &domain.JobLog{GroupID: 1, JobID: 1, TriggerTime: at, TriggerCode: tc, HandleCode: hc}
		}
		ok(t, s.Logs.CreateLogs(t.Context(), []*domain.JobLog{
			mk(200, 0, base), mk(0, 0, base), mk(200, 200, base), mk(200, 200, base.Add(time.Hour)),
			mk(500, 0, base), mk(200, 502, base), mk(200, 200, base.Add(-time.Second)),
		}))
		c, err := s.Logs.CountLogs(t.Context(), base, base.Add(time.Hour))
		ok(t, err)
		equal(t, "counts", c, ports.LogCounts{Running: 2, Success: 2, Fail: 2})
		c, err = s.Logs.CountLogs(t.Context(), base.Add(2*time.Hour), base.Add(3*time.Hour))
		ok(t, err)
		equal(t, "empty", c, ports.LogCounts{})
	})
	t.Run("DeleteLogs", func(t *testing.T) { testDeleteLogs(t, newStores) })
}

func testFindLogs(t *testing.T, s Stores) {
	mk := func(group, job int64, tc, hc int, at time.Time) *domain.JobLog {
		return &domain.JobLog{GroupID: group, JobID: job, TriggerTime: at, TriggerCode: tc, HandleCode: hc}
	}
	l := []*domain.JobLog{
		mk(1, 10, 200, 200, base),                    // 0 success
		mk(1, 10, 200, 0, base.Add(time.Minute)),     // 1 running
		mk(1, 11, 500, 0, base.Add(2*time.Minute)),   // 2 trigger fail
		mk(2, 20, 200, 500, base.Add(3*time.Minute)), // 3 run fail
		mk(2, 20, 0, 0, base.Add(4*time.Minute)),     // 4 triggering
		mk(3, 30, 200, 200, base.Add(5*time.Minute)), // 5 success
	}
	ok(t, s.Logs.CreateLogs(t.Context(), l))
	id := func(is ...int) []int64 {
		var out []int64
		for _, i := range is {
			out = append(out, l[i].ID)
		}
		return out
	}
	all := ports.LogFilter{Status: domain.LogStatusAll}
	for _, tc := range []struct {
		name  string
		f     ports.LogFilter
		want  []int64
		total int
	}{
		{"All", all, id(5, 4, 3, 2, 1, 0), 6},
		{"Group", ports.LogFilter{Status: -1, GroupID: 1}, id(2, 1, 0), 3},
		{"GroupIDs", ports.LogFilter{Status: -1, GroupIDs: []int64{2, 3}}, id(5, 4, 3), 3},
		{"GroupIDsEmpty", ports.LogFilter{Status: -1, GroupIDs: []int64{}}, nil, 0},
		{"Job", ports.LogFilter{Status: -1, JobID: 10}, id(1, 0), 2},
		{"Success", ports.LogFilter{Status: domain.LogStatusSuccess}, id(5, 0), 2},
		{"Fail", ports.LogFilter{Status: domain.LogStatusFail}, id(3, 2), 2},
		{"Running", ports.LogFilter{Status: domain.LogStatusRunning}, id(1), 1},
		{"From", ports.LogFilter{Status: -1, From: base.Add(4 * time.Minute)}, id(5, 4), 2},
		{"Range", ports.LogFilter{Status: -1, From: base.Add(time.Minute), To: base.Add(3 * time.Minute)}, id(3, 2, 1), 3},
		{"Page", ports.LogFilter{Status: -1, Offset: 2, Limit: 3}, id(3, 2, 1), 6},
		{"PageBeyond", ports.LogFilter{Status: -1, Offset: 6, Limit: 3}, nil, 6},
		{"Combined", ports.LogFilter{Status: domain.LogStatusSuccess, GroupIDs: []int64{1, 2}, From: base}, id(0), 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := s.Logs.FindLogs(t.Context(), tc.f)
			ok(t, err)
			equalSlice(t, "ids", logIDs(p.Logs), tc.want)
			equal(t, "total", p.Total, tc.total)
			equal(t, "capped", p.TotalCapped, false) // a handful of logs is counted exactly
		})
	}
	p, err := s.Logs.FindLogs(t.Context(), ports.LogFilter{Status: -1, JobID: 11})
	ok(t, err)
	if len(p.Logs) == 1 {
		assertLog(t, p.Logs[0], l[2])
	}
}

func testDeleteLogs(t *testing.T, newStores NewStores) {
	// 2500 logs of job 1 (group 1), minute by minute, and 10 of job 2 (group 2).
	seed := func(t *testing.T) (Stores, []*domain.JobLog, []*domain.JobLog) {
		s := newStores(t)
		var a, b []*domain.JobLog
		for i := range 2500 {
			a = append(a, &domain.JobLog{GroupID: 1, JobID: 1, TriggerTime: base.Add(time.Duration(i) * time.Minute)})
		}
		for i := range 10 {
			b = append(b, &domain.JobLog{GroupID: 2, JobID: 2, TriggerTime: base.Add(time.Duration(i) * time.Minute)})
		}
		ok(t, s.Logs.CreateLogs(t.Context(), a))
		ok(t, s.Logs.CreateLogs(t.Context(), b))
		return s, a, b
	}
	left := func(t *testing.T, s Stores, f ports.LogFilter) []int64 {
		f.Status = domain.LogStatusAll
		p, err := s.Logs.FindLogs(t.Context(), f)
		ok(t, err)
		ids := logIDs(p.Logs)
		slices.Sort(ids)
		return ids
	}
	t.Run("Before", func(t *testing.T) {
		s, a, b := seed(t)
		n, err := s.Logs.DeleteLogs(t.Context(), ports.ClearFilter{Before: base.Add(2199 * time.Minute)})
		ok(t, err)
		equal(t, "deleted", n, 2200+10)
		equalSlice(t, "left", left(t, s, ports.LogFilter{}), logIDs(a[2200:]))
		_ = b
	})
	t.Run("JobAndKeepNewest", func(t *testing.T) {
		s, a, b := seed(t)
		n, err := s.Logs.DeleteLogs(t.Context(), ports.ClearFilter{GroupID: 1, JobID: 1, KeepNewest: 1000})
		ok(t, err)
		equal(t, "deleted", n, 1500)
		equalSlice(t, "left of job 1", left(t, s, ports.LogFilter{JobID: 1}), logIDs(a[1500:]))
		equalSlice(t, "job 2 untouched", left(t, s, ports.LogFilter{JobID: 2}), logIDs(b))
		n, err = s.Logs.DeleteLogs(t.Context(), ports.ClearFilter{JobID: 2, KeepNewest: 20})
		ok(t, err)
		equal(t, "fewer than kept", n, 0)
	})
	t.Run("GroupAll", func(t *testing.T) {
		s, _, b := seed(t)
		n, err := s.Logs.DeleteLogs(t.Context(), ports.ClearFilter{GroupID: 1})
		ok(t, err)
		equal(t, "deleted", n, 2500)
		equalSlice(t, "left", left(t, s, ports.LogFilter{}), logIDs(b))
		n, err = s.Logs.DeleteLogs(t.Context(), ports.ClearFilter{GroupID: 1})
		ok(t, err)
		equal(t, "again", n, 0)
	})
}

func assertLog(t *testing.T, got, want *domain.JobLog) {
	t.Helper()
	equal(t, "ID", got.ID, want.ID)
	equal(t, "GroupID", got.GroupID, want.GroupID)
	equal(t, "JobID", got.JobID, want.JobID)
	equal(t, "ExecutorAddress", got.ExecutorAddress, want.ExecutorAddress)
	equal(t, "ExecutorHandler", got.ExecutorHandler, want.ExecutorHandler)
	equal(t, "ExecutorParam", got.ExecutorParam, want.ExecutorParam)
	equal(t, "ExecutorShardingParam", got.ExecutorShardingParam, want.ExecutorShardingParam)
	equal(t, "ExecutorFailRetryCount", got.ExecutorFailRetryCount, want.ExecutorFailRetryCount)
	equalTime(t, "TriggerTime", got.TriggerTime, want.TriggerTime)
	equal(t, "TriggerCode", got.TriggerCode, want.TriggerCode)
	equal(t, "TriggerMsg", got.TriggerMsg, want.TriggerMsg)
	equalTime(t, "HandleTime", got.HandleTime, want.HandleTime)
	equal(t, "HandleCode", got.HandleCode, want.HandleCode)
	equal(t, "HandleMsg", got.HandleMsg, want.HandleMsg)
	equal(t, "AlarmStatus", got.AlarmStatus, want.AlarmStatus)
}
