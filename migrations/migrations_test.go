package migrations

import (
	"io/fs"
	"regexp"
	"slices"
	"strings"
	"testing"
)

var nameRE = regexp.MustCompile(`^(\d{14})_([0-9a-z_]+)\.(tx\.)?up\.sql$`)

// versions lists the migration versions of a dialect, checking file names.
func versions(t *testing.T, fsys fs.FS) []string {
	t.Helper()
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		m := nameRE.FindStringSubmatch(e.Name())
		if m == nil {
			t.Errorf("%s: want <14-digit version>_<name>[.tx].up.sql", e.Name())
			continue
		}
		if slices.Contains(out, m[1]) {
			t.Errorf("version %s used twice", m[1])
		}
		out = append(out, m[1])
		b, err := fs.ReadFile(fsys, e.Name())
		if err != nil {
			t.Fatal(err)
		}
		for i, chunk := range strings.Split(string(b), "--bun:split\n") {
			if !hasStatement(chunk) {
				t.Errorf("%s: statement %d is empty or only comments (MySQL rejects it)", e.Name(), i+1)
			}
		}
	}
	return out
}

func hasStatement(chunk string) bool {
	for _, line := range strings.Split(chunk, "\n") {
		if l := strings.TrimSpace(line); l != "" && !strings.HasPrefix(l, "--") {
			return true
		}
	}
	return false
}

// TestDialectsMatch: both dialects have the same migrations, starting with Base.
func TestDialectsMatch(t *testing.T) {
	my, lite := versions(t, MySQL()), versions(t, SQLite())
	if !slices.Equal(my, lite) {
		t.Errorf("mysql versions %v, sqlite versions %v", my, lite)
	}
	if len(my) == 0 || my[0] != Base {
		t.Errorf("first migration %v, want Base %s", my, Base)
	}
}

// TestBaseCreatesUpstreamTables: Base creates exactly the upstream tables,
// seeds no user, and later migrations touch no upstream table.
func TestBaseCreatesUpstreamTables(t *testing.T) {
	createRE := regexp.MustCompile("(?i)CREATE TABLE (?:IF NOT EXISTS )?`?([a-z_]+)`?")
	alterRE := regexp.MustCompile("(?i)(ALTER|DROP|RENAME) TABLE[^;]*xxl_job_")
	for name, fsys := range map[string]fs.FS{"mysql": MySQL(), "sqlite": SQLite()} {
		entries, _ := fs.ReadDir(fsys, ".")
		for _, e := range entries {
			b, _ := fs.ReadFile(fsys, e.Name())
			var tables []string
			for _, m := range createRE.FindAllStringSubmatch(string(b), -1) {
				tables = append(tables, m[1])
			}
			if strings.HasPrefix(e.Name(), Base) {
				if !slices.Equal(tables, UpstreamTables) {
					t.Errorf("%s/%s creates %v, want %v", name, e.Name(), tables, UpstreamTables)
				}
				if strings.Contains(strings.ToLower(string(b)), "insert into xxl_job_user") ||
					strings.Contains(strings.ToLower(string(b)), "insert into `xxl_job_user`") {
					t.Errorf("%s/%s seeds a user", name, e.Name())
				}
				continue
			}
			for _, tb := range tables {
				if !strings.HasPrefix(tb, "xjob_") {
					t.Errorf("%s/%s creates %s: xjob's own tables start with xjob_", name, e.Name(), tb)
				}
			}
			if alterRE.Match(b) {
				t.Errorf("%s/%s alters an upstream table", name, e.Name())
			}
		}
	}
}
