package sqlstore

import (
	"context"

	"github.com/uptrace/bun"
)

// DiscardLogs deletes those of ids whose trigger was never recorded and
// that have no result; logs that did reach an executor are kept.
func (s *LogStore) DiscardLogs(ctx context.Context, ids []int64) error {
	for _, part := range chunks(ids, 1000) {
		_, err := s.wr.NewDelete().TableExpr("xxl_job_log").
			Where("id IN (?)", bun.List(part)).
			Where("trigger_code = 0 AND handle_code = 0").Exec(ctx)
		if err != nil {
			return dbErr(err, "discard %d unsent logs", len(part))
		}
	}
	return nil
}
