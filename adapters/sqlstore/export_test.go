package sqlstore

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/xjob-dev/xjob/domain"
)

// UpdateTriggerInfosPerRow is the alternative UpdateTriggerInfos measured
// against the CASE statement in BenchmarkUpdateTriggerInfos: one UPDATE per
// log in one transaction.
func (s *LogStore) UpdateTriggerInfosPerRow(ctx context.Context, logs []*domain.JobLog) error {
	return runInTx(ctx, s.wr, func(ctx context.Context, tx bun.IDB) error {
		one := &LogStore{db: s.db, rd: tx, wr: tx}
		for _, l := range logs {
			if err := one.UpdateTriggerInfos(ctx, []*domain.JobLog{l}); err != nil {
				return err
			}
		}
		return nil
	})
}

// SetFloorSettle shortens how old a MAX(id) reading must be before the
// scans' id floors may pass it, so tests can exercise advancing floors.
func (s *LogStore) SetFloorSettle(d time.Duration) {
	s.failFloor.settle, s.runFloor.settle = d, d
}

// Floors returns the current floors of FailedLogIDs and RunningLogs.
func (s *LogStore) Floors() (fail, run int64) { return s.failFloor.get(), s.runFloor.get() }
