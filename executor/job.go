package executor

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/xjob-dev/xjob/domain"
)

// Handler runs one trigger of a job. It should return when ctx is done
// (executorTimeout, kill, COVER_EARLY or executor shutdown); a handler that
// does not is abandoned after Options.CancelGrace and its result ignored.
// A nil error is reported as success, any other error as handleCode 500
// with the error's text.
type Handler func(ctx context.Context, job *Job) error

// Job is one run of a job, handed to its Handler. The exported fields are
// read-only copies of the trigger.
type Job struct {
	JobID       int64     // xxl_job_info.id
	LogID       int64     // xxl_job_log.id, unique per run
	LogDateTime time.Time // trigger time
	Handler     string    // executorHandler ("" for GLUE)
	GlueType    domain.GlueType
	Param       string // executorParams
	ShardIndex  int    // broadcastIndex (0 unless sharding)
	ShardTotal  int    // broadcastTotal (1 unless sharding)
	Timeout     time.Duration

	log *runLog

	mu     sync.Mutex
	result string
}

func newJob(p domain.TriggerParam, log *runLog) *Job {
	return &Job{
		JobID:       p.JobID,
		LogID:       p.LogID,
		LogDateTime: time.UnixMilli(p.LogDateTime),
		Handler:     p.ExecutorHandler,
		GlueType:    glueTypeOf(p),
		Param:       p.ExecutorParams,
		ShardIndex:  p.BroadcastIndex,
		ShardTotal:  p.BroadcastTotal,
		Timeout:     time.Duration(p.ExecutorTimeout) * time.Second,
		log:         log,
	}
}

// Log appends one timestamped line to the run's log file, which the admin
// shows as the rolling log. Lines written after the run was reported (by a
// handler that ignored cancellation) are dropped.
func (j *Job) Log(format string, args ...any) {
	j.log.line("job", format, args...)
}

// Logger returns a writer into the run's log file, written verbatim (no
// timestamp), e.g. for a command's output. Writes after the run was
// reported fail with ErrRunFinished.
func (j *Job) Logger() io.Writer { return j.log }

// SetResult sets the handleMsg reported with a successful result.
func (j *Job) SetResult(msg string) {
	j.mu.Lock()
	j.result = msg
	j.mu.Unlock()
}

func (j *Job) resultMsg() string {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.result
}

// ErrRunFinished is returned by a Job's Logger once its result was reported.
var ErrRunFinished = errors.New("executor: run already finished, log closed")

// logTimeLayout is the timestamp of every log line (upstream's layout).
const logTimeLayout = "2006-01-02 15:04:05"

// runLog is the log file of one run. It is safe for concurrent use and
// turns into a sink that refuses writes once closed.
type runLog struct {
	mu     sync.Mutex
	f      *os.File // nil if the file could not be opened
	closed bool
}

// Write appends p verbatim.
func (l *runLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return 0, ErrRunFinished
	}
	if l.f == nil {
		return len(p), nil
	}
	return l.f.Write(p)
}

// line appends "yyyy-MM-dd HH:mm:ss [source] message\n".
func (l *runLog) line(source, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	msg = strings.TrimSuffix(msg, "\n")
	ts := time.Now().Format(logTimeLayout)
	_, _ = fmt.Fprintf(l, "%s [%s] %s\n", ts, source, msg)
}

// close flushes the file and makes further writes fail.
func (l *runLog) close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return
	}
	l.closed = true
	if l.f != nil {
		_ = l.f.Close()
	}
}
