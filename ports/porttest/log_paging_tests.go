package porttest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/xjob-dev/xjob/domain"
	"github.com/xjob-dev/xjob/ports"
)

// LogLimits are the bounds a LogStore was built with (for sqlstore:
// WithLogCountLimit and WithLogScanLimit): it counts at most Count logs,
// and one query reads at most Scan of a job's or a group's logs (4×Scan
// ids without such a filter).
type LogLimits struct {
	Count, Scan int
}

// RunLogLimitTests checks FindLogs on a store built with small limits:
// totals are capped and say so, a page of a sparse filter may hold fewer
// logs than asked (even none) but its cursors still lead to every
// matching log exactly once, in both directions.
func RunLogLimitTests(t *testing.T, newStores NewStores, lim LogLimits) {
	s := newStores(t)
	n := 12 * lim.Scan
	var logs []*domain.JobLog
	for i := range n { // group 1, jobs 1 and 2; every 8th fails
		l := &domain.JobLog{GroupID: 1, JobID: int64(1 + i%2), TriggerTime: base.Add(time.Duration(i) * time.Second),
			TriggerCode: 200, HandleCode: 200}
		if i%8 == 3 {
			l.HandleCode = 500
		}
		logs = append(logs, l)
	}
	for i := range 3 {
		logs = append(logs, &domain.JobLog{GroupID: 2, JobID: 3, TriggerTime: base.Add(time.Duration(n+i) * time.Second),
			TriggerCode: 200, HandleCode: 200})
	}
	ok(t, s.Logs.CreateLogs(t.Context(), logs))
	want := func(keep func(*domain.JobLog) bool) []int64 {
		var ids []int64
		for _, l := range slices.Backward(logs) {
			if keep(l) {
				ids = append(ids, l.ID)
			}
		}
		return ids
	}
	failed := func(l *domain.JobLog) bool { return l.HandleCode == 500 }
	t.Run("DenseTotalCapped", func(t *testing.T) {
		p, err := s.Logs.FindLogs(t.Context(), ports.LogFilter{GroupID: 1, Status: domain.LogStatusAll, Limit: 3})
		ok(t, err)
		equalSlice(t, "page", logIDs(p.Logs), want(func(l *domain.JobLog) bool { return l.GroupID == 1 })[:3])
		equal(t, "total", p.Total, lim.Count)
		equal(t, "capped", p.TotalCapped, true)
	})
	t.Run("SmallTotalExact", func(t *testing.T) {
		p, err := s.Logs.FindLogs(t.Context(), ports.LogFilter{GroupID: 2, Status: domain.LogStatusAll, Limit: 2})
		ok(t, err)
		equal(t, "total", p.Total, 3)
		equal(t, "capped", p.TotalCapped, false)
	})
	for _, tc := range []struct {
		name string
		f    ports.LogFilter
		keep func(*domain.JobLog) bool
	}{
		{"SparseGroup", ports.LogFilter{GroupID: 1, Status: domain.LogStatusFail}, failed},
		{"SparseJob", ports.LogFilter{JobID: 2, Status: domain.LogStatusFail}, failed},
		{"SparseAllGroups", ports.LogFilter{Status: domain.LogStatusFail}, failed},
		{"SparseGroupIDs", ports.LogFilter{GroupIDs: []int64{1, 2}, Status: domain.LogStatusFail}, failed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.f.Limit = 2
			all := want(tc.keep)
			pages := walkOlder(t, s.Logs, tc.f)
			equalSlice(t, "logs walking older", slices.Concat(pages...), all)
			p, err := s.Logs.FindLogs(t.Context(), tc.f)
			ok(t, err)
			if p.Total > len(all) || (p.Total < len(all) && !p.TotalCapped) {
				t.Errorf("total %d (capped %v) of %d matching logs", p.Total, p.TotalCapped, len(all))
			}
			back := walkNewer(t, s.Logs, tc.f, pages)
			equalSlice(t, "logs walking newer", slices.Concat(back...), all)
		})
	}
}

// testLogPaging checks BeforeID/AfterID paging and the page cursors on a
// store with its default limits (40 logs page fully and count exactly).
func testLogPaging(t *testing.T, s Stores) {
	var logs []*domain.JobLog
	for i := range 40 {
		l := &domain.JobLog{GroupID: int64(1 + i%2), JobID: int64(10 + i%3), TriggerTime: base.Add(time.Duration(i) * time.Minute),
			TriggerCode: 200, HandleCode: 200}
		switch i % 4 {
		case 1:
			l.HandleCode = 0
		case 2:
			l.TriggerCode, l.HandleCode = 500, 0
		}
		logs = append(logs, l)
	}
	ok(t, s.Logs.CreateLogs(t.Context(), logs))
	want := func(keep func(*domain.JobLog) bool) []int64 {
		var ids []int64
		for _, l := range slices.Backward(logs) {
			if keep(l) {
				ids = append(ids, l.ID)
			}
		}
		return ids
	}
	from, to := base.Add(5*time.Minute), base.Add(30*time.Minute)
	for _, tc := range []struct {
		name string
		f    ports.LogFilter
		keep func(*domain.JobLog) bool
	}{
		{"All", ports.LogFilter{Status: -1}, func(*domain.JobLog) bool { return true }},
		{"Group", ports.LogFilter{Status: -1, GroupID: 2}, func(l *domain.JobLog) bool { return l.GroupID == 2 }},
		{"Job", ports.LogFilter{Status: -1, JobID: 11}, func(l *domain.JobLog) bool { return l.JobID == 11 }},
		{"Running", ports.LogFilter{Status: domain.LogStatusRunning}, func(l *domain.JobLog) bool { return l.Status() == domain.LogStatusRunning }},
		{"GroupFail", ports.LogFilter{Status: domain.LogStatusFail, GroupID: 1}, func(l *domain.JobLog) bool { return l.GroupID == 1 && l.Failed() }},
		{"Range", ports.LogFilter{Status: -1, From: from, To: to}, func(l *domain.JobLog) bool {
			return !l.TriggerTime.Before(from) && !l.TriggerTime.After(to)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			all := want(tc.keep)
			tc.f.Limit = 3
			pages := walkOlder(t, s.Logs, tc.f)
			equalSlice(t, "logs walking older", slices.Concat(pages...), all)
			for i, pg := range pages[:len(pages)-1] {
				equal(t, fmt.Sprintf("size of page %d", i+1), len(pg), 3)
			}
			back := walkNewer(t, s.Logs, tc.f, pages)
			equal(t, "pages walking newer", len(back), len(pages))
			for i := range back {
				equalSlice(t, fmt.Sprintf("page %d walking newer", i+1), back[i], pages[i])
			}
		})
	}
	t.Run("PastTheEnds", func(t *testing.T) {
		all := ports.LogFilter{Status: -1, Limit: 5}
		older := all
		older.BeforeID = logs[0].ID
		p, err := s.Logs.FindLogs(t.Context(), older)
		ok(t, err)
		equal(t, "logs older than the oldest", len(p.Logs), 0)
		equal(t, "Older", p.Older, 0)
		equal(t, "total", p.Total, 40)
		newer := all
		newer.AfterID = logs[39].ID
		p, err = s.Logs.FindLogs(t.Context(), newer)
		ok(t, err)
		equal(t, "logs newer than the newest", len(p.Logs), 0)
		equal(t, "Newer", p.Newer, 0)
	})
}

// walkOlder follows Older from the first page of f and returns the ids of
// every page. Every page counts the same total, no page holds more than
// f.Limit logs, only the first has Newer 0.
func walkOlder(t *testing.T, logs ports.LogStore, f ports.LogFilter) [][]int64 {
	t.Helper()
	var pages [][]int64
	var total *ports.LogPage
	for i := 0; ; i++ {
		if i > 500 {
			t.Fatal("walking older: no end after 500 pages")
		}
		p, err := logs.FindLogs(t.Context(), f)
		ok(t, err)
		if len(p.Logs) > f.Limit || (i == 0) != (p.Newer == 0) {
			t.Fatalf("page %d: %d logs (limit %d), Newer %d", i+1, len(p.Logs), f.Limit, p.Newer)
		}
		if total == nil {
			total = &p
		} else if p.Total != total.Total || p.TotalCapped != total.TotalCapped {
			t.Fatalf("page %d: total %d/%v, page 1 said %d/%v", i+1, p.Total, p.TotalCapped, total.Total, total.TotalCapped)
		}
		pages = append(pages, logIDs(p.Logs))
		if p.Older == 0 {
			return pages
		}
		f.BeforeID = p.Older
	}
}

// walkNewer follows Newer from the last of pages (a walkOlder result) up
// to the newest page and returns the pages, newest first.
func walkNewer(t *testing.T, logs ports.LogStore, f ports.LogFilter, pages [][]int64) [][]int64 {
	t.Helper()
	last := pages[len(pages)-1]
	f.BeforeID = 0
	switch {
	case len(pages) == 1:
		return pages
	case len(last) > 0:
		f.AfterID = last[0]
	default: // an empty last page: start at the oldest log seen before it
		prev := slices.Concat(pages[:len(pages)-1]...)
		if len(prev) == 0 {
			return pages
		}
		f.AfterID = prev[len(prev)-1] - 1
	}
	back := [][]int64{last}
	for i := 0; ; i++ {
		if i > 500 {
			t.Fatal("walking newer: no end after 500 pages")
		}
		p, err := logs.FindLogs(t.Context(), f)
		ok(t, err)
		if len(p.Logs) > f.Limit {
			t.Fatalf("page %d: %d logs (limit %d)", i+1, len(p.Logs), f.Limit)
		}
		back = append(back, logIDs(p.Logs))
		if p.Newer == 0 {
			slices.Reverse(back)
			return back
		}
		f.AfterID = p.Newer
	}
}
