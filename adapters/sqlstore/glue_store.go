package sqlstore

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"

	"github.com/xjob-dev/xjob/domain"
	"github.com/xjob-dev/xjob/ports"
)

// GlueStore implements ports.GlueStore on xxl_job_logglue.
type GlueStore struct {
	db     *DB
	rd, wr bun.IDB
}

var _ ports.GlueStore = (*GlueStore)(nil)

// NewGlueStore returns a GlueStore on db.
func NewGlueStore(db *DB) *GlueStore { return &GlueStore{db: db, rd: db.rd, wr: db.wr} }

// CreateLogGlue inserts a version and sets its ID.
func (s *GlueStore) CreateLogGlue(ctx context.Context, g *domain.LogGlue) error {
	row := s.db.glueToRow(g)
	row.ID = 0
	res, err := s.wr.NewInsert().Model(row).Returning("").Exec(ctx)
	if err != nil {
		return dbErr(err, "insert glue version of job %d", g.JobID)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return fmt.Errorf("insert glue version of job %d: %w", g.JobID, err)
	}
	g.ID = id
	return nil
}

// FindLogGlues returns a job's versions, newest first.
func (s *GlueStore) FindLogGlues(ctx context.Context, jobID int64) ([]*domain.LogGlue, error) {
	var rows []glueRow
	if err := s.rd.NewSelect().Model(&rows).Where("lg.job_id = ?", jobID).OrderExpr("lg.id DESC").Scan(ctx); err != nil {
		return nil, dbErr(err, "select glue versions of job %d", jobID)
	}
	out := make([]*domain.LogGlue, len(rows))
	for i := range rows {
		out[i] = s.db.glueFromRow(&rows[i])
	}
	return out, nil
}

// RemoveOldLogGlues keeps the newest `keep` versions of a job (by
// update_time, then id, as upstream) and deletes the rest.
func (s *GlueStore) RemoveOldLogGlues(ctx context.Context, jobID int64, keep int) error {
	if keep <= 0 {
		return s.DeleteLogGlues(ctx, jobID)
	}
	var ids []int64
	err := s.wr.NewSelect().TableExpr("xxl_job_logglue").Column("id").Where("job_id = ?", jobID).
		OrderExpr("update_time DESC, id DESC").Limit(int64(keep)).Scan(ctx, &ids)
	if err != nil {
		return dbErr(err, "select glue versions of job %d", jobID)
	}
	if len(ids) < keep {
		return nil
	}
	_, err = s.wr.NewDelete().TableExpr("xxl_job_logglue").
		Where("job_id = ?", jobID).Where("id NOT IN (?)", bun.List(ids)).Exec(ctx)
	return dbErr(err, "delete old glue versions of job %d", jobID)
}

// DeleteLogGlues removes every version of a job.
func (s *GlueStore) DeleteLogGlues(ctx context.Context, jobID int64) error {
	_, err := s.wr.NewDelete().TableExpr("xxl_job_logglue").Where("job_id = ?", jobID).Exec(ctx)
	return dbErr(err, "delete glue versions of job %d", jobID)
}
