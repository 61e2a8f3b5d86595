package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"time"
)

// adminBin is the binary the load scenarios run: the profiled build with
// -profile, else the plain one.
func (e *Env) adminBin() string {
	if e.ProfBin != "" {
		return e.ProfBin
	}
	return e.Bin
}

// adminEnv sets the pprof address of the profiled build to a free port.
func (e *Env) adminEnv() []string {
	if e.ProfBin == "" {
		return nil
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil
	}
	e.pprofAddr = ln.Addr().String()
	ln.Close()
	return []string{"XJOB_BENCH_PPROF=" + e.pprofAddr}
}

// profile takes a CPU profile of the admin for d, keeps it next to the
// result file and returns `go tool pprof -top` of it.
func (e *Env) profile(ctx context.Context, name string, d time.Duration) (string, error) {
	if e.ProfBin == "" || e.pprofAddr == "" {
		return "", nil
	}
	c := &http.Client{Timeout: d + 30*time.Second}
	url := fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", e.pprofAddr, int(d.Seconds()))
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	resp, err := c.Do(req)
	if err != nil {
		return "", fmt.Errorf("cpu profile: %w", err)
	}
	defer resp.Body.Close()
	path := strings.TrimSuffix(e.Opts.Out, ".json") + "-" + name + ".pprof"
	f, err := os.Create(path)
	if err != nil {
		return "", err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return "", err
	}
	f.Close()
	out, err := exec.CommandContext(ctx, "go", "tool", "pprof", "-top", "-nodecount=30", e.ProfBin, path).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go tool pprof: %v: %s", err, out)
	}
	e.Report.Detail("profile "+name, map[string]any{"file": path, "top": string(out)})
	return string(out), nil
}
