package cron

import (
	"bufio"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// fixtureLine is one question of Quartz's reference answers.
type fixtureLine struct {
	line  int
	expr  string
	zone  string
	from  int64
	ok    bool
	times []int64
}

// repoRoot returns the directory holding go.mod, above the test's directory.
func repoRoot(tb testing.TB) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Fatal("go.mod not found above the test directory")
		}
		dir = parent
	}
}

// fixturePath returns ../shared/fixtures/cron/quartz_next_fire_times.tsv
// relative to the repository root.
func fixturePath(tb testing.TB) string {
	return filepath.Join(repoRoot(tb), "..", "shared", "fixtures", "cron", "quartz_next_fire_times.tsv")
}

// readFixture parses the fixture; it fails the test on malformed lines.
func readFixture(tb testing.TB) []fixtureLine {
	tb.Helper()
	f, err := os.Open(fixturePath(tb))
	if errors.Is(err, os.ErrNotExist) {
		tb.Skip("cron fixture not present: ", err)
	} else if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var out []fixtureLine
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		c := strings.Split(sc.Text(), "\t")
		if len(c) != 5 {
			tb.Fatalf("fixture line %d: %d columns", n, len(c))
		}
		from, err := strconv.ParseInt(c[2], 10, 64)
		if err != nil {
			tb.Fatalf("fixture line %d: %v", n, err)
		}
		fl := fixtureLine{line: n, expr: c[0], zone: c[1], from: from, ok: c[3] == "OK"}
		for _, s := range strings.Split(c[4], ",") {
			if s == "" {
				continue
			}
			ms, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				tb.Fatalf("fixture line %d: %v", n, err)
			}
			fl.times = append(fl.times, ms)
		}
		out = append(out, fl)
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}

// TestQuartzFixture checks every line of Quartz's reference answers:
// accept/reject, and the next ten fire times, each from the previous one.
func TestQuartzFixture(t *testing.T) {
	lines := readFixture(t)
	agree := 0
	for _, fl := range lines {
		if checkFixtureLine(t, fl) {
			agree++
		}
	}
	t.Logf("fixture agreement: %d/%d lines", agree, len(lines))
}

func checkFixtureLine(t *testing.T, fl fixtureLine) bool {
	t.Helper()
	e, err := Parse(fl.expr)
	if !fl.ok {
		if err == nil {
			t.Errorf("line %d: %q accepted, Quartz rejects it", fl.line, fl.expr)
			return false
		}
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("line %d: %q: error %T is not *SyntaxError", fl.line, fl.expr, err)
			return false
		}
		return true
	}
	if err != nil {
		t.Errorf("line %d: %q rejected (%v), Quartz accepts it", fl.line, fl.expr, err)
		return false
	}
	loc, err := time.LoadLocation(fl.zone)
	if err != nil {
		t.Fatalf("line %d: %v", fl.line, err)
	}
	got := nextTimes(e, time.UnixMilli(fl.from), loc, 10)
	if !equalInts(got, fl.times) {
		t.Errorf("line %d: %q in %s from %d:\n got  %v\n want %v", fl.line, fl.expr, fl.zone, fl.from, got, fl.times)
		return false
	}
	return true
}

// nextTimes returns up to n fire times in epoch milliseconds, each computed
// from the previous one.
func nextTimes(e *Expression, from time.Time, loc *time.Location, n int) []int64 {
	var out []int64
	for i := 0; i < n; i++ {
		next, ok := e.Next(from, loc)
		if !ok {
			break
		}
		out = append(out, next.UnixMilli())
		from = next
	}
	return out
}

func equalInts(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
