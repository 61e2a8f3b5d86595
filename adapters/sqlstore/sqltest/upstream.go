package sqltest

import (
	"bufio"
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// UpstreamScript returns the path of an upstream schema fixture in ../shared.
func UpstreamScript(t testing.TB, version string) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	p := filepath.Join(filepath.Dir(file), "..", "..", "..", "..", "shared", "fixtures", "upstream", "tables_xxl_job-"+version+".sql")
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("upstream fixture: %v", err)
	}
	return p
}

// LoadScript runs an upstream script statement by statement in db, skipping
// its CREATE DATABASE and USE lines (the test database is already selected).
func LoadScript(t testing.TB, db *sql.DB, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var stmt strings.Builder
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		trim := strings.TrimSpace(line)
		if stmt.Len() == 0 && (trim == "" || strings.HasPrefix(trim, "#") || strings.HasPrefix(trim, "--")) {
			continue
		}
		stmt.WriteString(line + "\n")
		if !strings.HasSuffix(trim, ";") {
			continue
		}
		q := strings.TrimSpace(stmt.String())
		stmt.Reset()
		lower := strings.ToLower(q)
		if strings.HasPrefix(lower, "create database") || strings.HasPrefix(lower, "use ") {
			continue
		}
		if _, err := db.ExecContext(context.Background(), q); err != nil {
			t.Fatalf("%s: %v\n%s", filepath.Base(path), err, q)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
}
