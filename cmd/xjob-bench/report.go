package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"sync"
	"time"
)

// Figure is one measured number, with its goal and, where one applies,
// the ceiling it is compared to.
type Figure struct {
	Scenario string  `json:"scenario"`
	Name     string  `json:"name"`
	Value    float64 `json:"value"`
	Unit     string  `json:"unit"`
	Goal     string  `json:"goal,omitempty"` // e.g. "<= 20"
	Met      *bool   `json:"met,omitempty"`
	Ceiling  string  `json:"ceiling,omitempty"` // key of Report.CeilingValues
	Ratio    float64 `json:"ratio,omitempty"`   // Value / ceiling
}

// Report is the result file.
type Report struct {
	Date          string             `json:"date"`
	Machine       map[string]string  `json:"machine"`
	Versions      map[string]string  `json:"versions"`
	Scenarios     []string           `json:"scenarios"`
	Ceilings      *Ceilings          `json:"ceilings,omitempty"`
	CeilingValues map[string]float64 `json:"ceilingValues"`
	Figures       []Figure           `json:"figures"`
	Details       map[string]any     `json:"details"`
	Notes         []string           `json:"notes"`
	mu            sync.Mutex
}

// Ceiling names used by figures.
const (
	ceilHTTP     = "loopback HTTP /run, 64 conns"
	ceilCommit1  = "MariaDB 1-row commits, 1 conn"
	ceilCommit16 = "MariaDB 1-row commits, 16 conns"
	ceilBatch    = "MariaDB 100-row INSERT rows"
)

func newReport() *Report {
	return &Report{Date: time.Now().Format(time.RFC3339), Machine: machineInfo(), Versions: map[string]string{},
		CeilingValues: map[string]float64{}, Details: map[string]any{}}
}

// Add records a figure.
func (r *Report) Add(f Figure) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.Figures = append(r.Figures, f)
}

// AddGoal records a figure with a goal: "<= x" or ">= x" against goal.
func (r *Report) AddGoal(scenario, name string, v float64, unit, op string, goal float64, ceiling string) {
	met := v <= goal
	if op == ">=" {
		met = v >= goal
	}
	r.Add(Figure{Scenario: scenario, Name: name, Value: v, Unit: unit, Goal: fmt.Sprintf("%s %s", op, fmtNum(goal)), Met: &met, Ceiling: ceiling})
}

// Note records a remark for the report.
func (r *Report) Note(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.Notes = append(r.Notes, fmt.Sprintf(format, args...))
}

// Detail stores raw data under key.
func (r *Report) Detail(key string, v any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.Details[key] = v
}

// ApplyCeilings fills the ratios of figures whose ceiling was measured.
func (r *Report) ApplyCeilings() {
	for i := range r.Figures {
		if c := r.CeilingValues[r.Figures[i].Ceiling]; c > 0 {
			r.Figures[i].Ratio = r.Figures[i].Value / c
		}
	}
}

// WriteJSON writes the result file.
func (r *Report) WriteJSON(path string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}

// WriteMarkdown prints the figures as a Markdown table.
func (r *Report) WriteMarkdown(w io.Writer) {
	fmt.Fprintf(w, "\n### xjob-bench %s\n\n", r.Date)
	fmt.Fprintf(w, "Machine: %s CPUs (%s), %s RAM; %s; MariaDB %s; xjob %s\n\n",
		r.Machine["nproc"], r.Machine["cpu"], r.Machine["memory"], r.Versions["go"], r.Versions["mariadb"], r.Versions["xjob"])
	if len(r.CeilingValues) > 0 {
		fmt.Fprintln(w, "| ceiling | value |")
		fmt.Fprintln(w, "|---|---|")
		for _, k := range []string{ceilHTTP, "loopback HTTP /run, 1 conn", ceilCommit1, ceilCommit16, ceilBatch} {
			if v, ok := r.CeilingValues[k]; ok {
				fmt.Fprintf(w, "| %s | %s/s |\n", k, fmtNum(v))
			}
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w, "| scenario | figure | value | goal | met | vs ceiling |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|")
	for _, f := range r.Figures {
		met := ""
		if f.Met != nil {
			met = map[bool]string{true: "yes", false: "**no**"}[*f.Met]
		}
		ratio := ""
		if f.Ratio > 0 {
			ratio = fmt.Sprintf("%.1f%% of %s", 100*f.Ratio, f.Ceiling)
		}
		fmt.Fprintf(w, "| %s | %s | %s %s | %s | %s | %s |\n", f.Scenario, f.Name, fmtNum(f.Value), f.Unit, f.Goal, met, ratio)
	}
	if len(r.Notes) > 0 {
		fmt.Fprintln(w)
		for _, n := range r.Notes {
			fmt.Fprintf(w, "- %s\n", n)
		}
	}
}

// fmtNum prints a number with thin grouping and sensible precision.
func fmtNum(v float64) string {
	switch {
	case v == float64(int64(v)) && (v >= 1000 || v <= -1000):
		return group(fmt.Sprintf("%d", int64(v)))
	case v >= 1000 || v <= -1000:
		return group(fmt.Sprintf("%.0f", v))
	case v >= 100 || v <= -100:
		return fmt.Sprintf("%.0f", v)
	case v == float64(int64(v)):
		return fmt.Sprintf("%d", int64(v))
	case v >= 10 || v <= -10:
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.2f", v)
}

func group(s string) string {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

func machineInfo() map[string]string {
	m := map[string]string{"nproc": fmt.Sprint(runtime.NumCPU()), "os": runtime.GOOS + "/" + runtime.GOARCH}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
				m["cpu"] = strings.TrimSpace(v)
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if f := strings.Fields(l); len(f) >= 2 && f[0] == "MemTotal:" {
				var kb float64
				fmt.Sscan(f[1], &kb)
				m["memory"] = fmt.Sprintf("%.1f GiB", kb/1024/1024)
			}
		}
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m["kernel"] = strings.TrimSpace(string(b))
	}
	return m
}
