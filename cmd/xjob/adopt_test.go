package main

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"github.com/xjob-dev/xjob/adapters/sqlstore/sqltest"
	"github.com/xjob-dev/xjob/migrations"
)

// TestServeAdoptsUpstreamDatabase points `xjob serve` at a MariaDB database
// created by XXL-JOB's own 3.4.2 script: it starts, schedules nothing it
// should not, and leaves every upstream table's definition and data as they
// were (xjob adds only its own xjob_* tables).
func TestServeAdoptsUpstreamDatabase(t *testing.T) {
	name := sqltest.MustCreateMySQLDatabase(t)
	raw := sqltest.RawMySQL(t, name)
	sqltest.LoadScript(t, raw, sqltest.UpstreamScript(t, "3.4.2"))
	before := snapshot(t, raw)

	s := startServe(t, nil, "--db", "mysql:"+sqltest.MySQLDSN(t, name), "--data-dir", t.TempDir(),
		"--listen", "127.0.0.1:0", "--access-token", "adopt-test-token-0123456789", "--timezone", "Asia/Shanghai")
	if code, _ := get(t, s.URL+"/readyz"); code != 200 {
		t.Fatalf("/readyz = %d", code)
	}
	if strings.Contains(strings.Join(s.banner, "\n"), "password") {
		t.Errorf("serve created an admin on a database that has one:\n%s", strings.Join(s.banner, "\n"))
	}
	s.stop(t)
	if !strings.Contains(s.stderr.String(), "adopted XXL-JOB 3.4 database") {
		t.Errorf("serve did not report the adoption; stderr:\n%s", s.stderr)
	}
	after := snapshot(t, raw)
	for table, b := range before {
		if after[table] != b {
			t.Errorf("upstream table %s changed:\nbefore %s\nafter  %s", table, b, after[table])
		}
	}
	var n int
	if err := raw.QueryRow("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME LIKE 'xjob\\_%'", name).Scan(&n); err != nil || n == 0 {
		t.Errorf("xjob's own tables were not created: %d, %v", n, err)
	}
}

// snapshot returns, per upstream table, its definition and a checksum of
// its rows. xxl_job_log_report holds derived counts that every admin (the
// Java one too) rewrites each minute, so only its definition counts.
func snapshot(t *testing.T, db *sql.DB) map[string]string {
	t.Helper()
	out := map[string]string{}
	ctx := context.Background()
	for _, table := range migrations.UpstreamTables {
		var name, create string
		if err := db.QueryRowContext(ctx, "SHOW CREATE TABLE "+table).Scan(&name, &create); err != nil {
			t.Fatalf("show create table %s: %v", table, err)
		}
		var sum sql.NullInt64
		if table != "xxl_job_log_report" {
			if err := db.QueryRowContext(ctx, "CHECKSUM TABLE "+table).Scan(&name, &sum); err != nil {
				t.Fatalf("checksum table %s: %v", table, err)
			}
		}
		// The AUTO_INCREMENT counter is not data; drop it from the definition.
		create = strings.Join(strings.FieldsFunc(create, func(r rune) bool { return r == '\n' }), " ")
		out[table] = fmt.Sprintf("%s checksum=%d", stripAutoInc(create), sum.Int64)
	}
	return out
}

func stripAutoInc(create string) string {
	fields := strings.Fields(create)
	kept := fields[:0]
	for _, f := range fields {
		if !strings.HasPrefix(f, "AUTO_INCREMENT=") {
			kept = append(kept, f)
		}
	}
	return strings.Join(kept, " ")
}
