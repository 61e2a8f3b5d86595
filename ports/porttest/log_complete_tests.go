package porttest

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/xjob-dev/xjob/domain"
)

// RunCompleteLogsTests checks ports.LogStore.CompleteLogs: the batched
// "first result wins" that callbacks rely on to trigger child jobs once.
func RunCompleteLogsTests(t *testing.T, newStores NewStores) {
	t.Run("OnlyOpenRows", func(t *testing.T) {
		s := newStores(t)
		open := mustRunningLogs(t, s, 3)
		done := mustRunningLogs(t, s, 2)
		for i, l := range done {
			l.HandleCode, l.HandleMsg, l.HandleTime = 500+i, fmt.Sprintf("earlier %d", i), base.Add(time.Second)
			won, err := s.Logs.UpdateHandleInfo(t.Context(), l)
			ok(t, err)
			equal(t, "pre-complete", won, true)
		}
		results := []*domain.JobLog{
			result(done[0], 200, "late"),
			result(open[2], 200, "ok 2"),
			{ID: 999999, HandleCode: 200, HandleMsg: "unknown", HandleTime: base},
			result(open[0], 502, "timeout 'quoted' <br>"),
			result(done[1], 200, "late"),
			result(open[1], 200, ""),
			result(open[2], 500, "second entry of the same log"),
		}
		won, err := s.Logs.CompleteLogs(t.Context(), results)
		ok(t, err)
		equalSlice(t, "won", won, logIDs(open))
		for _, want := range []*domain.JobLog{results[3], results[5], results[1], done[0], done[1]} {
			got, err := s.Logs.FindLogByID(t.Context(), want.ID)
			ok(t, err)
			assertLog(t, got, want)
		}
	})
	t.Run("SecondCallWinsNothing", func(t *testing.T) {
		s := newStores(t)
		logs := mustRunningLogs(t, s, 4)
		var first, second []*domain.JobLog
		for _, l := range logs {
			first = append(first, result(l, 200, "first"))
			second = append(second, result(l, 500, "second"))
		}
		won, err := s.Logs.CompleteLogs(t.Context(), first)
		ok(t, err)
		equalSlice(t, "first call", won, logIDs(logs))
		for _, batch := range [][]*domain.JobLog{first, second, second[2:3]} {
			won, err = s.Logs.CompleteLogs(t.Context(), batch)
			ok(t, err)
			equalSlice(t, "again", won, []int64{})
		}
		for _, want := range first {
			got, err := s.Logs.FindLogByID(t.Context(), want.ID)
			ok(t, err)
			assertLog(t, got, want)
		}
		won, err = s.Logs.CompleteLogs(t.Context(), nil)
		ok(t, err)
		equalSlice(t, "no logs", won, []int64{})
	})
	t.Run("OneAndMany", func(t *testing.T) {
		s := newStores(t)
		one := mustRunningLogs(t, s, 1)[0]
		won, err := s.Logs.CompleteLogs(t.Context(), []*domain.JobLog{result(one, 200, "one")})
		ok(t, err)
		equalSlice(t, "one", won, []int64{one.ID})
		won, err = s.Logs.CompleteLogs(t.Context(), []*domain.JobLog{result(one, 200, "one")})
		ok(t, err)
		equalSlice(t, "one again", won, []int64{})

		logs := mustRunningLogs(t, s, 1234)
		var results []*domain.JobLog
		for i, l := range logs {
			if i%100 == 7 { // a few finished rows spread over the batch
				ok2, err := s.Logs.UpdateHandleInfo(t.Context(), result(l, 500, "earlier"))
				ok(t, err)
				equal(t, "pre-complete", ok2, true)
			}
			results = append(results, result(l, 200, fmt.Sprintf("r%d", i)))
		}
		slices.Reverse(results) // the order of the batch does not matter
		won, err = s.Logs.CompleteLogs(t.Context(), results)
		ok(t, err)
		var want []int64
		for i, l := range logs {
			if i%100 != 7 {
				want = append(want, l.ID)
			}
		}
		equalSlice(t, "many", won, want)
		for _, i := range []int{0, 7, 499, 500, 1233} {
			got, err := s.Logs.FindLogByID(t.Context(), logs[i].ID)
			ok(t, err)
			wantMsg := fmt.Sprintf("r%d", i)
			if i%100 == 7 {
				wantMsg = "earlier"
			}
			equal(t, "HandleMsg", got.HandleMsg, wantMsg)
		}
	})
	t.Run("ConcurrentCallsNeverShareARow", func(t *testing.T) {
		s := newStores(t)
		const workers, rows, batch = 4, 300, 25
		logs := mustRunningLogs(t, s, rows)
		// Every 7th row already has a result, so batches are mixed.
		finished := map[int64]bool{}
		for i := 0; i < rows; i += 7 {
			won, err := s.Logs.UpdateHandleInfo(t.Context(), result(logs[i], 500, "earlier"))
			ok(t, err)
			equal(t, "pre-complete", won, true)
			finished[logs[i].ID] = true
		}
		// Each worker names every row, in batches that start at a different
		// place and straddle the others' batches.
		wonBy := make([][]int64, workers)
		errs := make([]error, workers)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() {
				<-start
				msg := fmt.Sprintf("worker %d", w)
				order := append(slices.Clone(logs[w*rows/workers+w*3:]), logs[:w*rows/workers+w*3]...)
				for part := range slices.Chunk(order, batch) {
					var results []*domain.JobLog
					for _, l := range part {
						results = append(results, result(l, 200, msg))
					}
					won, err := s.Logs.CompleteLogs(t.Context(), results)
					if err != nil {
						errs[w] = err
						return
					}
					if !slices.IsSorted(won) {
						errs[w] = fmt.Errorf("won ids not ascending: %v", won)
						return
					}
					named := logIDs(part)
					for _, id := range won {
						if !slices.Contains(named, id) {
							errs[w] = fmt.Errorf("won id %d that the call did not name", id)
							return
						}
					}
					wonBy[w] = append(wonBy[w], won...)
				}
			})
		}
		close(start)
		wg.Wait()
		for w, err := range errs {
			if err != nil {
				t.Fatalf("worker %d: %v", w, err)
			}
		}
		winner := map[int64]int{}
		for w, ids := range wonBy {
			for _, id := range ids {
				if other, dup := winner[id]; dup {
					t.Fatalf("log %d won by workers %d and %d", id, other, w)
				}
				winner[id] = w
			}
		}
		for _, l := range logs {
			got, err := s.Logs.FindLogByID(t.Context(), l.ID)
			ok(t, err)
			w, won := winner[l.ID]
			switch {
			case finished[l.ID]:
				if won {
					t.Errorf("log %d had a result but worker %d won it", l.ID, w)
				}
				equal(t, "HandleMsg", got.HandleMsg, "earlier")
			case !won:
				t.Errorf("open log %d won by no worker", l.ID)
			default:
				// The row holds what its winner wrote.
				equal(t, "HandleMsg", got.HandleMsg, fmt.Sprintf("worker %d", w))
				equal(t, "HandleCode", got.HandleCode, 200)
			}
		}
	})
}

// mustRunningLogs inserts n logs triggered successfully and not finished.
func mustRunningLogs(t *testing.T, s Stores, n int) []*domain.JobLog {
	t.Helper()
	logs := make([]*domain.JobLog, n)
	for i := range logs {
		logs[i] = &domain.JobLog{GroupID: 1, JobID: 1, TriggerTime: base, TriggerCode: 200, TriggerMsg: "ok"}
	}
	ok(t, s.Logs.CreateLogs(t.Context(), logs))
	return logs
}

// result returns a copy of l with a result recorded a minute after base.
func result(l *domain.JobLog, code int, msg string) *domain.JobLog {
	r := *l
	r.HandleCode, r.HandleMsg, r.HandleTime = code, msg, base.Add(time.Minute)
	return &r
}
