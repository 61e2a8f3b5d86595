package sqlstore

import (
	"context"
	"math"
	"slices"
	"time"

	"github.com/uptrace/bun"

	"github.com/xjob-dev/xjob/domain"
	"github.com/xjob-dev/xjob/ports"
)

// The log list's bounds (docs/storage.md, "The log list").
const (
	defaultLogCountLimit = 10_000
	defaultLogScanLimit  = 25_000
	// pkScanFactor: a walk of the primary key reads rows in order, about
	// four times cheaper each than the lookups behind a secondary index
	// entry, so its scan limit is four times larger (and counted in ids).
	pkScanFactor = 4
	// A time range holding at most exactRangeRows logs gets its exact id
	// bounds; a wider one gets bounds from the rangeBand logs just beyond
	// rangeSlack past each end (see timeSpan).
	exactRangeRows = 20_000
	rangeBand      = 1000
	rangeSlack     = 5 * time.Minute
)

// noID is the upper bound of an unbounded idSpan.
const noID = math.MaxInt64

// idSpan is the ids a log list query reads: lo <= id <= hi.
type idSpan struct{ lo, hi int64 }

func (sp idSpan) empty() bool { return sp.lo > sp.hi }

// edge is where a bounded walk through the log ids stops (inclusive); cut
// means candidates lie beyond it.
type edge struct {
	id  int64
	cut bool
}

// logQuery is one FindLogs call: the filter and the ids it can match.
type logQuery struct {
	s   *LogStore
	f   ports.LogFilter
	all idSpan // the time range's id bounds, above the running floor
	top *edge  // the window of the newest candidates, once computed
}

// FindLogs returns one page of logs, newest first, its neighbours' cursors
// and the number of matching logs.
//
// Every query walks an index in id order (the job's, the group's, or the
// primary key; they all end with id) and stops early: the page after
// Limit+1 logs, the count after the count limit (WithLogCountLimit), both
// after the scan limit's candidates (WithLogScanLimit). A page reads its
// ids first and then only its own rows (a deferred join); paging by
// BeforeID/AfterID makes a deep page cost what the first one costs. A time
// range becomes an id range first (timeSpan). GroupIDs non-nil but empty
// matches nothing.
func (s *LogStore) FindLogs(ctx context.Context, f ports.LogFilter) (ports.LogPage, error) {
	if f.GroupIDs != nil && len(f.GroupIDs) == 0 {
		return ports.LogPage{}, nil
	}
	all, err := s.timeSpan(ctx, f.From, f.To)
	if err != nil || all.empty() {
		return ports.LogPage{}, err
	}
	if f.Status == domain.LogStatusRunning {
		// No log below the lost-run scan's floor is running (see idFloor).
		all.lo = max(all.lo, s.runFloor.get())
	}
	q := &logQuery{s: s, f: f, all: all}
	var p ports.LogPage
	if f.AfterID > 0 && f.Offset == 0 {
		p, err = q.pageAbove(ctx)
	} else {
		p, err = q.pageBelow(ctx)
	}
	if err != nil {
		return ports.LogPage{}, err
	}
	if p.Total, p.TotalCapped, err = q.count(ctx); err != nil {
		return ports.LogPage{}, err
	}
	return p, nil
}

// pageBelow reads the newest Limit logs (below BeforeID, after Offset).
func (q *logQuery) pageBelow(ctx context.Context) (ports.LogPage, error) {
	var p ports.LogPage
	sp := q.all
	if q.f.BeforeID > 0 {
		sp.hi = min(sp.hi, q.f.BeforeID-1)
		p.Newer = q.f.BeforeID - 1
	}
	if sp.empty() {
		return p, nil
	}
	e := edge{id: sp.lo}
	var err error
	if q.f.BeforeID == 0 && q.windowed() {
		e, err = q.topEdge(ctx)
	} else if q.windowed() {
		e, err = q.edgeBelow(ctx, sp)
	}
	if err != nil {
		return p, err
	}
	rows, err := q.rows(ctx, idSpan{e.id, sp.hi}, "DESC")
	if err != nil {
		return p, err
	}
	p.Logs = rows
	if lim := q.f.Limit; lim > 0 && len(rows) > lim {
		p.Logs, p.Older = rows[:lim], rows[lim-1].ID
	} else if e.cut {
		p.Older = e.id
	}
	if len(p.Logs) > 0 && (q.f.BeforeID > 0 || q.f.Offset > 0) {
		p.Newer = p.Logs[0].ID
	}
	return p, nil
}

// pageAbove reads the Limit logs just above AfterID, returned newest first.
func (q *logQuery) pageAbove(ctx context.Context) (ports.LogPage, error) {
	p := ports.LogPage{Older: q.f.AfterID + 1}
	sp := q.all
	sp.lo = max(sp.lo, q.f.AfterID+1)
	if sp.empty() {
		return p, nil
	}
	e := edge{id: sp.hi}
	if q.windowed() {
		var err error
		if e, err = q.edgeAbove(ctx, sp); err != nil {
			return p, err
		}
	}
	rows, err := q.rows(ctx, idSpan{sp.lo, e.id}, "ASC")
	if err != nil {
		return p, err
	}
	if lim := q.f.Limit; lim > 0 && len(rows) > lim {
		rows, p.Newer = rows[:lim], rows[lim-1].ID
	} else if e.cut {
		p.Newer = e.id
	}
	slices.Reverse(rows)
	p.Logs = rows
	if len(rows) > 0 {
		p.Older = rows[len(rows)-1].ID
	}
	return p, nil
}

// windowed reports whether a page walk is bounded by the scan limit: not
// for Offset (whose meaning needs every skipped log) nor for "all logs".
func (q *logQuery) windowed() bool {
	return q.s.db.logScanLimit > 0 && q.f.Limit > 0 && q.f.Offset == 0
}

// rows reads the page's logs in sp, walking in id order dir ("DESC" or
// "ASC"): the ids first, then the rows by id, one more than Limit to tell
// whether the walk goes on.
func (q *logQuery) rows(ctx context.Context, sp idSpan, dir string) ([]*domain.JobLog, error) {
	limit := 0
	if q.f.Limit > 0 {
		limit = q.f.Limit + 1
	}
	ids := page(q.s.rd.NewSelect().TableExpr("xxl_job_log").Column("id").
		Apply(q.where(sp, true)).OrderExpr("id "+dir), q.f.Offset, limit)
	var rows []logRow
	err := q.s.rd.NewSelect().Model(&rows).
		Join("JOIN (?) AS p ON p.id = l.id", ids).
		OrderExpr("l.id " + dir).
		Scan(ctx)
	if err != nil {
		return nil, dbErr(err, "select logs")
	}
	return q.s.fromRows(rows), nil
}

// count counts the matching logs, newest first, up to the count limit and
// within the window of the newest candidates; it reports whether it
// stopped early (the total is then a lower bound).
func (q *logQuery) count(ctx context.Context) (int, bool, error) {
	limit := q.s.db.logCountLimit
	if limit <= 0 {
		n, err := q.s.rd.NewSelect().TableExpr("xxl_job_log").Apply(q.where(q.all, false)).Count(ctx)
		return int(n), false, dbErr(err, "count logs")
	}
	e, err := q.topEdge(ctx)
	if err != nil {
		return 0, false, err
	}
	inner := q.s.rd.NewSelect().TableExpr("xxl_job_log").Column("id").
		Apply(q.where(idSpan{e.id, q.all.hi}, true)).
		OrderExpr("id DESC").Limit(int64(limit) + 1)
	n, err := q.s.rd.NewSelect().TableExpr("(?) AS c", inner).Count(ctx)
	if err != nil {
		return 0, false, dbErr(err, "count logs")
	}
	if int(n) > limit {
		return limit, true, nil
	}
	return int(n), e.cut, nil
}

// topEdge is edgeBelow of the whole span (the count's window and the first
// page's), computed once.
func (q *logQuery) topEdge(ctx context.Context) (edge, error) {
	if q.top != nil {
		return *q.top, nil
	}
	e := edge{id: q.all.lo}
	if q.s.db.logScanLimit > 0 {
		var err error
		if e, err = q.edgeBelow(ctx, q.all); err != nil {
			return e, err
		}
	}
	q.top = &e
	return e, nil
}

// where adds the filter's conditions and sp to a query on xxl_job_log.
// ordered marks a query that walks an index in id order and stops early.
func (q *logQuery) where(sp idSpan, ordered bool) func(*bun.SelectQuery) *bun.SelectQuery {
	f, db := q.f, q.s.db
	narrowed := f.GroupID > 0 || f.GroupIDs != nil || f.JobID > 0
	// Walking the job's index, the group is checked on the rows: MySQL
	// would otherwise intersect I_jobid with I_jobgroup, reading every
	// log of the group, and sort.
	group := "job_group"
	if ordered && f.JobID > 0 {
		group = "job_group + 0"
	}
	return func(sq *bun.SelectQuery) *bun.SelectQuery {
		if f.GroupID > 0 {
			sq = sq.Where(group+" = ?", f.GroupID)
		}
		if f.GroupIDs != nil {
			sq = sq.Where(group+" IN (?)", bun.List(f.GroupIDs))
		}
		if f.JobID > 0 {
			sq = sq.Where("job_id = ?", f.JobID)
		}
		sq = spanWhere(sp)(sq)
		if !f.From.IsZero() {
			sq = sq.Where("trigger_time >= ?", db.toDB(f.From))
		}
		if !f.To.IsZero() {
			sq = sq.Where("trigger_time <= ?", db.toDB(f.To))
		}
		switch f.Status {
		case domain.LogStatusSuccess:
			if ordered && narrowed {
				// Most logs succeed: reading the job/group index newest
				// first beats MySQL's choice of intersecting it with
				// I_handle_code and sorting the result.
				sq = sq.Where("handle_code + 0 = ?", domain.CodeSuccess)
			} else {
				sq = sq.Where("handle_code = ?", domain.CodeSuccess)
			}
		case domain.LogStatusFail:
			sq = sq.Where("(trigger_code NOT IN (0, 200) OR handle_code NOT IN (0, 200))")
		case domain.LogStatusRunning:
			sq = sq.Where("trigger_code = ? AND handle_code = ?", domain.CodeSuccess, domain.CodeNone)
		}
		return sq
	}
}

// spanWhere restricts a query on xxl_job_log to sp.
func spanWhere(sp idSpan) func(*bun.SelectQuery) *bun.SelectQuery {
	return func(sq *bun.SelectQuery) *bun.SelectQuery {
		if sp.lo > 0 {
			sq = sq.Where("id >= ?", sp.lo)
		}
		if sp.hi < noID {
			sq = sq.Where("id <= ?", sp.hi)
		}
		return sq
	}
}

// timeRange restricts a query on xxl_job_log to a trigger_time range.
func (s *LogStore) timeRange(from, to time.Time) func(*bun.SelectQuery) *bun.SelectQuery {
	return func(sq *bun.SelectQuery) *bun.SelectQuery {
		if !from.IsZero() {
			sq = sq.Where("trigger_time >= ?", s.db.toDB(from))
		}
		if !to.IsZero() {
			sq = sq.Where("trigger_time <= ?", s.db.toDB(to))
		}
		return sq
	}
}
