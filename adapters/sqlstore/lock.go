package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/uptrace/bun"

	"github.com/xjob-dev/xjob/domain"
	"github.com/xjob-dev/xjob/ports"
)

// scheduleLockName is the xxl_job_lock row every admin, Java or xjob, locks
// before a schedule scan.
const scheduleLockName = "schedule_lock"

var _ ports.ScheduleLocker = (*DB)(nil)

// WithScheduleLock implements ports.ScheduleLocker. On MySQL it is upstream's
// lock, SELECT … FOR UPDATE on xxl_job_lock('schedule_lock') inside a
// transaction, so xjob and Java admins sharing a database take turns. On
// SQLite the transaction is a write transaction (BEGIN IMMEDIATE on the one
// writer connection), which excludes every other writer anyway.
//
// It returns EUNAVAILABLE when the schedule_lock row is missing: xjob
// creates it only in a database it creates, and an adopted database without
// it must not be scheduled by two admins unlocked.
func (db *DB) WithScheduleLock(ctx context.Context, fn func(ctx context.Context, tx ports.ScheduleTx) error) error {
	q := "SELECT lock_name FROM xxl_job_lock WHERE lock_name = ?"
	if db.engine == MySQL {
		q += " FOR UPDATE"
	}
	return db.wr.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var name string
		if err := tx.NewRaw(q, scheduleLockName).Scan(ctx, &name); errors.Is(err, sql.ErrNoRows) {
			return domain.Errorf(domain.EUNAVAILABLE,
				"The schedule lock row is missing: table xxl_job_lock has no row lock_name='%s'. "+
					"Scheduling is disabled; insert it with: INSERT INTO xxl_job_lock (lock_name) VALUES ('%s')",
				scheduleLockName, scheduleLockName)
		} else if err != nil {
			return fmt.Errorf("acquire schedule lock: %w", err)
		}
		return fn(ctx, &scheduleTx{jobs: &JobStore{db: db, rd: tx, wr: tx}})
	})
}

// scheduleTx is what a scan may do while it holds the lock.
type scheduleTx struct{ jobs *JobStore }

var _ ports.ScheduleTx = (*scheduleTx)(nil)

func (t *scheduleTx) SchedulableJobs(ctx context.Context, maxNextTime int64, limit int) ([]*domain.JobInfo, error) {
	return t.jobs.SchedulableJobs(ctx, maxNextTime, limit)
}

func (t *scheduleTx) UpdateSchedules(ctx context.Context, updates []ports.ScheduleUpdate) error {
	return t.jobs.UpdateSchedules(ctx, updates)
}
