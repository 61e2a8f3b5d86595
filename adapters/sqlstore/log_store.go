package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"github.com/uptrace/bun"

	"github.com/xjob-dev/xjob/domain"
	"github.com/xjob-dev/xjob/ports"
)

// Batch sizes of the log store.
const (
	insertLogChunk  = 500  // rows per CreateLogs INSERT
	triggerChunk    = 50   // logs per UpdateTriggerInfos statement
	deleteLogChunk  = 1000 // ids per DeleteLogs round
	maxHandleCodes  = 64   // distinct handle codes FailedLogIDs walks before falling back
	defaultFailPage = 1000
)

// LogStore implements ports.LogStore on xxl_job_log. docs/storage.md shows
// the plans of its queries on a large table.
type LogStore struct {
	db     *DB
	rd, wr bun.IDB
	// Lower id bounds of the periodic scans; see idFloor.
	failFloor, runFloor *idFloor
	// exactRows: a time range of at most this many logs gets exact id
	// bounds (exactRangeRows; tests lower it).
	exactRows int
}

var _ ports.LogStore = (*LogStore)(nil)

// NewLogStore returns a LogStore on db.
func NewLogStore(db *DB) *LogStore {
	return &LogStore{db: db, rd: db.rd, wr: db.wr, failFloor: &idFloor{}, runFloor: &idFloor{}, exactRows: exactRangeRows}
}

// CreateLogs inserts the logs with one multi-row INSERT (per 500 logs) and
// sets their IDs. On SQLite the ids come from RETURNING id. MySQL has no
// RETURNING: LAST_INSERT_ID() is the first row's id and InnoDB gives the
// rows of one simple multi-row INSERT consecutive ids (every
// innodb_autoinc_lock_mode reserves them in one step), spaced by
// @@auto_increment_increment (1, or the node count on Galera), read at Open.
func (s *LogStore) CreateLogs(ctx context.Context, logs []*domain.JobLog) error {
	for _, part := range chunks(logs, insertLogChunk) {
		rows := make([]logRow, len(part))
		for i, l := range part {
			rows[i] = s.db.logToRow(l)
			rows[i].ID = 0
		}
		ids, err := s.insertLogs(ctx, rows)
		if err != nil {
			return err
		}
		for i, l := range part {
			l.ID = ids[i]
		}
	}
	return nil
}

// insertAttempts bounds the tries of a log insert chosen as deadlock victim.
const insertAttempts = 3

func (s *LogStore) insertLogs(ctx context.Context, rows []logRow) ([]int64, error) {
	ids := make([]int64, 0, len(rows))
	if s.db.engine == SQLite {
		if err := s.wr.NewInsert().Model(&rows).Returning("id").Scan(ctx, &ids); err != nil {
			return nil, dbErr(err, "insert %d logs", len(rows))
		}
		if len(ids) != len(rows) {
			return nil, fmt.Errorf("insert %d logs: RETURNING gave %d ids", len(rows), len(ids))
		}
		// SQLite does not promise RETURNING's order; ids grow in insert order.
		slices.Sort(ids)
		return ids, nil
	}
	// InnoDB may pick the insert as a deadlock victim (a concurrent
	// callback batch holding row locks); the statement was rolled back and
	// is safe to run again.
	var res sql.Result
	var err error
	for attempt := 1; ; attempt++ {
		res, err = s.wr.NewInsert().Model(&rows).Returning("").Exec(ctx)
		if err == nil || !isDeadlock(err) || attempt == insertAttempts {
			break
		}
	}
	if err != nil {
		return nil, dbErr(err, "insert %d logs", len(rows))
	}
	first, err := res.LastInsertId()
	if err != nil {
		return nil, fmt.Errorf("insert %d logs: %w", len(rows), err)
	}
	for i := range rows {
		ids = append(ids, first+int64(i)*s.db.autoincStep)
	}
	return ids, nil
}

// FindLogByID returns ENOTFOUND if the log does not exist.
func (s *LogStore) FindLogByID(ctx context.Context, id int64) (*domain.JobLog, error) {
	var row logRow
	err := s.rd.NewSelect().Model(&row).Where("l.id = ?", id).Scan(ctx)
	if err != nil {
		return nil, notFound(err, fmt.Sprintf("Log %d not found.", id), "select log %d", id)
	}
	return s.db.logFromRow(&row), nil
}

// FindLogsByIDs implements ports.LogStore, in chunks of 1000 ids.
func (s *LogStore) FindLogsByIDs(ctx context.Context, ids []int64) ([]*domain.JobLog, error) {
	out := make([]*domain.JobLog, 0, len(ids))
	for _, part := range chunks(ids, 1000) {
		var rows []logRow
		if err := s.rd.NewSelect().Model(&rows).Where("l.id IN (?)", bun.List(part)).Scan(ctx); err != nil {
			return nil, dbErr(err, "select %d logs by id", len(part))
		}
		for i := range rows {
			out = append(out, s.db.logFromRow(&rows[i]))
		}
	}
	return out, nil
}

func (s *LogStore) fromRows(rows []logRow) []*domain.JobLog {
	out := make([]*domain.JobLog, len(rows))
	for i := range rows {
		out[i] = s.db.logFromRow(&rows[i])
	}
	return out
}

// UpdateTriggerInfos writes the trigger columns of each log. One log is one
// UPDATE; more are written triggerChunk per statement with CASE id WHEN …
// (one round trip instead of one per log; see BenchmarkUpdateTriggerInfos).
func (s *LogStore) UpdateTriggerInfos(ctx context.Context, logs []*domain.JobLog) error {
	if len(logs) == 1 {
		l := logs[0]
		_, err := s.wr.NewUpdate().TableExpr("xxl_job_log").
			Set("trigger_time = ?", s.db.toDB(l.TriggerTime)).
			Set("trigger_code = ?", l.TriggerCode).
			Set("trigger_msg = ?", l.TriggerMsg).
			Set("executor_address = ?", l.ExecutorAddress).
			Set("executor_handler = ?", l.ExecutorHandler).
			Set("executor_param = ?", l.ExecutorParam).
			Set("executor_sharding_param = ?", l.ExecutorShardingParam).
			Set("executor_fail_retry_count = ?", l.ExecutorFailRetryCount).
			Where("id = ?", l.ID).Exec(ctx)
		return dbErr(err, "update trigger info of log %d", l.ID)
	}
	for _, part := range chunks(logs, triggerChunk) {
		cols := []struct {
			name string
			val  func(*domain.JobLog) any
		}{
			{"trigger_time", func(l *domain.JobLog) any { return bun.NullZero(s.db.toDB(l.TriggerTime)) }},
			{"trigger_code", func(l *domain.JobLog) any { return l.TriggerCode }},
			{"trigger_msg", func(l *domain.JobLog) any { return l.TriggerMsg }},
			{"executor_address", func(l *domain.JobLog) any { return l.ExecutorAddress }},
			{"executor_handler", func(l *domain.JobLog) any { return l.ExecutorHandler }},
			{"executor_param", func(l *domain.JobLog) any { return l.ExecutorParam }},
			{"executor_sharding_param", func(l *domain.JobLog) any { return l.ExecutorShardingParam }},
			{"executor_fail_retry_count", func(l *domain.JobLog) any { return l.ExecutorFailRetryCount }},
		}
		q := s.wr.NewUpdate().TableExpr("xxl_job_log")
		ids := make([]int64, len(part))
		for i, l := range part {
			ids[i] = l.ID
		}
		for _, c := range cols {
			expr := "CASE id"
			args := make([]any, 0, 2*len(part))
			for _, l := range part {
				expr += " WHEN ? THEN ?"
				args = append(args, l.ID, c.val(l))
			}
			q = q.Set(c.name+" = "+expr+" END", args...)
		}
		if _, err := q.Where("id IN (?)", bun.List(ids)).Exec(ctx); err != nil {
			return dbErr(err, "update trigger info of %d logs", len(part))
		}
	}
	return nil
}

// UpdateHandleInfo writes the result only if none was recorded yet
// (handle_code = 0), so of two admins receiving the same callback one wins;
// it reports whether this call did.
func (s *LogStore) UpdateHandleInfo(ctx context.Context, l *domain.JobLog) (bool, error) {
	res, err := s.wr.NewUpdate().TableExpr("xxl_job_log").
		Set("handle_time = ?", bun.NullZero(s.db.toDB(l.HandleTime))).
		Set("handle_code = ?", l.HandleCode).
		Set("handle_msg = ?", l.HandleMsg).
		Where("id = ?", l.ID).
		Where("handle_code = ?", domain.CodeNone).
		Exec(ctx)
	if err != nil {
		return false, dbErr(err, "update handle info of log %d", l.ID)
	}
	n, err := affected(res)
	return n > 0, err
}

// UpdateAlarmStatus sets alarm_status from old to new (compare-and-set)
// and reports whether it won.
func (s *LogStore) UpdateAlarmStatus(ctx context.Context, id int64, old, new domain.AlarmStatus) (bool, error) {
	res, err := s.wr.NewUpdate().TableExpr("xxl_job_log").
		Set("alarm_status = ?", int(new)).
		Where("id = ?", id).
		Where("alarm_status = ?", int(old)).
		Exec(ctx)
	if err != nil {
		return false, dbErr(err, "update alarm status of log %d", id)
	}
	n, err := affected(res)
	return n > 0, err
}

// RunningLogs returns logs triggered successfully at or before `before`
// that have no result yet, oldest first. The plan is a range on
// I_handle_code, (0, id >= floor) .., read in id order: handle_code = 0 also
// holds every trigger failure ever, which the floor (see idFloor) skips.
func (s *LogStore) RunningLogs(ctx context.Context, before time.Time, limit int) ([]*domain.JobLog, error) {
	start := time.Now()
	from := s.runFloor.get()
	maxID, err := s.maxLogID(ctx)
	if err != nil {
		return nil, err
	}
	var rows []logRow
	q := s.rd.NewSelect().Model(&rows).
		Where("l.handle_code = ?", domain.CodeNone).
		Where("l.id >= ?", from).
		Where("l.trigger_code = ?", domain.CodeSuccess).
		Where("l.trigger_time <= ?", s.db.toDB(before)).
		OrderExpr("l.id ASC")
	if err := page(q, 0, limit).Scan(ctx); err != nil {
		return nil, dbErr(err, "select running logs")
	}
	open, err := s.firstOpenLog(ctx, from)
	if err != nil {
		return nil, err
	}
	s.runFloor.advance(from, open, maxID, start)
	return s.fromRows(rows), nil
}

// CountLogs counts logs by status over a trigger_time range (I_trigger_time).
func (s *LogStore) CountLogs(ctx context.Context, from, to time.Time) (ports.LogCounts, error) {
	var r struct {
		Total   int `bun:"total"`
		Running int `bun:"running"`
		Success int `bun:"success"`
	}
	err := s.rd.NewRaw(`SELECT COUNT(*) AS total,
		COALESCE(SUM(CASE WHEN trigger_code IN (0, 200) AND handle_code = 0 THEN 1 ELSE 0 END), 0) AS running,
		COALESCE(SUM(CASE WHEN handle_code = 200 THEN 1 ELSE 0 END), 0) AS success
		FROM xxl_job_log WHERE trigger_time BETWEEN ? AND ?`, s.db.toDB(from), s.db.toDB(to)).Scan(ctx, &r)
	if err != nil {
		return ports.LogCounts{}, dbErr(err, "count logs")
	}
	return ports.LogCounts{Running: r.Running, Success: r.Success, Fail: r.Total - r.Running - r.Success}, nil
}
