package sqlstore

import (
	"context"
	"database/sql"
	"sync"
	"time"

	"github.com/xjob-dev/xjob/domain"
)

// idFloor is a lower bound on xxl_job_log ids for the periodic scans
// (FailedLogIDs, RunningLogs): no row below it is, or can later become, a
// row the scan looks for. The scans add "id >= floor" to their index range
// (I_handle_code holds (handle_code, id), so the bound narrows the range
// itself), and so read only the recent part of the table instead of every
// historical failure on each pass. Without it the index lookups touch rows
// spread over the whole table, no cheaper than upstream's full scan once the
// table outgrows the buffer pool (see docs/storage.md).
//
// A row can only become running or an unalarmed failure while it is "open"
// (handle_code = 0 and trigger_code 0 or 200: not triggered yet, or running)
// or is itself such a failure; everything else is final (alarm_status never
// returns to 0). So after a pass the floor may rise to the lowest id among
// the open rows and the rows the pass returned. Rows being inserted while a
// pass runs may commit with lower ids than rows it saw, so the floor never
// passes the highest id a pass saw at least floorSettle earlier: an INSERT
// commits within milliseconds, those rows are visible by now.
//
// The floor lives in the LogStore value; a new store starts from 0 with one
// full pass.
type idFloor struct {
	mu     sync.Mutex
	floor  int64
	seen   int64     // MAX(id) read at the start of an earlier pass...
	seenAt time.Time // ...at this time
	settle time.Duration
}

// floorSettle is how old a MAX(id) reading must be before the floor may
// pass it.
const floorSettle = 2 * time.Second

// get returns the current floor (0 for a nil floor: a store inside a
// transaction keeps none).
func (f *idFloor) get() int64 {
	if f == nil {
		return 0
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.floor
}

// advance raises the floor after a pass that started at `start` from floor
// `from`: low is the lowest id the next pass must still see (0 = none),
// max is MAX(id) read at the start of the pass.
func (f *idFloor) advance(from, low, max int64, start time.Time) {
	if f == nil {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.floor != from {
		return // another pass moved it meanwhile
	}
	settle := f.settle
	if settle == 0 {
		settle = floorSettle
	}
	if f.seenAt.IsZero() {
		f.seen, f.seenAt = max, start
		return
	}
	if start.Sub(f.seenAt) < settle {
		return
	}
	next := f.seen + 1
	if low > 0 && low < next {
		next = low
	}
	if next > f.floor {
		f.floor = next
	}
	f.seen, f.seenAt = max, start
}

// maxLogID reads MAX(id) (one index lookup).
func (s *LogStore) maxLogID(ctx context.Context) (int64, error) {
	var m sql.NullInt64
	if err := s.rd.NewSelect().TableExpr("xxl_job_log").ColumnExpr("MAX(id)").Scan(ctx, &m); err != nil {
		return 0, dbErr(err, "find newest log")
	}
	return m.Int64, nil
}

// firstOpenLog returns the lowest id >= from of a log that is not triggered
// yet or running (handle_code 0, trigger_code 0 or 200), or 0 if none: an
// I_handle_code range scan from (0, from).
func (s *LogStore) firstOpenLog(ctx context.Context, from int64) (int64, error) {
	var ids []int64
	err := s.rd.NewSelect().TableExpr("xxl_job_log").Column("id").
		Where("handle_code = ?", domain.CodeNone).
		Where("id >= ?", from).
		Where("trigger_code IN (0, 200)").
		OrderExpr("id ASC").Limit(1).Scan(ctx, &ids)
	if err != nil || len(ids) == 0 {
		return 0, dbErr(err, "find oldest open log")
	}
	return ids[0], nil
}
