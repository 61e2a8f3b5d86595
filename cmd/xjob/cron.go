package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/xjob-dev/xjob/domain/cron"
)

const cronUsage = `Usage:
  xjob cron next [--tz ZONE] [--from RFC3339|EPOCH_MS] [-n N] [--format text|epochms] EXPR
  xjob cron next --batch < lines of EXPR<TAB>ZONE<TAB>FROM_EPOCH_MS
  xjob cron explain [--tz ZONE] [--from RFC3339|EPOCH_MS] EXPR

EXPR is a Quartz cron expression: second minute hour day-of-month month
day-of-week [year]; quote it, or pass its fields as separate arguments.
ZONE defaults to the local zone and FROM to now.
`

// runCron implements `xjob cron` (args exclude "cron"). It returns 0 on
// success, 2 for usage errors and invalid expressions, 1 when a --batch
// input line could not be read.
func runCron(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, cronUsage)
		return 2
	}
	switch args[0] {
	case "next":
		return runCronNext(args[1:], stdin, stdout, stderr)
	case "explain":
		return runCronExplain(args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, cronUsage)
		return 0
	}
	fmt.Fprintf(stderr, "xjob cron: unknown subcommand %q\n%s", args[0], cronUsage)
	return 2
}

// cronOptions are the flags shared by the cron subcommands.
type cronOptions struct {
	tz, from, format string
	n                int
	batch            bool
}

// parseCronFlags parses args into o; it reports usage errors itself and
// returns the remaining arguments.
func parseCronFlags(name string, args []string, o *cronOptions, stderr io.Writer) ([]string, bool) {
	fs := flag.NewFlagSet("xjob cron "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, cronUsage) }
	fs.StringVar(&o.tz, "tz", "", "IANA time zone to evaluate in (default: local zone)")
	fs.StringVar(&o.from, "from", "", "start instant, RFC 3339 or epoch milliseconds (default: now)")
	if name == "next" {
		fs.IntVar(&o.n, "n", 5, "number of fire times")
		fs.StringVar(&o.format, "format", "text", "output format: text (RFC 3339) or epochms")
		fs.BoolVar(&o.batch, "batch", false, "read EXPR<TAB>ZONE<TAB>FROM_EPOCH_MS lines on stdin")
	}
	if err := fs.Parse(args); err != nil {
		return nil, false
	}
	return fs.Args(), true
}

func runCronNext(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	o := cronOptions{}
	rest, ok := parseCronFlags("next", args, &o, stderr)
	if !ok {
		return 2
	}
	if o.batch {
		if len(rest) > 0 {
			return cronUsageError(stderr, "--batch takes no expression argument")
		}
		return runCronBatch(stdin, stdout, stderr)
	}
	if o.n < 1 {
		return cronUsageError(stderr, "-n must be 1 or more")
	}
	if o.format != "text" && o.format != "epochms" {
		return cronUsageError(stderr, fmt.Sprintf("unknown --format %q (want text or epochms)", o.format))
	}
	e, loc, from, code := prepareCron(rest, o, stderr)
	if code != 0 {
		return code
	}
	w := bufio.NewWriter(stdout)
	for _, t := range cronTimes(e, from, loc, o.n) {
		if o.format == "epochms" {
			fmt.Fprintln(w, t.UnixMilli())
		} else {
			fmt.Fprintln(w, t.Format(time.RFC3339))
		}
	}
	w.Flush()
	return 0
}

func runCronExplain(args []string, stdout, stderr io.Writer) int {
	o := cronOptions{}
	rest, ok := parseCronFlags("explain", args, &o, stderr)
	if !ok {
		return 2
	}
	e, loc, from, code := prepareCron(rest, o, stderr)
	if code != 0 {
		return code
	}
	fmt.Fprintln(stdout, e.Explain())
	times := cronTimes(e, from, loc, 5)
	for _, t := range times {
		fmt.Fprintln(stdout, t.Format(time.RFC3339))
	}
	if len(times) == 0 {
		fmt.Fprintln(stdout, "(never fires again)")
	}
	return 0
}

// prepareCron parses the expression, zone and start instant; code is the
// exit code to return when one of them is wrong (0 when all are fine).
func prepareCron(rest []string, o cronOptions, stderr io.Writer) (*cron.Expression, *time.Location, time.Time, int) {
	if len(rest) == 0 {
		return nil, nil, time.Time{}, cronUsageError(stderr, "missing cron expression")
	}
	loc := time.Local
	if o.tz != "" {
		l, err := time.LoadLocation(o.tz)
		if err != nil {
			return nil, nil, time.Time{}, cronUsageError(stderr, fmt.Sprintf("unknown --tz %q", o.tz))
		}
		loc = l
	}
	from := time.Now()
	if o.from != "" {
		t, err := parseCronFrom(o.from)
		if err != nil {
			return nil, nil, time.Time{}, cronUsageError(stderr, err.Error())
		}
		from = t
	}
	e, err := cron.Parse(strings.Join(rest, " "))
	if err != nil {
		fmt.Fprintf(stderr, "xjob cron: invalid expression: %v\n", err)
		return nil, nil, time.Time{}, 2
	}
	return e, loc, from, 0
}

// parseCronFrom reads epoch milliseconds or an RFC 3339 instant.
func parseCronFrom(s string) (time.Time, error) {
	if ms, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.UnixMilli(ms), nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("--from %q is neither RFC 3339 nor epoch milliseconds", s)
	}
	return t, nil
}

// cronTimes returns up to n fire times after from, each computed from the
// previous one, in loc.
func cronTimes(e *cron.Expression, from time.Time, loc *time.Location, n int) []time.Time {
	var out []time.Time
	for len(out) < n {
		next, ok := e.Next(from, loc)
		if !ok {
			break
		}
		out = append(out, next)
		from = next
	}
	return out
}

func cronUsageError(stderr io.Writer, msg string) int {
	fmt.Fprintf(stderr, "xjob cron: %s\n%s", msg, cronUsage)
	return 2
}

// runCronBatch answers EXPR<TAB>ZONE<TAB>FROM_EPOCH_MS lines in the format
// of the Quartz reference fixture: EXPR, ZONE, FROM, OK|ERR and up to ten
// comma-separated epoch-ms fire times. Blank lines are skipped; a line that
// cannot be read is answered ERR and reported on stderr (exit status 1).
func runCronBatch(stdin io.Reader, stdout, stderr io.Writer) int {
	sc := bufio.NewScanner(stdin)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	w := bufio.NewWriter(stdout)
	defer w.Flush()
	code := 0
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSuffix(sc.Text(), "\r")
		if strings.TrimSpace(line) == "" {
			continue
		}
		out, err := cronBatchLine(line)
		if err != nil {
			fmt.Fprintf(stderr, "xjob cron: line %d: %v\n", n, err)
			code = 1
		}
		w.WriteString(out)
		w.WriteByte('\n')
	}
	if err := sc.Err(); err != nil {
		fmt.Fprintf(stderr, "xjob cron: read input: %v\n", err)
		return 1
	}
	return code
}

// cronBatchLine answers one batch line. err reports a malformed line (not
// an invalid expression, which is an ordinary ERR answer).
func cronBatchLine(line string) (string, error) {
	cols := strings.SplitN(line, "\t", 4)
	for len(cols) < 3 {
		cols = append(cols, "")
	}
	expr, zone, fromText := cols[0], cols[1], cols[2]
	head := expr + "\t" + zone + "\t" + fromText + "\t"
	if len(cols) > 3 || zone == "" || fromText == "" {
		return head + "ERR\t", errors.New("want EXPR<TAB>ZONE<TAB>FROM_EPOCH_MS")
	}
	e, err := cron.Parse(expr)
	if err != nil {
		return head + "ERR\t", nil
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		return head + "ERR\t", fmt.Errorf("unknown zone %q", zone)
	}
	ms, err := strconv.ParseInt(fromText, 10, 64)
	if err != nil {
		return head + "ERR\t", fmt.Errorf("FROM %q is not epoch milliseconds", fromText)
	}
	var b strings.Builder
	b.WriteString(head + "OK\t")
	for i, t := range cronTimes(e, time.UnixMilli(ms), loc, 10) {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatInt(t.UnixMilli(), 10))
	}
	return b.String(), nil
}
