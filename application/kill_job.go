package application

import (
	"context"
	"fmt"

	"github.com/xjob-dev/xjob/domain"
	"github.com/xjob-dev/xjob/ports"
)

// KillJob stops a running job on the executor that runs it (the log
// page's "kill"). It checks no permission: the web layer loads the log and
// checks the operator's access to its group first.
type KillJob struct {
	logs  ports.LogStore
	exec  ports.ExecutorClient
	msgs  ports.Messages
	clock ports.Clock
}

// NewKillJob returns the use case.
func NewKillJob(logs ports.LogStore, exec ports.ExecutorClient, msgs ports.Messages, clock ports.Clock) *KillJob {
	mustDeps("NewKillJob", logs, exec, msgs, clock)
	return &KillJob{logs: logs, exec: exec, msgs: msgs, clock: clock}
}

// Kill asks the executor recorded on the log to stop the log's job and
// returns the executor's message. On success the log is marked failed
// (handle code 500, "stopped by an operator"), unless a result arrived
// first; child jobs are not triggered. Returns ENOTFOUND for an unknown log,
// EINVALID (key joblog_kill_log_limit) when the trigger itself failed, and
// EUNAVAILABLE with the executor's message when it refused or was unreachable.
func (uc *KillJob) Kill(ctx context.Context, logID int64) (string, error) {
	log, err := uc.logs.FindLogByID(ctx, logID)
	if err != nil {
		return "", fmt.Errorf("kill log %d: %w", logID, err)
	}
	if log.TriggerCode != domain.CodeSuccess {
		return "", domain.KeyError(domain.EINVALID, "joblog_kill_log_limit", uc.msgs.T("joblog_kill_log_limit", nil))
	}
	res := uc.exec.Kill(ctx, log.ExecutorAddress, log.JobID)
	if !res.OK() {
		return "", domain.Errorf(domain.EUNAVAILABLE, "%s", res.Msg)
	}
	if log.RecordHandle(domain.CodeFail, uc.msgs.T("joblog_kill_log_byman", nil)+":"+res.Msg, uc.clock.Now()) {
		if _, err := uc.logs.UpdateHandleInfo(ctx, log); err != nil {
			return "", fmt.Errorf("kill log %d: %w", logID, err)
		}
	}
	return res.Msg, nil
}
