package application

import (
	"context"
	"fmt"
	"html"
	"strings"

	"github.com/xjob-dev/xjob/domain"
	"github.com/xjob-dev/xjob/ports"
)

// ReadLog reads a run's rolling log from the executor that ran it. It
// checks no permission: the web layer loads the log and checks the
// operator's access to its group first.
type ReadLog struct {
	logs ports.LogStore
	exec ports.ExecutorClient
	msgs ports.Messages
}

// NewReadLog returns the use case.
func NewReadLog(logs ports.LogStore, exec ports.ExecutorClient, msgs ports.Messages) *ReadLog {
	mustDeps("NewReadLog", logs, exec, msgs)
	return &ReadLog{logs: logs, exec: exec, msgs: msgs}
}

// Read returns the log lines from fromLine on. The executor address is
// always the one stored on the log, never one from a request (upstream's
// SSRF, CVE-2022-43183). The content is HTML-escaped except the <br>, <b>
// and </b> executors write. IsEnd is forced once the run has finished and
// no line is left. Returns ENOTFOUND for an unknown log, EINVALID when the
// log has no executor address and EUNAVAILABLE when the executor fails.
func (uc *ReadLog) Read(ctx context.Context, logID int64, fromLine int) (*domain.LogResult, error) {
	log, err := uc.logs.FindLogByID(ctx, logID)
	if err != nil {
		return nil, fmt.Errorf("read log %d: %w", logID, err)
	}
	if log.ExecutorAddress == "" {
		return nil, domain.KeyError(domain.EINVALID, "joblog_log_address_empty", uc.msgs.T("joblog_log_address_empty", nil))
	}
	p := domain.LogParam{LogDateTim: log.TriggerTime.UnixMilli(), LogID: log.ID, FromLineNum: fromLine}
	lr, res := uc.exec.Log(ctx, log.ExecutorAddress, p)
	if !res.OK() {
		return nil, domain.Errorf(domain.EUNAVAILABLE, "%s", res.Msg)
	}
	if lr == nil {
		lr = &domain.LogResult{FromLineNum: fromLine, ToLineNum: fromLine - 1}
	}
	out := *lr
	if out.FromLineNum > out.ToLineNum && log.Finished() {
		out.IsEnd = true
	}
	out.LogContent = escapeLog(out.LogContent)
	return &out, nil
}

// logTags are the markup executors put in logs and pages may render.
var logTags = strings.NewReplacer("&lt;br&gt;", "<br>", "&lt;b&gt;", "<b>", "&lt;/b&gt;", "</b>")

// escapeLog escapes s for HTML, then restores the allowed tags. Only a
// literal tag in s can produce "&lt;br&gt;" after escaping (a literal
// "&lt;" becomes "&amp;lt;"), so nothing else is let through.
func escapeLog(s string) string {
	return logTags.Replace(html.EscapeString(s))
}
