package executor

import (
	"bufio"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestCleanOldLogs(t *testing.T) {
	dir := t.TempDir()
	now := time.Date(2026, 11, 21, 10, 0, 0, 0, time.Local)
	for _, name := range []string{"2026-11-21", "2026-11-18", "2026-11-17", "2026-10-01", "gluesource", "callbacklog", "not-a-date"} {
		if err := os.MkdirAll(filepath.Join(dir, name), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "2020-01-01"), nil, 0o644); err != nil { // a file, not a day dir
		t.Fatal(err)
	}
	cleanOldLogs(dir, 3, now, slog.New(slog.NewTextHandler(io.Discard, nil)))
	entries, _ := os.ReadDir(dir)
	var left []string
	for _, e := range entries {
		left = append(left, e.Name())
	}
	want := []string{"2020-01-01", "2026-11-18", "2026-11-21", "callbacklog", "gluesource", "not-a-date"}
	if !slices.Equal(left, want) {
		t.Errorf("left %v, want %v", left, want)
	}
}

func TestScanLines(t *testing.T) {
	long := strings.Repeat("x", 70000) // longer than bufio's buffer
	tests := []struct {
		name     string
		content  string
		from     int
		partial  bool
		wantTo   int
		wantText string
	}{
		{"OK", "a\nb\nc\n", 1, true, 3, "a\nb\nc\n"},
		{"FromMiddle", "a\nb\nc\n", 2, true, 3, "b\nc\n"},
		{"PastEnd", "a\nb\n", 5, true, 2, ""},
		{"Empty", "", 1, true, 0, ""},
		{"PartialHeld", "a\nb", 1, false, 1, "a\n"},
		{"PartialGiven", "a\nb", 1, true, 2, "a\nb\n"},
		{"LongLineSkipped", long + "\nz\n", 2, true, 2, "z\n"},
		{"LongLineKept", "a\n" + long + "\n", 2, true, 2, long + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, complete := scanLines(bufio.NewReader(strings.NewReader(tt.content)), tt.from, tt.partial)
			if res.ToLineNum != tt.wantTo || res.LogContent != tt.wantText || !complete {
				t.Errorf("got to=%d complete=%v %.40q", res.ToLineNum, complete, res.LogContent)
			}
		})
	}
}

func TestScanLines_Chunked(t *testing.T) {
	line := strings.Repeat("y", 1000) + "\n"
	content := strings.Repeat(line, 2000) // ~2 MB
	res, complete := scanLines(bufio.NewReader(strings.NewReader(content)), 1, true)
	if complete || len(res.LogContent) > maxLogChunk || res.ToLineNum == 0 {
		t.Fatalf("first chunk: to=%d complete=%v len=%d", res.ToLineNum, complete, len(res.LogContent))
	}
	res2, complete2 := scanLines(bufio.NewReader(strings.NewReader(content)), res.ToLineNum+1, true)
	if !complete2 || res2.ToLineNum != 2000 || len(res.LogContent)+len(res2.LogContent) != len(content) {
		t.Errorf("second chunk: to=%d complete=%v", res2.ToLineNum, complete2)
	}
}
