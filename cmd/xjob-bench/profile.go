package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"sort"
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
	out, err := exec.CommandContext(ctx, "go", "tool", "pprof", "-top", "-cum", "-nodecount=45", e.ProfBin, path).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go tool pprof: %v: %s", err, out)
	}
	e.Report.Detail("profile "+name, map[string]any{"file": path, "top": string(out)})
	return string(out), nil
}

// goroutines snapshots the admin's goroutines (debug=1: identical stacks
// counted) and summarizes them by the first frame outside the runtime and
// the first xjob frame: where the workers wait during a burst.
func (e *Env) goroutines(ctx context.Context, name string) ([]string, error) {
	if e.ProfBin == "" || e.pprofAddr == "" {
		return nil, nil
	}
	c := &http.Client{Timeout: 10 * time.Second}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+e.pprofAddr+"/debug/pprof/goroutine?debug=1", nil)
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	os.WriteFile(strings.TrimSuffix(e.Opts.Out, ".json")+"-"+name+".goroutines.txt", b, 0o644)
	counts := map[string]int{}
	for _, block := range strings.Split(string(b), "\n\n") {
		lines := strings.Split(block, "\n")
		var n int
		if _, err := fmt.Sscanf(lines[0], "%d @", &n); err != nil {
			continue
		}
		var wait, own string
		for _, l := range lines[1:] {
			f := strings.Fields(strings.TrimPrefix(l, "#"))
			if len(f) < 2 {
				continue
			}
			fn := f[1]
			if i := strings.LastIndex(fn, "+0x"); i > 0 {
				fn = fn[:i]
			}
			if wait == "" && !strings.HasPrefix(fn, "runtime.") && !strings.HasPrefix(fn, "internal/") && !strings.HasPrefix(fn, "sync.") {
				wait = fn
			}
			if own == "" && strings.Contains(fn, "xjob-dev/xjob/") {
				own = strings.TrimPrefix(fn, "github.com/xjob-dev/xjob/")
			}
		}
		counts[wait+"  ←  "+own] += n
	}
	type kv struct {
		k string
		n int
	}
	var all []kv
	for k, n := range counts {
		all = append(all, kv{k, n})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].n > all[j].n })
	var out []string
	for i, x := range all {
		if i == 12 {
			break
		}
		out = append(out, fmt.Sprintf("%4d  %s", x.n, x.k))
	}
	return out, nil
}
