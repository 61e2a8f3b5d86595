package executor

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/xjob-dev/xjob/domain"
)

// maxLogChunk bounds the logContent of one /log reply; the admin asks again
// from toLineNum+1, so big logs arrive in pieces instead of one huge reply.
const maxLogChunk = 1 << 20

// logMissingMsg is upstream's text for a log file that does not exist.
const logMissingMsg = "readLog fail, logFile not exists"

// runLogPath is LogDir/yyyy-MM-dd/{logId}.log, dated by the trigger time in
// local time, as upstream names it.
func runLogPath(dir string, logDateTime, logID int64) string {
	day := time.UnixMilli(logDateTime).Format("2006-01-02")
	return filepath.Join(dir, day, strconv.FormatInt(logID, 10)+".log")
}

// openRunLog creates (or appends to) the log file of a run. On failure the
// run still happens, with a log that discards its lines.
func openRunLog(dir string, p domain.TriggerParam, logger *slog.Logger) *runLog {
	path := runLogPath(dir, p.LogDateTime, p.LogID)
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		logger.Error("cannot create run log directory", "path", path, "err", err)
		return &runLog{}
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o640)
	if err != nil {
		logger.Error("cannot open run log", "path", path, "err", err)
		return &runLog{}
	}
	return &runLog{f: f}
}

// readRunLog reads the log of a run from line from (1-based). finished says
// the run will write no more; isEnd is then true once everything was read.
// While the run is active a trailing line without newline is held back, so
// the admin never sees half a line.
func readRunLog(dir string, p domain.LogParam, finished bool) domain.LogResult {
	from := max(p.FromLineNum, 1)
	f, err := os.Open(runLogPath(dir, p.LogDateTim, p.LogID))
	if err != nil {
		if finished {
			return domain.LogResult{FromLineNum: from, LogContent: logMissingMsg, IsEnd: true}
		}
		return domain.LogResult{FromLineNum: from, ToLineNum: from - 1}
	}
	defer f.Close()
	res, complete := scanLines(bufio.NewReader(f), from, finished)
	res.IsEnd = finished && complete
	return res
}

// scanLines collects lines from..EOF (at most maxLogChunk bytes) and
// reports whether it reached the end of the file.
func scanLines(r *bufio.Reader, from int, includePartial bool) (domain.LogResult, bool) {
	res := domain.LogResult{FromLineNum: from}
	var buf []byte
	n := 0
	for {
		text, ok, nl := nextLine(r, n+1 >= from)
		if !ok || (!nl && !includePartial) {
			break
		}
		n++
		if n < from {
			continue
		}
		if len(buf) > 0 && len(buf)+len(text)+1 > maxLogChunk {
			res.LogContent = string(buf)
			return res, false
		}
		buf = append(append(buf, text...), '\n')
		res.ToLineNum = n
		if !nl {
			break
		}
	}
	if len(buf) == 0 {
		// Nothing new: report the line count, as upstream does, so the
		// admin's next request stays at toLineNum+1.
		res.ToLineNum = n
	}
	res.LogContent = string(buf)
	return res, true
}

// nextLine reads the next line. ok is false at the end of the file, nl
// says the line is complete. Only kept lines are returned (without the
// newline, capped at maxLogChunk bytes); skipped ones are never buffered.
func nextLine(r *bufio.Reader, keep bool) (text []byte, ok, nl bool) {
	for {
		chunk, err := r.ReadSlice('\n')
		if len(chunk) > 0 {
			ok = true
		}
		if keep && len(text) < maxLogChunk {
			text = append(text, chunk...)
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err == nil {
			nl = true
			text = bytes.TrimSuffix(text, []byte{'\n'})
		}
		return text, ok, nl
	}
}

// cleanOldLogs deletes day directories (yyyy-MM-dd) older than days before
// today; other entries of dir (gluesource, callbacklog) are never touched.
func cleanOldLogs(dir string, days int, now time.Time, logger *slog.Logger) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			logger.Warn("log retention: cannot list log dir", "dir", dir, "err", err)
		}
		return
	}
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.Local)
	limit := today.AddDate(0, 0, -days)
	for _, e := range entries {
		day, err := time.ParseInLocation("2006-01-02", e.Name(), time.Local)
		if err != nil || !e.IsDir() || !day.Before(limit) {
			continue
		}
		if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
			logger.Warn("log retention: cannot delete", "dir", e.Name(), "err", err)
		}
	}
}

// retentionLoop cleans old logs now and then once a day until ctx is done.
func retentionLoop(ctx context.Context, dir string, days int, logger *slog.Logger) {
	if days < 3 {
		return
	}
	t := time.NewTicker(24 * time.Hour)
	defer t.Stop()
	for {
		cleanOldLogs(dir, days, time.Now(), logger)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

var _ io.Writer = (*runLog)(nil)
