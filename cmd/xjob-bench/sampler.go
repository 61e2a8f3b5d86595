package main

import (
	"context"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Sampler watches processes while a scenario runs: the peak and last RSS
// of the system under test and the CPU each process and the whole machine
// used.
type Sampler struct {
	pid     int   // the admin or the Quartz JVM
	others  []int // e.g. mariadbd
	start   time.Time
	cpu0    float64
	other0  []float64
	busy0   [2]uint64
	mu      sync.Mutex
	rssMax  float64
	rssLast float64
	stop    chan struct{}
	done    chan struct{}
}

// Usage is what a Sampler saw.
type Usage struct {
	RSSMaxMiB   float64   `json:"rssMaxMiB"`
	RSSLastMiB  float64   `json:"rssLastMiB"`
	CPUCores    float64   `json:"cpuCores"`       // average cores the process used
	OtherCores  []float64 `json:"otherCpuCores"`  // same for the others
	MachineBusy float64   `json:"machineBusyPct"` // all CPUs, percent
}

// StartSampler samples pid's RSS every 500 ms until Stop.
func StartSampler(pid int, others ...int) *Sampler {
	s := &Sampler{pid: pid, others: others, start: time.Now(), cpu0: CPUSeconds(pid),
		busy0: cpuStat(), stop: make(chan struct{}), done: make(chan struct{})}
	for _, o := range others {
		s.other0 = append(s.other0, CPUSeconds(o))
	}
	go func() {
		defer close(s.done)
		t := time.NewTicker(500 * time.Millisecond)
		defer t.Stop()
		for {
			s.sample()
			select {
			case <-s.stop:
				return
			case <-t.C:
			}
		}
	}()
	return s
}

func (s *Sampler) sample() {
	rss, _ := RSS(s.pid)
	s.mu.Lock()
	if rss > 0 {
		s.rssLast = rss
	}
	s.rssMax = max(s.rssMax, rss)
	s.mu.Unlock()
}

// Stop ends sampling and returns the usage.
func (s *Sampler) Stop() Usage {
	s.sample()
	close(s.stop)
	<-s.done
	el := time.Since(s.start).Seconds()
	u := Usage{RSSMaxMiB: s.rssMax, RSSLastMiB: s.rssLast, CPUCores: (CPUSeconds(s.pid) - s.cpu0) / el}
	for i, o := range s.others {
		u.OtherCores = append(u.OtherCores, (CPUSeconds(o)-s.other0[i])/el)
	}
	b1 := cpuStat()
	if tot := b1[1] - s.busy0[1]; tot > 0 {
		u.MachineBusy = 100 * float64(b1[0]-s.busy0[0]) / float64(tot)
	}
	return u
}

// cpuStat returns busy and total jiffies of all CPUs from /proc/stat.
func cpuStat() [2]uint64 {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return [2]uint64{}
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	var total, idle uint64
	for i, x := range f[1:] {
		v, _ := strconv.ParseUint(x, 10, 64)
		total += v
		if i == 3 || i == 4 { // idle, iowait
			idle += v
		}
	}
	return [2]uint64{total - idle, total}
}

// mariadbPID returns the server's pid when the harness started it.
func (m *MariaDB) PID() int {
	if m == nil || m.state == "" {
		return 0
	}
	b, err := os.ReadFile(m.state)
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "PID="); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(v))
			return n
		}
	}
	return 0
}

// machineBusy returns the percentage of all CPUs busy over d.
func machineBusy(d time.Duration) float64 {
	b0 := cpuStat()
	time.Sleep(d)
	b1 := cpuStat()
	if tot := b1[1] - b0[1]; tot > 0 {
		return 100 * float64(b1[0]-b0[0]) / float64(tot)
	}
	return 0
}

// waitQuiet waits, up to -wait-quiet, until the machine is less than 20%
// busy (other developers' builds and tests share it) and records what it
// found.
func (e *Env) waitQuiet(ctx context.Context, scenario string) {
	limit := e.Opts.WaitQuiet
	deadline := time.Now().Add(limit)
	for ctx.Err() == nil {
		b := machineBusy(2 * time.Second)
		if b < 20 {
			e.Report.Note("%s: machine %.0f%% busy before the start", scenario, b)
			return
		}
		if limit <= 0 || time.Now().After(deadline) {
			e.Report.Note("%s: started with the machine %.0f%% busy from other processes (waited %s); latency figures are pessimistic", scenario, b, limit)
			logf("%s: machine %.0f%% busy; starting anyway", scenario, b)
			return
		}
		logf("%s: machine %.0f%% busy with other work; waiting (up to %s)", scenario, b, time.Until(deadline).Round(time.Second))
		time.Sleep(8 * time.Second)
	}
}
