package executor_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xjob-dev/xjob/domain"
)

func glueTrig(jobID, logID int64, g domain.GlueType, src string) domain.TriggerParam {
	p := trig(jobID, logID, "")
	p.GlueType, p.GlueSource, p.GlueUpdatetime = string(g), src, 1795303396497
	return p
}

func TestGlue_Shell(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash not installed")
	}
	admin := newTestAdmin(t, testToken)
	opts := testOptions(t, admin)
	opts.EnableGlue = []domain.GlueType{domain.GlueShell}
	_, c := startExecutor(t, opts, nil)

	t.Run("OK", func(t *testing.T) {
		p := glueTrig(6, 1201, domain.GlueShell, "#!/bin/bash\necho \"shell param $1 shard $2/$3\"\necho oops >&2\nexit 0\n")
		p.ExecutorParams, p.BroadcastIndex, p.BroadcastTotal = "x", 1, 3
		if got := c.run(t, p); got != okReply {
			t.Fatalf("/run: %s", got)
		}
		if got := admin.waitResult(t, p.LogID); got.HandleCode != 200 || got.HandleMsg != "" {
			t.Errorf("callback %+v", got)
		}
		log := c.logOf(t, p, 1).LogContent
		script := filepath.Join(opts.LogDir, "gluesource", "6_1795303396497.sh")
		for _, want := range []string{"shell param x shard 1/3\n", "oops\n", "script file:" + script} {
			if !strings.Contains(log, want) {
				t.Errorf("log lacks %q:\n%s", want, log)
			}
		}
	})
	t.Run("ErrExitCode", func(t *testing.T) {
		c.run(t, glueTrig(7, 1202, domain.GlueShell, "exit 3\n"))
		if got := admin.waitResult(t, 1202); got.HandleCode != 500 || got.HandleMsg != "script exit value(3) is failed" {
			t.Errorf("callback %+v", got)
		}
	})
	t.Run("KillProcessGroup", func(t *testing.T) {
		pidFile := filepath.Join(t.TempDir(), "pid")
		c.run(t, glueTrig(8, 1203, domain.GlueShell, "sleep 30 &\necho $! > "+pidFile+"\nwait\n"))
		var pid int
		waitFor(t, 5*time.Second, "child pid", func() bool {
			b, _ := os.ReadFile(pidFile)
			pid, _ = strconv.Atoi(strings.TrimSpace(string(b)))
			return pid > 0
		})
		start := time.Now()
		c.post(t, "/kill", `{"jobId":8}`)
		if got := admin.waitResult(t, 1203); got.HandleCode != 500 || time.Since(start) > 3*time.Second {
			t.Errorf("callback %+v after %v", got, time.Since(start))
		}
		waitFor(t, 5*time.Second, "child process killed", func() bool { return !processAlive(pid) })
	})
}

// processAlive reports whether pid runs (zombies count as dead).
func processAlive(pid int) bool {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
	return len(fields) > 0 && fields[0] != "Z" && fields[0] != "X"
}

func TestGlue_Refused(t *testing.T) {
	t.Parallel()
	admin := newTestAdmin(t, testToken)
	opts := testOptions(t, admin)
	opts.EnableGlue = []domain.GlueType{domain.GlueShell}
	_, c := startExecutor(t, opts, nil)
	optsOff := testOptions(t, admin)
	_, off := startExecutor(t, optsOff, nil)

	tests := []struct {
		name string
		c    *client
		g    domain.GlueType
		want string
	}{
		{"ErrDisabledExecutor", off, domain.GlueShell, "glueType[GLUE_SHELL] is not enabled on this executor."},
		{"ErrTypeNotEnabled", c, domain.GluePython, "glueType[GLUE_PYTHON] is not enabled on this executor."},
		{"ErrGroovy", c, domain.GlueGroovy, "glueType[GLUE_GROOVY] is not supported: GLUE(Java) needs a Java executor."},
		{"ErrUnknownType", c, "GLUE_COBOL", "glueType[GLUE_COBOL] is not valid."},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.c.run(t, glueTrig(1, int64(1300+i), tt.g, "echo hi")); got != failReply(tt.want) {
				t.Errorf("got %s", got)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(optsOff.LogDir, "gluesource")); !os.IsNotExist(err) {
		t.Errorf("disabled executor wrote glue source: %v", err)
	}
}

func TestGlue_NewSource(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash not installed")
	}
	admin := newTestAdmin(t, testToken)
	opts := testOptions(t, admin)
	opts.EnableGlue = []domain.GlueType{domain.GlueShell}
	_, c := startExecutor(t, opts, nil)

	old := glueTrig(9, 1401, domain.GlueShell, "sleep 30\n")
	c.run(t, old)
	time.Sleep(100 * time.Millisecond)
	updated := glueTrig(9, 1402, domain.GlueShell, "echo new version\n")
	updated.GlueUpdatetime++
	c.run(t, updated)
	if got := admin.waitResult(t, 1401); got.HandleCode != 500 || !strings.HasPrefix(got.HandleMsg, "change job handler or glue type") {
		t.Errorf("old run %+v", got)
	}
	if got := admin.waitResult(t, 1402); got.HandleCode != 200 {
		t.Errorf("new run %+v", got)
	}
	if !strings.Contains(c.logOf(t, updated, 1).LogContent, "new version\n") {
		t.Error("new source did not run")
	}
}
