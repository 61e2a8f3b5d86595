package sqlstore

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/xjob-dev/xjob/domain"
	"github.com/xjob-dev/xjob/ports"
)

// ReportStore implements ports.ReportStore on xxl_job_log_report.
type ReportStore struct {
	db     *DB
	rd, wr bun.IDB
}

var _ ports.ReportStore = (*ReportStore)(nil)

// NewReportStore returns a ReportStore on db.
func NewReportStore(db *DB) *ReportStore { return &ReportStore{db: db, rd: db.rd, wr: db.wr} }

// SaveLogReport inserts or updates the row of r.TriggerDay in one statement
// (ON DUPLICATE KEY UPDATE on MySQL, ON CONFLICT on SQLite; i_trigger_day is
// unique on every schema). A zero UpdateTime means now. r.ID is not set.
func (s *ReportStore) SaveLogReport(ctx context.Context, r *domain.LogReport) error {
	row := &reportRow{TriggerDay: s.db.toDB(r.TriggerDay), RunningCount: r.RunningCount,
		SucCount: r.SucCount, FailCount: r.FailCount, UpdateTime: s.db.toDB(r.UpdateTime)}
	if row.UpdateTime.IsZero() {
		row.UpdateTime = s.db.now()
	}
	q := s.wr.NewInsert().Model(row).ExcludeColumn("id").Returning("")
	if s.db.engine == MySQL {
		q = q.On("DUPLICATE KEY UPDATE").
			Set("running_count = VALUES(running_count)").
			Set("suc_count = VALUES(suc_count)").
			Set("fail_count = VALUES(fail_count)").
			Set("update_time = VALUES(update_time)")
	} else {
		q = q.On("CONFLICT (trigger_day) DO UPDATE").
			Set("running_count = EXCLUDED.running_count").
			Set("suc_count = EXCLUDED.suc_count").
			Set("fail_count = EXCLUDED.fail_count").
			Set("update_time = EXCLUDED.update_time")
	}
	_, err := q.Exec(ctx)
	return dbErr(err, "save log report of %s", r.TriggerDay.Format(time.DateOnly))
}

// FindLogReports returns the rows whose trigger_day is in [from, to], by day.
func (s *ReportStore) FindLogReports(ctx context.Context, from, to time.Time) ([]*domain.LogReport, error) {
	var rows []reportRow
	err := s.rd.NewSelect().Model(&rows).
		Where("rp.trigger_day BETWEEN ? AND ?", s.db.toDB(from), s.db.toDB(to)).
		OrderExpr("rp.trigger_day ASC").Scan(ctx)
	if err != nil {
		return nil, dbErr(err, "select log reports")
	}
	out := make([]*domain.LogReport, len(rows))
	for i := range rows {
		out[i] = s.db.reportFromRow(&rows[i])
	}
	return out, nil
}

// LogReportTotals sums every row.
func (s *ReportStore) LogReportTotals(ctx context.Context) (ports.LogCounts, error) {
	var c struct {
		Running int `bun:"running"`
		Success int `bun:"success"`
		Fail    int `bun:"fail"`
	}
	err := s.rd.NewRaw(`SELECT COALESCE(SUM(running_count), 0) AS running,
		COALESCE(SUM(suc_count), 0) AS success, COALESCE(SUM(fail_count), 0) AS fail
		FROM xxl_job_log_report`).Scan(ctx, &c)
	if err != nil {
		return ports.LogCounts{}, dbErr(err, "sum log reports")
	}
	return ports.LogCounts{Running: c.Running, Success: c.Success, Fail: c.Fail}, nil
}
