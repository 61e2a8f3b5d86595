package sqlstore

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/uptrace/bun"

	"github.com/xjob-dev/xjob/domain"
	"github.com/xjob-dev/xjob/ports"
)

// scheduleChunk is how many jobs one UpdateSchedules statement updates.
const scheduleChunk = 200

// JobStore implements ports.JobStore on xxl_job_info and xjob_job_ext.
type JobStore struct {
	db     *DB
	rd, wr bun.IDB // the DB's pools, or one transaction
}

var _ ports.JobStore = (*JobStore)(nil)

// NewJobStore returns a JobStore on db.
func NewJobStore(db *DB) *JobStore { return &JobStore{db: db, rd: db.rd, wr: db.wr} }

// selectJobs selects xxl_job_info rows (alias i) with their extras.
func (s *JobStore) selectJobs(idb bun.IDB, rows *[]jobRow) *bun.SelectQuery {
	return idb.NewSelect().Model(rows).
		ColumnExpr("i.*").
		ColumnExpr("e.time_zone, e.schedule_mode, e.alarm_webhooks").
		Join("LEFT JOIN xjob_job_ext AS e ON e.job_id = i.id")
}

func (s *JobStore) toDomain(rows []jobRow) []*domain.JobInfo {
	out := make([]*domain.JobInfo, len(rows))
	for i := range rows {
		out[i] = s.db.jobFromRow(&rows[i])
	}
	return out
}

// FindJobByID returns ENOTFOUND if the job does not exist.
func (s *JobStore) FindJobByID(ctx context.Context, id int64) (*domain.JobInfo, error) {
	var rows []jobRow
	if err := s.selectJobs(s.rd, &rows).Where("i.id = ?", id).Scan(ctx); err != nil {
		return nil, dbErr(err, "select job %d", id)
	}
	if len(rows) == 0 {
		return nil, domain.Errorf(domain.ENOTFOUND, "Job %d not found.", id)
	}
	return s.db.jobFromRow(&rows[0]), nil
}

// FindJobsByIDs returns the jobs that exist among ids, in id order.
func (s *JobStore) FindJobsByIDs(ctx context.Context, ids []int64) ([]*domain.JobInfo, error) {
	var out []*domain.JobInfo
	for _, part := range chunks(ids, 1000) {
		var rows []jobRow
		if err := s.selectJobs(s.rd, &rows).Where("i.id IN (?)", bun.List(part)).OrderExpr("i.id ASC").Scan(ctx); err != nil {
			return nil, dbErr(err, "select jobs by id")
		}
		out = append(out, s.toDomain(rows)...)
	}
	if len(ids) > 1000 {
		slices.SortFunc(out, func(a, b *domain.JobInfo) int { return cmp.Compare(a.ID, b.ID) })
	}
	return out, nil
}

// FindJobs returns one page of jobs, newest id first, and the total count.
// f.TriggerStatus -1 means any status; GroupIDs non-nil but empty matches
// nothing.
func (s *JobStore) FindJobs(ctx context.Context, f ports.JobFilter) ([]*domain.JobInfo, int, error) {
	if f.GroupIDs != nil && len(f.GroupIDs) == 0 {
		return nil, 0, nil
	}
	filter := func(q *bun.SelectQuery) *bun.SelectQuery {
		if f.GroupID > 0 {
			q = q.Where("i.job_group = ?", f.GroupID)
		}
		if f.GroupIDs != nil {
			q = q.Where("i.job_group IN (?)", bun.List(f.GroupIDs))
		}
		if f.TriggerStatus >= 0 {
			q = q.Where("i.trigger_status = ?", f.TriggerStatus)
		}
		q = whereLike(q, "i.job_desc", f.Desc)
		q = whereLike(q, "i.executor_handler", f.Handler)
		return whereLike(q, "i.author", f.Author)
	}
	total, err := s.rd.NewSelect().TableExpr("xxl_job_info AS i").Apply(filter).Count(ctx)
	if err != nil {
		return nil, 0, dbErr(err, "count jobs")
	}
	var rows []jobRow
	q := s.selectJobs(s.rd, &rows).Apply(filter).OrderExpr("i.id DESC")
	if err := page(q, f.Offset, f.Limit).Scan(ctx); err != nil {
		return nil, 0, dbErr(err, "select jobs")
	}
	return s.toDomain(rows), int(total), nil
}

// CountJobs counts jobs; groupID 0 counts all.
func (s *JobStore) CountJobs(ctx context.Context, groupID int64) (int, error) {
	q := s.rd.NewSelect().TableExpr("xxl_job_info")
	if groupID > 0 {
		q = q.Where("job_group = ?", groupID)
	}
	n, err := q.Count(ctx)
	return int(n), dbErr(err, "count jobs")
}

// CreateJob inserts the job with its extras and sets its ID.
func (s *JobStore) CreateJob(ctx context.Context, job *domain.JobInfo) error {
	row, ext := s.db.jobToRows(job)
	row.ID = 0
	return s.inTx(ctx, func(ctx context.Context, tx bun.IDB) error {
		res, err := tx.NewInsert().Model(row).Returning("").Exec(ctx)
		if err != nil {
			return dbErr(err, "insert job")
		}
		id, err := res.LastInsertId()
		if err != nil {
			return fmt.Errorf("insert job: %w", err)
		}
		ext.JobID = id
		if err := saveJobExt(ctx, tx, ext); err != nil {
			return err
		}
		job.ID = id
		return nil
	})
}

// UpdateJob writes every column of the job but add_time, and its extras.
// Returns ENOTFOUND if it is gone.
func (s *JobStore) UpdateJob(ctx context.Context, job *domain.JobInfo) error {
	row, ext := s.db.jobToRows(job)
	return s.inTx(ctx, func(ctx context.Context, tx bun.IDB) error {
		res, err := tx.NewUpdate().Model(row).ExcludeColumn("id", "add_time").WherePK().Exec(ctx)
		if err != nil {
			return dbErr(err, "update job %d", job.ID)
		}
		if n, err := affected(res); err != nil {
			return err
		} else if n == 0 {
			return domain.Errorf(domain.ENOTFOUND, "Job %d not found.", job.ID)
		}
		return saveJobExt(ctx, tx, ext)
	})
}

// DeleteJob removes the job and its extras. Returns ENOTFOUND if it is gone.
func (s *JobStore) DeleteJob(ctx context.Context, id int64) error {
	return s.inTx(ctx, func(ctx context.Context, tx bun.IDB) error {
		res, err := tx.NewDelete().TableExpr("xxl_job_info").Where("id = ?", id).Exec(ctx)
		if err != nil {
			return dbErr(err, "delete job %d", id)
		}
		if n, err := affected(res); err != nil {
			return err
		} else if n == 0 {
			return domain.Errorf(domain.ENOTFOUND, "Job %d not found.", id)
		}
		_, err = tx.NewDelete().TableExpr("xjob_job_ext").Where("job_id = ?", id).Exec(ctx)
		return dbErr(err, "delete extras of job %d", id)
	})
}

// saveJobExt replaces the job's extras row; a job without extras has none.
func saveJobExt(ctx context.Context, tx bun.IDB, ext *jobExtRow) error {
	if _, err := tx.NewDelete().TableExpr("xjob_job_ext").Where("job_id = ?", ext.JobID).Exec(ctx); err != nil {
		return dbErr(err, "delete extras of job %d", ext.JobID)
	}
	if ext.empty() {
		return nil
	}
	_, err := tx.NewInsert().Model(ext).Exec(ctx)
	return dbErr(err, "insert extras of job %d", ext.JobID)
}

// SchedulableJobs returns running jobs due at or before maxNextTime (epoch
// ms), lowest id first. xxl_job_info has no index on these columns (nor may
// xjob add one to an upstream table); the table holds jobs, not runs, so the
// scan is small.
func (s *JobStore) SchedulableJobs(ctx context.Context, maxNextTime int64, limit int) ([]*domain.JobInfo, error) {
	var rows []jobRow
	q := s.selectJobs(s.rd, &rows).
		Where("i.trigger_status = ?", domain.TriggerRunning).
		Where("i.trigger_next_time <= ?", maxNextTime).
		OrderExpr("i.id ASC")
	if err := page(q, 0, limit).Scan(ctx); err != nil {
		return nil, dbErr(err, "select schedulable jobs")
	}
	return s.toDomain(rows), nil
}

// UpdateSchedules applies scan results, scheduleChunk jobs per statement:
//
//	UPDATE xxl_job_info SET
//	  trigger_last_time = CASE id WHEN 1 THEN … END,
//	  trigger_next_time = CASE id WHEN 1 THEN … END,
//	  trigger_status = CASE id WHEN 3 THEN 0 ELSE trigger_status END  -- only if a job stops
//	WHERE id IN (…) AND trigger_status = 1
//
// so a job stopped meanwhile (by a user, or by a Java admin) is never
// resurrected. A job listed twice gets its last update.
func (s *JobStore) UpdateSchedules(ctx context.Context, updates []ports.ScheduleUpdate) error {
	for _, part := range chunks(dedupeUpdates(updates), scheduleChunk) {
		var last, next, stop strings.Builder
		args := make([]any, 0, len(part)*5)
		var stopArgs []any
		ids := make([]int64, len(part))
		for i, u := range part {
			ids[i] = u.JobID
			last.WriteString(" WHEN ? THEN ?")
			next.WriteString(" WHEN ? THEN ?")
			args = append(args, u.JobID, u.TriggerLastTime)
			if u.Stop {
				stop.WriteString(" WHEN ? THEN 0")
				stopArgs = append(stopArgs, u.JobID)
			}
		}
		for _, u := range part {
			args = append(args, u.JobID, u.TriggerNextTime)
		}
		set := "trigger_last_time = CASE id" + last.String() + " END, trigger_next_time = CASE id" + next.String() + " END"
		if len(stopArgs) > 0 {
			set += ", trigger_status = CASE id" + stop.String() + " ELSE trigger_status END"
			args = append(args, stopArgs...)
		}
		q := "UPDATE xxl_job_info SET " + set + " WHERE id IN (?) AND trigger_status = ?"
		args = append(args, bun.List(ids), domain.TriggerRunning)
		if _, err := s.wr.NewRaw(q, args...).Exec(ctx); err != nil {
			return dbErr(err, "update schedules of %d jobs", len(part))
		}
	}
	return nil
}

// dedupeUpdates keeps the last update of each job, in first-seen order.
func dedupeUpdates(updates []ports.ScheduleUpdate) []ports.ScheduleUpdate {
	idx := make(map[int64]int, len(updates))
	out := make([]ports.ScheduleUpdate, 0, len(updates))
	for _, u := range updates {
		if i, ok := idx[u.JobID]; ok {
			out[i] = u
			continue
		}
		idx[u.JobID] = len(out)
		out = append(out, u)
	}
	return out
}

// inTx runs fn in a transaction, or directly when the store already is one.
func (s *JobStore) inTx(ctx context.Context, fn func(ctx context.Context, tx bun.IDB) error) error {
	return runInTx(ctx, s.wr, fn)
}

// runInTx runs fn in a new transaction on idb, or in idb if it is one.
func runInTx(ctx context.Context, idb bun.IDB, fn func(ctx context.Context, tx bun.IDB) error) error {
	if tx, ok := idb.(bun.Tx); ok {
		return fn(ctx, tx)
	}
	return idb.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error { return fn(ctx, tx) })
}
