package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"time"

	"github.com/uptrace/bun"

	"github.com/xjob-dev/xjob/domain"
	"github.com/xjob-dev/xjob/ports"
)

// FailedLogIDs returns ids of failed logs not yet alarmed (alarm_status 0),
// oldest first.
//
// Upstream asks for NOT((trigger_code IN (0,200) AND handle_code = 0) OR
// handle_code = 200) AND alarm_status = 0, which no index can serve: a full
// scan of the log table every few seconds (54 s on 4.5M rows). The same set
// is the union of
//
//   - trigger failures: handle_code = 0 AND trigger_code NOT IN (0,200), and
//   - run failures: handle_code = c for each code c other than 0 and 200,
//
// each of which is a range on I_handle_code, (c, id >= floor) .. (c, max),
// read in id order, so every branch stops after `limit` matches. The
// distinct codes are found by hopping through I_handle_code (one index seek
// each, see handleCodes); the branches are merged in Go. floor (see idFloor)
// skips the settled history, so a pass reads only recent index entries.
func (s *LogStore) FailedLogIDs(ctx context.Context, limit int) ([]int64, error) {
	if limit <= 0 {
		limit = defaultFailPage
	}
	start := time.Now()
	from := s.failFloor.get()
	maxID, err := s.maxLogID(ctx)
	if err != nil {
		return nil, err
	}
	// low tracks the lowest id a later pass must still see: returned
	// candidates, and logs claimed by a monitor (alarm_status -1), which
	// MonitorFailures hands back (to 0) when a pass fails.
	low := int64(0)
	lower := func(id int64) {
		if id > 0 && (low == 0 || id < low) {
			low = id
		}
	}
	var ids []int64
	branch := func(where string, args ...any) error {
		for _, st := range []domain.AlarmStatus{domain.AlarmDefault, domain.AlarmLocked} {
			n := limit
			if st == domain.AlarmLocked {
				n = 1
			}
			var got []int64
			err := s.rd.NewSelect().TableExpr("xxl_job_log").Column("id").
				Where(where, args...).
				Where("id >= ?", from).
				Where("alarm_status = ?", int(st)).
				OrderExpr("id ASC").Limit(int64(n)).
				Scan(ctx, &got)
			if err != nil {
				return dbErr(err, "select failed logs")
			}
			if len(got) > 0 {
				lower(got[0])
			}
			if st == domain.AlarmDefault {
				ids = append(ids, got...)
			}
		}
		return nil
	}
	if err := branch("handle_code = 0 AND trigger_code NOT IN (0, 200)"); err != nil {
		return nil, err
	}
	codes, complete, err := s.handleCodes(ctx)
	if err != nil {
		return nil, err
	}
	if !complete {
		// Too many distinct codes to walk: one range query instead.
		if err := branch("handle_code NOT IN (0, 200)"); err != nil {
			return nil, err
		}
	}
	for _, c := range codes {
		if !complete || c == domain.CodeNone || c == domain.CodeSuccess {
			continue
		}
		if err := branch("handle_code = ?", c); err != nil {
			return nil, err
		}
	}
	open, err := s.firstOpenLog(ctx, from)
	if err != nil {
		return nil, err
	}
	lower(open)
	s.failFloor.advance(from, low, maxID, start)

	slices.Sort(ids)
	ids = slices.Compact(ids)
	if len(ids) > limit {
		ids = ids[:limit]
	}
	return ids, nil
}

// handleCodes lists the distinct handle_code values present, each found
// with one seek on I_handle_code ("the next code above c"). complete is false
// when there are more than maxHandleCodes of them.
func (s *LogStore) handleCodes(ctx context.Context) (codes []int, complete bool, err error) {
	next := func(q *bun.SelectQuery) (int, bool, error) {
		var c int
		err := q.Scan(ctx, &c)
		if errors.Is(err, sql.ErrNoRows) {
			return 0, false, nil
		}
		return c, err == nil, dbErr(err, "list handle codes")
	}
	base := func() *bun.SelectQuery {
		return s.rd.NewSelect().TableExpr("xxl_job_log").Column("handle_code").OrderExpr("handle_code ASC").Limit(1)
	}
	c, ok, err := next(base())
	for ok && err == nil {
		codes = append(codes, c)
		if len(codes) > maxHandleCodes {
			return nil, false, nil
		}
		c, ok, err = next(base().Where("handle_code > ?", c))
	}
	return codes, err == nil, err
}

// DeleteLogs deletes the selected logs and returns how many: it selects up
// to 1000 ids in id order, deletes them by id, and repeats from the last id,
// so no statement holds many row locks or runs long; ctx is checked between
// rounds. Rows inserted after the call began are never deleted.
//
// KeepNewest keeps the newest N rows of the group/job selection, as upstream
// does (Before does not narrow what is kept); "newest" is by id, which
// follows trigger order and makes the bound one index lookup, where
// upstream sorts by trigger_time.
func (s *LogStore) DeleteLogs(ctx context.Context, f ports.ClearFilter) (int, error) {
	scope := func(q *bun.SelectQuery) *bun.SelectQuery {
		if f.GroupID > 0 {
			q = q.Where("job_group = ?", f.GroupID)
		}
		if f.JobID > 0 {
			q = q.Where("job_id = ?", f.JobID)
		}
		return q
	}
	// upper: delete only ids below it.
	var upper int64
	if f.KeepNewest > 0 {
		var ids []int64
		err := s.rd.NewSelect().TableExpr("xxl_job_log").Column("id").Apply(scope).
			OrderExpr("id DESC").Limit(1).Offset(int64(f.KeepNewest-1)).Scan(ctx, &ids)
		if err != nil {
			return 0, dbErr(err, "find logs to keep")
		}
		if len(ids) == 0 {
			return 0, nil // no more than KeepNewest rows
		}
		upper = ids[0]
	} else {
		var maxID sql.NullInt64
		if err := s.rd.NewSelect().TableExpr("xxl_job_log").ColumnExpr("MAX(id)").Scan(ctx, &maxID); err != nil {
			return 0, dbErr(err, "find newest log")
		}
		if !maxID.Valid {
			return 0, nil
		}
		upper = maxID.Int64 + 1
	}
	var deleted int
	var after int64
	for {
		if err := ctx.Err(); err != nil {
			return deleted, err
		}
		var ids []int64
		q := s.rd.NewSelect().TableExpr("xxl_job_log").Column("id").Apply(scope).
			Where("id > ?", after).Where("id < ?", upper)
		if !f.Before.IsZero() {
			q = q.Where("trigger_time <= ?", s.db.toDB(f.Before))
		}
		if err := q.OrderExpr("id ASC").Limit(deleteLogChunk).Scan(ctx, &ids); err != nil {
			return deleted, dbErr(err, "select logs to delete")
		}
		if len(ids) == 0 {
			return deleted, nil
		}
		res, err := s.wr.NewDelete().TableExpr("xxl_job_log").Where("id IN (?)", bun.List(ids)).Exec(ctx)
		if err != nil {
			return deleted, dbErr(err, "delete %d logs", len(ids))
		}
		n, err := affected(res)
		if err != nil {
			return deleted, err
		}
		deleted += int(n)
		if len(ids) < deleteLogChunk {
			return deleted, nil
		}
		after = ids[len(ids)-1]
	}
}
