package executor_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xjob-dev/xjob/domain"
	"github.com/xjob-dev/xjob/executor"
)

func TestLog_PagingAndEnd(t *testing.T) {
	t.Parallel()
	admin := newTestAdmin(t, testToken)
	opts := testOptions(t, admin)
	release := make(chan struct{})
	_, c := startExecutor(t, opts, map[string]executor.Handler{
		"chatty": func(ctx context.Context, job *executor.Job) error {
			job.Log("line one")
			job.Log("line two")
			_, _ = job.Logger().Write([]byte("raw output\npartial"))
			<-release
			_, _ = job.Logger().Write([]byte(" line done\n"))
			return nil
		},
	})
	p := trig(1, 1101, "chatty")
	p.ExecutorParams = "hello"
	c.run(t, p)

	var first domain.LogResult
	waitFor(t, 5*time.Second, "three log lines", func() bool {
		first = c.logOf(t, p, 1)
		return first.ToLineNum >= 4
	})
	lines := strings.Split(strings.TrimSuffix(first.LogContent, "\n"), "\n")
	if first.FromLineNum != 1 || first.ToLineNum != 4 || len(lines) != 4 || first.IsEnd {
		t.Fatalf("first page %+v", first)
	}
	if !strings.Contains(lines[0], "Param:hello") || !strings.HasSuffix(lines[1], "[job] line one") || lines[3] != "raw output" {
		t.Errorf("first page lines %q", lines)
	}
	if strings.Contains(first.LogContent, "partial") {
		t.Error("a half-written line was returned while the run is active")
	}

	close(release)
	admin.waitResult(t, p.LogID)
	rest := c.logOf(t, p, first.ToLineNum+1)
	if rest.FromLineNum != 5 || !rest.IsEnd || !strings.HasPrefix(rest.LogContent, "partial line done\n") ||
		!strings.Contains(rest.LogContent, "Result: handleCode=200") {
		t.Errorf("second page %+v", rest)
	}
	after := c.logOf(t, p, rest.ToLineNum+1)
	if after.LogContent != "" || after.ToLineNum != rest.ToLineNum || !after.IsEnd {
		t.Errorf("page after the end %+v", after)
	}

	day := time.UnixMilli(p.LogDateTime).Format("2006-01-02")
	if _, err := os.Stat(filepath.Join(opts.LogDir, day, "1101.log")); err != nil {
		t.Errorf("log file: %v", err)
	}
}

func TestLog_Missing(t *testing.T) {
	t.Parallel()
	admin := newTestAdmin(t, testToken)
	_, c := startExecutor(t, testOptions(t, admin), nil)
	got := c.post(t, "/log", `{"logDateTim":1795303395879,"logId":424242,"fromLineNum":1}`)
	want := `{"code":200,"msg":"Success","data":{"fromLineNum":1,"toLineNum":0,"logContent":"readLog fail, logFile not exists","isEnd":true}}`
	if got != want {
		t.Errorf("got %s\nwant %s", got, want)
	}
}
