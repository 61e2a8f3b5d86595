package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// cronFixture returns the Quartz reference answers: the file
// ../shared/fixtures/cron/quartz_next_fire_times.tsv next to the directory
// holding go.mod.
func cronFixture(t *testing.T) []byte {
	t.Helper()
	dir, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		if filepath.Dir(dir) == dir {
			t.Fatal("go.mod not found")
		}
		dir = filepath.Dir(dir)
	}
	data, err := os.ReadFile(filepath.Join(dir, "..", "shared", "fixtures", "cron", "quartz_next_fire_times.tsv"))
	if os.IsNotExist(err) {
		t.Skip("cron fixture not present")
	} else if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestCronBatchMatchesFixture feeds the fixture's first three columns to
// `xjob cron next --batch` and expects the fixture back byte for byte.
func TestCronBatchMatchesFixture(t *testing.T) {
	want := cronFixture(t)
	var in bytes.Buffer
	for _, line := range strings.SplitAfter(string(want), "\n") {
		if line == "" {
			continue
		}
		cols := strings.SplitN(strings.TrimSuffix(line, "\n"), "\t", 4)
		in.WriteString(strings.Join(cols[:3], "\t") + "\n")
	}
	var out, errOut bytes.Buffer
	if code := runCron([]string{"next", "--batch"}, &in, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	if !bytes.Equal(out.Bytes(), want) {
		gotLines, wantLines := strings.Split(out.String(), "\n"), strings.Split(string(want), "\n")
		for i := range wantLines {
			if i >= len(gotLines) || gotLines[i] != wantLines[i] {
				t.Fatalf("line %d differs:\n got  %q\n want %q", i+1, at(gotLines, i), wantLines[i])
			}
		}
		t.Fatalf("output has %d lines, want %d", len(gotLines), len(wantLines))
	}
}

func at(lines []string, i int) string {
	if i < len(lines) {
		return lines[i]
	}
	return "<missing>"
}

func TestCronBatchBadLines(t *testing.T) {
	in := strings.NewReader("0 0 0 * * ?\tMars/Base\t0\n\n0 0 0 * * ?\tUTC\tsoon\nonly-one-column\n* * *\tUTC\t0\n")
	var out, errOut bytes.Buffer
	code := runCron([]string{"next", "--batch"}, in, &out, &errOut)
	want := "0 0 0 * * ?\tMars/Base\t0\tERR\t\n" +
		"0 0 0 * * ?\tUTC\tsoon\tERR\t\n" +
		"only-one-column\t\t\tERR\t\n" +
		"* * *\tUTC\t0\tERR\t\n"
	if code != 1 || out.String() != want {
		t.Errorf("exit %d, output:\n%s\nwant:\n%s", code, out.String(), want)
	}
	if n := strings.Count(errOut.String(), "\n"); n != 3 {
		t.Errorf("stderr has %d lines, want 3:\n%s", n, errOut.String())
	}
}

func TestCronCommands(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		code       int
		stdout     string // exact, when not ""
		stderrPart string
	}{
		{"NextText", []string{"next", "--tz", "Asia/Shanghai", "--from", "2026-05-17T00:00:00Z", "-n", "3", "0 0 9 ? * MON-FRI"}, 0,
			"2026-05-18T09:00:00+08:00\n2026-05-19T09:00:00+08:00\n2026-05-20T09:00:00+08:00\n", ""},
		{"NextEpochMs", []string{"next", "--tz", "UTC", "--from", "1795255200000", "-n", "2", "--format", "epochms", "0/5 * * * * ?"}, 0,
			"1795255205000\n1795255210000\n", ""},
		{"NextDefaultFive", []string{"next", "--tz", "UTC", "--from", "2026-01-01T00:00:00Z", "0 0 0 1 * ?"}, 0,
			"2026-02-01T00:00:00Z\n2026-03-01T00:00:00Z\n2026-04-01T00:00:00Z\n2026-05-01T00:00:00Z\n2026-06-01T00:00:00Z\n", ""},
		{"NextUnquotedFields", []string{"next", "--tz", "UTC", "--from", "0", "-n", "1", "0", "0", "12", "*", "*", "?"}, 0,
			"1970-01-01T12:00:00Z\n", ""},
		{"NextStops", []string{"next", "--tz", "UTC", "--from", "2026-01-01T00:00:00Z", "0 0 0 1 1 ? 2027"}, 0,
			"2027-01-01T00:00:00Z\n", ""},
		{"Explain", []string{"explain", "--tz", "UTC", "--from", "2026-05-17T00:00:00Z", "0 15 10 ? * 6L"}, 0,
			"At 10:15:00, on the last Friday of the month\n2026-05-29T10:15:00Z\n2026-06-26T10:15:00Z\n2026-07-31T10:15:00Z\n2026-08-28T10:15:00Z\n2026-09-25T10:15:00Z\n", ""},
		{"ExplainNever", []string{"explain", "--tz", "UTC", "0 0 0 30 2 ?"}, 0,
			"At 00:00:00, on day 30, in February\n(never fires again)\n", ""},
		{"InvalidExpression", []string{"next", "0 0 0 ? * 8"}, 2, "", `day-of-week: "8" is out of range 1-7`},
		{"MissingExpression", []string{"next", "--tz", "UTC"}, 2, "", "missing cron expression"},
		{"BadZone", []string{"next", "--tz", "Mars/Base", "0 0 0 * * ?"}, 2, "", "unknown --tz"},
		{"BadFrom", []string{"next", "--from", "yesterday", "0 0 0 * * ?"}, 2, "", "--from"},
		{"BadN", []string{"next", "-n", "0", "0 0 0 * * ?"}, 2, "", "-n must be"},
		{"BadFormat", []string{"next", "--format", "json", "0 0 0 * * ?"}, 2, "", "unknown --format"},
		{"UnknownFlag", []string{"next", "--bogus", "0 0 0 * * ?"}, 2, "", "bogus"},
		{"BatchWithExpression", []string{"next", "--batch", "0 0 0 * * ?"}, 2, "", "--batch takes no expression"},
		{"UnknownSubcommand", []string{"prev"}, 2, "", "unknown subcommand"},
		{"NoSubcommand", nil, 2, "", "Usage:"},
		{"Help", []string{"help"}, 0, cronUsage, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := runCron(tt.args, strings.NewReader(""), &out, &errOut)
			if code != tt.code {
				t.Errorf("exit %d, want %d (stderr %q)", code, tt.code, errOut.String())
			}
			if tt.stdout != "" && out.String() != tt.stdout {
				t.Errorf("stdout:\n%s\nwant:\n%s", out.String(), tt.stdout)
			}
			if !strings.Contains(errOut.String(), tt.stderrPart) {
				t.Errorf("stderr %q does not mention %q", errOut.String(), tt.stderrPart)
			}
		})
	}
}
