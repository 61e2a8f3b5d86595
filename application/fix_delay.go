package application

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/xjob-dev/xjob/domain"
	"github.com/xjob-dev/xjob/ports"
)

// ScheduleFixDelay gives a FIX_DELAY job its next instant once its run has
// ended: next = end of the run + the configured seconds. While a run is
// out, the scan leaves the job at FixDelayWaiting.
//
// Who calls Finished: the callback path for every executor result
// (HandleCallback), the fail monitor for a trigger that failed without a
// retry left (no result will ever come), and the lost-run monitor when it
// fails a run. Calls for other jobs, or for a job not waiting, do nothing,
// so callers need not check.
type ScheduleFixDelay struct {
	jobs   ports.JobStore
	loc    *time.Location
	logger *slog.Logger
}

// NewScheduleFixDelay returns the use case; loc is the zone of schedules
// without their own (nil = time.Local).
func NewScheduleFixDelay(jobs ports.JobStore, loc *time.Location, logger *slog.Logger) *ScheduleFixDelay {
	mustDeps("NewScheduleFixDelay", jobs)
	if loc == nil {
		loc = time.Local
	}
	return &ScheduleFixDelay{jobs: jobs, loc: loc, logger: orLogger(logger)}
}

// Finished schedules the job's next fire at `at` plus its delay, if the job
// is a running FIX_DELAY job waiting for its run. A schedule that became
// invalid stops the job.
func (uc *ScheduleFixDelay) Finished(ctx context.Context, jobID int64, at time.Time) error {
	job, err := uc.jobs.FindJobByID(ctx, jobID)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return nil
	} else if err != nil {
		return fmt.Errorf("load fix-delay job %d: %w", jobID, err)
	}
	if job.ScheduleType != domain.ScheduleFixDelay || job.TriggerStatus != domain.TriggerRunning ||
		job.TriggerNextTime != FixDelayWaiting {
		return nil
	}
	upd := ports.ScheduleUpdate{JobID: job.ID, TriggerLastTime: job.TriggerLastTime}
	next, ok, err := job.NextTriggerTime(at, uc.loc)
	if err != nil || !ok {
		uc.logger.Warn("job stopped by the scheduler", "job_id", job.ID, "schedule_conf", job.ScheduleConf, "err", err)
		upd.Stop, upd.TriggerLastTime = true, 0
	} else {
		upd.TriggerNextTime = next.UnixMilli()
	}
	if err := uc.jobs.UpdateSchedules(ctx, []ports.ScheduleUpdate{upd}); err != nil {
		return fmt.Errorf("schedule fix-delay job %d: %w", job.ID, err)
	}
	return nil
}
