package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// BuildXjob compiles ./cmd/xjob into dir and returns the binary's path.
func BuildXjob(ctx context.Context, repo, dir string) (string, error) {
	bin := filepath.Join(dir, "xjob")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/xjob")
	cmd.Dir = repo
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build ./cmd/xjob: %v\n%s", err, out)
	}
	return bin, nil
}

// pprofFile is added to a copy of cmd/xjob by BuildXjobProfiled: it serves
// net/http/pprof on XJOB_BENCH_PPROF when that is set. The repository's
// own admin code is never changed.
const pprofFile = `package main

import (
	"net/http"
	_ "net/http/pprof"
	"os"
)

func init() {
	if addr := os.Getenv("XJOB_BENCH_PPROF"); addr != "" {
		go http.ListenAndServe(addr, nil)
	}
}
`

// BuildXjobProfiled builds ./cmd/xjob from a copy of the working tree with
// pprofFile added, into dir.
func BuildXjobProfiled(ctx context.Context, repo, dir string) (string, error) {
	src := filepath.Join(dir, "src")
	if err := os.MkdirAll(src, 0o755); err != nil {
		return "", err
	}
	cp := exec.CommandContext(ctx, "bash", "-c", `tar -C "$1" --exclude=./.git -cf - . | tar -C "$2" -xf -`, "copy", repo, src)
	if out, err := cp.CombinedOutput(); err != nil {
		return "", fmt.Errorf("copy the tree: %v: %s", err, out)
	}
	if err := os.WriteFile(filepath.Join(src, "cmd/xjob/zz_bench_pprof.go"), []byte(pprofFile), 0o644); err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "xjob-pprof")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/xjob")
	cmd.Dir = src
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build (profiled): %v\n%s", err, out)
	}
	return bin, nil
}

// Admin is a running `xjob serve` process.
type Admin struct {
	URL      string // http://127.0.0.1:PORT/ from the banner
	PID      int
	Started  time.Time // just before exec
	Listened time.Time // banner seen
	LogPath  string
	cmd      *exec.Cmd
	exited   chan error
}

var bannerRE = regexp.MustCompile(`xjob is listening on (http://\S+)`)

// StartAdmin execs `bin serve --db db --listen 127.0.0.1:0 …` and waits for
// the banner. Its stderr (the slog output) goes to logPath.
func StartAdmin(ctx context.Context, bin, db, dataDir, token, logPath string, env []string, extra ...string) (*Admin, error) {
	args := append([]string{"serve", "--db", db, "--listen", "127.0.0.1:0", "--data-dir", dataDir,
		"--access-token", token, "--timezone", "UTC", "--admin-password", "bench-admin-pw"}, extra...)
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Stderr = logf
	cmd.Env = append(os.Environ(), env...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		logf.Close()
		return nil, err
	}
	a := &Admin{LogPath: logPath, cmd: cmd, exited: make(chan error, 1), Started: time.Now()}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	a.PID = cmd.Process.Pid
	urlc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		sent := false
		for sc.Scan() {
			if m := bannerRE.FindStringSubmatch(sc.Text()); m != nil && !sent {
				urlc <- m[1]
				sent = true
			}
		}
		io.Copy(io.Discard, stdout)
	}()
	go func() { a.exited <- cmd.Wait(); logf.Close() }()
	select {
	case u := <-urlc:
		a.Listened = time.Now()
		a.URL = strings.TrimSuffix(u, "/") + "/"
		a.URL = strings.Replace(a.URL, "//localhost:", "//127.0.0.1:", 1)
		return a, nil
	case err := <-a.exited:
		return nil, fmt.Errorf("xjob serve exited before listening (%v); log %s:\n%s", err, logPath, tail(logPath, 30))
	case <-time.After(60 * time.Second):
		a.Stop()
		return nil, fmt.Errorf("xjob serve printed no banner in 60 s; log %s:\n%s", logPath, tail(logPath, 30))
	case <-ctx.Done():
		a.Stop()
		return nil, ctx.Err()
	}
}

// WaitReady polls /readyz every 2 ms until it answers 200 and returns when
// that happened.
func (a *Admin) WaitReady(ctx context.Context, limit time.Duration) (time.Time, error) {
	c := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		resp, err := c.Get(a.URL + "readyz")
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return time.Now(), nil
			}
		}
		select {
		case err := <-a.exited:
			a.exited <- err
			return time.Time{}, fmt.Errorf("xjob serve exited: %v", err)
		case <-ctx.Done():
			return time.Time{}, ctx.Err()
		case <-time.After(2 * time.Millisecond):
		}
	}
	return time.Time{}, fmt.Errorf("/readyz not 200 within %s", limit)
}

// Alive reports whether the process still runs.
func (a *Admin) Alive() bool {
	select {
	case err := <-a.exited:
		a.exited <- err
		return false
	default:
		return true
	}
}

// Stop sends SIGTERM and waits up to 20 s, then kills the process.
func (a *Admin) Stop() error {
	if a == nil || a.cmd.Process == nil {
		return nil
	}
	a.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-a.exited:
		a.exited <- err
		return nil
	case <-time.After(20 * time.Second):
		a.cmd.Process.Kill()
		return errors.New("xjob serve did not stop within 20 s of SIGTERM; killed")
	}
}

// Metrics fetches the Prometheus text of /metrics ("" if unavailable).
func (a *Admin) Metrics() string {
	c := &http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get(a.URL + "metrics")
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return ""
	}
	return string(b)
}

// RSS returns VmRSS and VmHWM of a process in MiB, from /proc/PID/status.
func RSS(pid int) (rss, hwm float64) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		kb, _ := strconv.ParseFloat(f[1], 64)
		switch f[0] {
		case "VmRSS:":
			rss = kb / 1024
		case "VmHWM:":
			hwm = kb / 1024
		}
	}
	return rss, hwm
}

// CPUSeconds returns user+system CPU time of a process, from /proc/PID/stat.
func CPUSeconds(pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseFloat(f[11], 64)
	st, _ := strconv.ParseFloat(f[12], 64)
	return (ut + st) / 100 // USER_HZ is 100 on Linux
}

// tail returns the last n lines of a file.
func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
