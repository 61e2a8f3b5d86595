package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// binary is the xjob binary built once for the end-to-end tests.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "xjob-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "xjob")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build xjob: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// server is a running `xjob serve` process.
type server struct {
	cmd    *exec.Cmd
	URL    string
	banner []string
	stderr *strings.Builder
	done   chan error
}

var listenRE = regexp.MustCompile(`listening on (http://\S+)`)

// startServe runs `xjob serve args…` and waits until it prints its URL.
func startServe(t *testing.T, env []string, args ...string) *server {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"serve"}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	s := &server{cmd: cmd, stderr: &strings.Builder{}, done: make(chan error, 1)}
	cmd.Stderr = syncWriter{s.stderr}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		s.done <- cmd.Wait()
	}()
	t.Cleanup(func() { s.stop(t) })
	deadline := time.After(30 * time.Second)
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("serve exited before listening; stderr:\n%s", s.stderr)
			}
			s.banner = append(s.banner, l)
			if m := listenRE.FindStringSubmatch(l); m != nil {
				s.URL = strings.TrimSuffix(m[1], "/")
				// The secrets follow the URL line at once.
				time.Sleep(200 * time.Millisecond)
				for more := true; more; {
					select {
					case l, ok := <-lines:
						if ok {
							s.banner = append(s.banner, l)
						}
						more = ok
					default:
						more = false
					}
				}
				return s
			}
		case <-deadline:
			t.Fatalf("serve did not print its URL; stderr:\n%s", s.stderr)
		}
	}
}

// stop sends SIGTERM and waits for a clean exit.
func (s *server) stop(t *testing.T) {
	if s.cmd.ProcessState != nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-s.done:
		if err != nil {
			t.Errorf("serve exited with %v; stderr:\n%s", err, s.stderr)
		}
	case <-time.After(30 * time.Second):
		_ = s.cmd.Process.Kill()
		t.Errorf("serve did not stop on SIGTERM")
	}
}

type syncWriter struct{ b *strings.Builder }

func (w syncWriter) Write(p []byte) (int, error) { return w.b.Write(p) }

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestServeFirstStartIsSecure(t *testing.T) {
	dir := t.TempDir()
	args := []string{"--db", "sqlite:" + filepath.Join(dir, "xjob.db"), "--data-dir", dir, "--listen", "127.0.0.1:0"}
	s := startServe(t, nil, args...)
	banner := strings.Join(s.banner, "\n")
	pw := regexp.MustCompile(`created user "admin" with password (\S+)`).FindStringSubmatch(banner)
	if pw == nil || pw[1] == "123456" || len(pw[1]) < 12 {
		t.Fatalf("banner lacks a random admin password:\n%s", banner)
	}
	tok := regexp.MustCompile(`executor access token: (\S+)`).FindStringSubmatch(banner)
	if tok == nil || tok[1] == "default_token" || len(tok[1]) < 32 {
		t.Fatalf("banner lacks a random access token:\n%s", banner)
	}
	kept, err := os.ReadFile(filepath.Join(dir, "access-token"))
	if err != nil || strings.TrimSpace(string(kept)) != tok[1] {
		t.Fatalf("token not kept in the data dir: %q, %v", kept, err)
	}
	if code, body := get(t, s.URL+"/healthz"); code != 200 || !strings.Contains(body, "ok") {
		t.Fatalf("/healthz = %d %q", code, body)
	}
	if code, _ := get(t, s.URL+"/readyz"); code != 200 {
		t.Fatalf("/readyz = %d", code)
	}
	s.stop(t)

	// A second start keeps the admin and the token and shows neither again.
	s2 := startServe(t, nil, args...)
	banner2 := strings.Join(s2.banner, "\n")
	if strings.Contains(banner2, "password") || strings.Contains(banner2, tok[1]) {
		t.Fatalf("second start shows secrets again:\n%s", banner2)
	}
}

func TestServeBadConfigFailsFast(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "x.db")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknownLanguage", []string{"--lang", "fr"}, "--lang"},
		{"badDSN", []string{"--db", "oracle:x"}, "--db"},
		{"unreachableDB", []string{"--db", "mysql:root@tcp(127.0.0.1:1)/xxl_job?timeout=1s"}, "--db"},
		{"portInUse", []string{"--db", db, "--listen", busy.Addr().String()}, "--listen"},
		{"unknownZone", []string{"--timezone", "Nowhere/Land"}, "--timezone"},
		{"strayArgument", []string{"extra"}, "extra"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			args := append([]string{"serve", "--data-dir", dir}, tt.args...)
			cmd := exec.CommandContext(ctx, binary, args...)
			var stderr strings.Builder
			cmd.Stderr = &stderr
			err := cmd.Run()
			if err == nil {
				t.Fatal("serve succeeded; want failure")
			}
			out := strings.TrimSpace(stderr.String())
			lines := strings.Split(out, "\n")
			last := lines[len(lines)-1]
			if !strings.Contains(last, tt.want) {
				t.Fatalf("last stderr line %q does not name %s; stderr:\n%s", last, tt.want, out)
			}
		})
	}
}

func TestVersionAndUsage(t *testing.T) {
	out, err := exec.Command(binary, "version").Output()
	if err != nil || !strings.HasPrefix(string(out), "xjob ") {
		t.Fatalf("version: %q %v", out, err)
	}
	cmd := exec.Command(binary, "nonsense")
	if err := cmd.Run(); err == nil {
		t.Fatal("unknown command succeeded")
	}
	help, _ := exec.Command(binary, "serve", "--help").CombinedOutput()
	for _, want := range []string{"XJOB_DB", "sqlite:./data/xjob.db", ":8080", "XJOB_LANG"} {
		if !strings.Contains(string(help), want) {
			t.Errorf("serve --help lacks %q", want)
		}
	}
}
