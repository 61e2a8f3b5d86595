package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/uptrace/bun"
)

// timeSpan returns an id range holding every log of a trigger_time range
// (empty when the range holds none; everything when there is no range).
// Added to a query as "id BETWEEN", it lets the job, group or primary key
// index do the range, where "trigger_time BETWEEN" alone would make it read
// every newer or older log to test its time.
//
// A range of at most exactRangeRows logs gets its exact bounds: MIN(id)
// and MAX(id) over I_trigger_time. A wider one would cost a read of all its
// index entries (300 ms for a week of 10M logs), so its bounds come from
// the logs just beyond it instead, relying on ids growing with insert
// order and on every log being inserted within rangeSlack of its
// trigger_time:
//
//   - lo: the lowest id among the rangeBand logs with the latest
//     trigger_time before From − rangeSlack. Every log of the range was
//     inserted after one of them, unless all of them were inserted more
//     than rangeSlack late.
//   - hi: below the lowest id among the rangeBand logs with the earliest
//     trigger_time after To + rangeSlack: those were inserted after every
//     log of the range that was inserted less than rangeSlack late.
//
// Each is one short I_trigger_time range (index only). The queries still
// test trigger_time, so a bound too wide costs a little reading, never a
// wrong row; a log inserted more than rangeSlack after its trigger_time
// (a fire recovered after an outage) can be missed by a range that ended
// before it was written.
func (s *LogStore) timeSpan(ctx context.Context, from, to time.Time) (idSpan, error) {
	sp := idSpan{0, noID}
	if from.IsZero() && to.IsZero() {
		return sp, nil
	}
	if exact, ok, err := s.exactTimeSpan(ctx, from, to); err != nil || ok {
		return exact, err
	}
	if !from.IsZero() {
		lo, ok, err := s.bandMinID(ctx, "trigger_time < ?", from.Add(-rangeSlack), "trigger_time DESC")
		if err != nil {
			return sp, err
		} else if ok {
			sp.lo = lo
		}
	}
	if !to.IsZero() {
		hi, ok, err := s.bandMinID(ctx, "trigger_time > ?", to.Add(rangeSlack), "trigger_time ASC")
		if err != nil {
			return sp, err
		} else if ok {
			sp.hi = hi - 1
		}
	}
	return sp, nil
}

// exactTimeSpan returns the lowest and highest id of the logs in a time
// range, if it holds at most s.exactRows logs (ok false otherwise).
func (s *LogStore) exactTimeSpan(ctx context.Context, from, to time.Time) (sp idSpan, ok bool, err error) {
	var r struct {
		N  int           `bun:"n"`
		Lo sql.NullInt64 `bun:"lo"`
		Hi sql.NullInt64 `bun:"hi"`
	}
	inner := s.rd.NewSelect().TableExpr("xxl_job_log").Column("id").
		Apply(s.timeRange(from, to)).Limit(int64(s.exactRows) + 1)
	err = s.rd.NewSelect().TableExpr("(?) AS r", inner).
		ColumnExpr("COUNT(*) AS n, MIN(id) AS lo, MAX(id) AS hi").Scan(ctx, &r)
	switch {
	case err != nil:
		return sp, false, dbErr(err, "find log ids of a time range")
	case r.N > s.exactRows:
		return sp, false, nil
	case r.N == 0:
		return idSpan{1, 0}, true, nil
	}
	return idSpan{r.Lo.Int64, r.Hi.Int64}, true, nil
}

// bandMinID returns the lowest id among the first rangeBand logs matching
// cond (one trigger_time bound) in the given trigger_time order.
func (s *LogStore) bandMinID(ctx context.Context, cond string, t time.Time, order string) (int64, bool, error) {
	var m sql.NullInt64
	inner := s.rd.NewSelect().TableExpr("xxl_job_log").Column("id").
		Where(cond, s.db.toDB(t)).OrderExpr(order).Limit(rangeBand)
	err := s.rd.NewSelect().TableExpr("(?) AS b", inner).ColumnExpr("MIN(id)").Scan(ctx, &m)
	if err != nil {
		return 0, false, dbErr(err, "find log ids next to a time range")
	}
	return m.Int64, m.Valid, nil
}

// driver is the index a query of the filter walks: the job's (I_jobid) or
// the group's (I_jobgroup), both (key, id); "" is the primary key.
func (q *logQuery) driver() (col string, val int64) {
	switch {
	case q.f.JobID > 0:
		return "job_id", q.f.JobID
	case q.f.GroupID > 0:
		return "job_group", q.f.GroupID
	case len(q.f.GroupIDs) == 1:
		return "job_group", q.f.GroupIDs[0]
	}
	return "", 0
}

// edgeBelow returns where a walk down from sp.hi stops: at the scan
// limit's candidate of the driving index (an index-only read), cut when
// more lie below it; at sp.lo, not cut, when there are fewer.
func (q *logQuery) edgeBelow(ctx context.Context, sp idSpan) (edge, error) {
	return q.edge(ctx, sp, true)
}

// edgeAbove is edgeBelow for a walk up from sp.lo.
func (q *logQuery) edgeAbove(ctx context.Context, sp idSpan) (edge, error) {
	return q.edge(ctx, sp, false)
}

func (q *logQuery) edge(ctx context.Context, sp idSpan, down bool) (edge, error) {
	end, dir := sp.hi, "ASC"
	if down {
		end, dir = sp.lo, "DESC"
	}
	n := q.s.db.logScanLimit
	col, val := q.driver()
	if col == "" {
		return q.pkEdge(ctx, sp, int64(n)*pkScanFactor, down)
	}
	var ids []int64
	err := q.s.rd.NewSelect().TableExpr("xxl_job_log").Column("id").
		Where("? = ?", bun.Ident(col), val).Apply(spanWhere(sp)).
		OrderExpr("id "+dir).Limit(2).Offset(int64(n)-1).Scan(ctx, &ids)
	if err != nil {
		return edge{}, dbErr(err, "find the end of a log walk")
	}
	if len(ids) < 2 {
		return edge{id: end}, nil
	}
	return edge{id: ids[0], cut: true}, nil
}

// pkEdge is edge for a walk of the primary key: n ids from the start (the
// newest or the oldest id in sp), cut when a log lies beyond.
func (q *logQuery) pkEdge(ctx context.Context, sp idSpan, n int64, down bool) (edge, error) {
	start, end := sp.hi, sp.lo
	if !down {
		start, end = sp.lo, sp.hi
	}
	if (down && start == noID) || (!down && start <= 0) {
		var err error
		if start, err = q.s.endLogID(ctx, down); err != nil {
			return edge{}, err
		}
	}
	e, beyond := start-n+1, idSpan{sp.lo, start - n}
	if !down {
		e, beyond = start+n-1, idSpan{start + n, sp.hi}
	}
	if beyond.empty() {
		return edge{id: end}, nil
	}
	var ids []int64
	err := q.s.rd.NewSelect().TableExpr("xxl_job_log").Column("id").
		Apply(spanWhere(beyond)).Limit(1).Scan(ctx, &ids)
	if err != nil {
		return edge{}, dbErr(err, "find the end of a log walk")
	}
	if len(ids) == 0 {
		return edge{id: end}, nil
	}
	return edge{id: e, cut: true}, nil
}

// endLogID returns MAX(id) (newest) or MIN(id) of xxl_job_log, 0 when empty
// (one index lookup).
func (s *LogStore) endLogID(ctx context.Context, newest bool) (int64, error) {
	if newest {
		return s.maxLogID(ctx)
	}
	var m sql.NullInt64
	if err := s.rd.NewSelect().TableExpr("xxl_job_log").ColumnExpr("MIN(id)").Scan(ctx, &m); err != nil {
		return 0, dbErr(err, "find oldest log")
	}
	return m.Int64, nil
}
