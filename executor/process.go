package executor

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"time"
)

// processWaitDelay bounds how long a killed process's output pipes are
// drained before Wait gives up on them.
const processWaitDelay = 2 * time.Second

// hiddenEnv are variables of the executor that child processes do not get.
var hiddenEnv = []string{"XJOB_EXECUTOR_ACCESS_TOKEN"}

// CommandHandler returns a Handler that runs the program argv[0] with the
// arguments argv[1:] and, when the job's param is not empty, the param as
// the last argument. No shell is involved, so the param cannot inject
// commands. Output (stdout and stderr) goes to the run's log, exit status 0
// is success and anything else fails with "command exit value(N) is
// failed". The process gets XJOB_JOB_ID, XJOB_LOG_ID, XJOB_SHARD_INDEX and
// XJOB_SHARD_TOTAL; it runs in its own process group, which is killed when
// the run is cancelled.
func CommandHandler(argv ...string) Handler {
	if len(argv) == 0 || argv[0] == "" {
		panic("executor: CommandHandler needs a program")
	}
	argv = append([]string(nil), argv...)
	return func(ctx context.Context, job *Job) error {
		args := argv[1:len(argv):len(argv)]
		if job.Param != "" {
			args = append(args, job.Param)
		}
		return runProcess(ctx, job, "command", argv[0], args)
	}
}

// runProcess runs name with args, streaming its output into job's log.
// what names the kind of process in the failure message.
func runProcess(ctx context.Context, job *Job, what, name string, args []string) error {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdout = job.Logger()
	cmd.Stderr = job.Logger()
	cmd.Env = processEnv(job)
	cmd.WaitDelay = processWaitDelay
	useProcessGroup(cmd)
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return nil
	case ctx.Err() != nil:
		return context.Cause(ctx)
	case errors.As(err, &exit):
		return fmt.Errorf("%s exit value(%d) is failed", what, exit.ExitCode())
	}
	return fmt.Errorf("%s failed: %w", what, err)
}

// processEnv is the executor's environment minus secrets, plus the job's ids.
func processEnv(job *Job) []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if !slices.Contains(hiddenEnv, name) {
			env = append(env, kv)
		}
	}
	return append(env,
		"XJOB_JOB_ID="+strconv.FormatInt(job.JobID, 10),
		"XJOB_LOG_ID="+strconv.FormatInt(job.LogID, 10),
		"XJOB_SHARD_INDEX="+strconv.Itoa(job.ShardIndex),
		"XJOB_SHARD_TOTAL="+strconv.Itoa(job.ShardTotal),
	)
}
