package sqlstore_test

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"testing"

	"github.com/xjob-dev/xjob/adapters/sqlstore"
	"github.com/xjob-dev/xjob/adapters/sqlstore/sqltest"
	"github.com/xjob-dev/xjob/domain"
	"github.com/xjob-dev/xjob/migrations"
	"github.com/xjob-dev/xjob/ports"
)

// schemaOf describes the upstream tables of database name, one line per
// table, column and index-column, from information_schema.
func schemaOf(t *testing.T, db *sql.DB, name string) []string {
	t.Helper()
	var out []string
	query := func(q string) {
		rows, err := db.QueryContext(context.Background(), q, name)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]sql.NullString, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			var parts []string
			for i, v := range vals {
				s := "NULL"
				if v.Valid {
					s = v.String
				}
				parts = append(parts, cols[i]+"="+s)
			}
			out = append(out, strings.Join(parts, " "))
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
	}
	query(`SELECT TABLE_NAME, ENGINE, TABLE_COLLATION FROM information_schema.TABLES
		WHERE TABLE_SCHEMA = ? AND TABLE_NAME LIKE 'xxl!_job!_%' ESCAPE '!' ORDER BY TABLE_NAME`)
	query(`SELECT TABLE_NAME, ORDINAL_POSITION, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT, EXTRA,
		CHARACTER_SET_NAME, COLLATION_NAME FROM information_schema.COLUMNS
		WHERE TABLE_SCHEMA = ? AND TABLE_NAME LIKE 'xxl!_job!_%' ESCAPE '!' ORDER BY TABLE_NAME, ORDINAL_POSITION`)
	query(`SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE, SEQ_IN_INDEX, COLUMN_NAME, INDEX_TYPE FROM information_schema.STATISTICS
		WHERE TABLE_SCHEMA = ? AND TABLE_NAME LIKE 'xxl!_job!_%' ESCAPE '!' ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX`)
	return out
}

func diffLines(a, b []string) (onlyA, onlyB []string) {
	for _, s := range a {
		if !slices.Contains(b, s) {
			onlyA = append(onlyA, s)
		}
	}
	for _, s := range b {
		if !slices.Contains(a, s) {
			onlyB = append(onlyB, s)
		}
	}
	return onlyA, onlyB
}

// TestMySQLSchemaMatchesUpstream loads upstream's 3.4.2 script into one
// database and runs xjob's migrations on another: every upstream table must
// come out identical (columns, types, nullability, defaults, charset,
// indexes).
func TestMySQLSchemaMatchesUpstream(t *testing.T) {
	upName := sqltest.MustCreateMySQLDatabase(t)
	raw := sqltest.RawMySQL(t, upName)
	sqltest.LoadScript(t, raw, sqltest.UpstreamScript(t, "3.4.2"))

	db := sqltest.MustOpenMySQL(t)
	var ours string
	if err := db.Bun().QueryRowContext(t.Context(), "SELECT DATABASE()").Scan(&ours); err != nil {
		t.Fatal(err)
	}
	want, got := schemaOf(t, raw, upName), schemaOf(t, raw, ours)
	if len(want) < 60 {
		t.Fatalf("upstream schema has only %d lines", len(want))
	}
	if onlyUp, onlyOurs := diffLines(want, got); len(onlyUp)+len(onlyOurs) > 0 {
		t.Errorf("schema differs from upstream 3.4.2\nonly upstream:\n  %s\nonly xjob:\n  %s",
			strings.Join(onlyUp, "\n  "), strings.Join(onlyOurs, "\n  "))
	}
	var tables []string
	for _, l := range want {
		if strings.HasPrefix(l, "TABLE_NAME=") && strings.Contains(l, " ENGINE=") {
			tables = append(tables, strings.Fields(l)[0][len("TABLE_NAME="):])
		}
	}
	slices.Sort(tables)
	if !slices.Equal(tables, slices.Sorted(slices.Values(migrations.UpstreamTables))) {
		t.Errorf("upstream tables %v, migrations.UpstreamTables %v", tables, migrations.UpstreamTables)
	}
	// Seeds: the lock row and a sample group, and no user.
	var locks, users, groups int
	raw2 := sqltest.RawMySQL(t, ours)
	for q, n := range map[string]*int{
		"SELECT COUNT(*) FROM xxl_job_lock WHERE lock_name = 'schedule_lock'":           &locks,
		"SELECT COUNT(*) FROM xxl_job_user":                                             &users,
		"SELECT COUNT(*) FROM xxl_job_group WHERE app_name = 'xxl-job-executor-sample'": &groups,
	} {
		if err := raw2.QueryRow(q).Scan(n); err != nil {
			t.Fatal(err)
		}
	}
	if locks != 1 || users != 0 || groups != 1 {
		t.Errorf("seeds: %d lock rows, %d users, %d sample groups; want 1, 0, 1", locks, users, groups)
	}
	if s := db.Schema(); !s.Created || s.Adopted || s.Upstream != "3.4" || s.ScheduleLockMissing || len(s.Changes) > 0 {
		t.Errorf("Schema() = %+v", s)
	}
	for _, bookkeeping := range []string{"xjob_migrations", "xjob_migration_locks", "xjob_job_ext"} {
		var n int
		if err := raw2.QueryRow("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?", bookkeeping).Scan(&n); err != nil || n != 1 {
			t.Errorf("table %s: %d, %v", bookkeeping, n, err)
		}
	}
}

// TestMySQLAdoption loads upstream 2.4.2 and 3.4.2 databases with their
// seed rows, opens them with sqlstore and checks that only the documented
// additive changes were made and the seeded rows read back.
func TestMySQLAdoption(t *testing.T) {
	for _, tc := range []struct {
		version, family string
		changes         []string // schemaOf lines that differ: before → after
		jobs            []string
		userHashLen     int
	}{
		{"2.4.2", "2.4", []string{"password", "token"}, []string{"测试任务1"}, 32},
		{"3.4.2", "3.4", nil, []string{"示例任务01", "Ollama示例任务", "Dify示例任务", "OpenClaw示例任务"}, 64},
	} {
		t.Run(tc.version, func(t *testing.T) {
			name := sqltest.MustCreateMySQLDatabase(t)
			raw := sqltest.RawMySQL(t, name)
			sqltest.LoadScript(t, raw, sqltest.UpstreamScript(t, tc.version))
			before := schemaOf(t, raw, name)

			db, cleanup, err := sqlstore.Open(t.Context(), "mysql:"+sqltest.MySQLDSN(t, name), sqlstore.WithLocation(sqltest.Location))
			if err != nil {
				t.Fatal(err)
			}
			defer cleanup()
			s := db.Schema()
			if !s.Adopted || s.Created || s.Upstream != tc.family || s.ScheduleLockMissing {
				t.Errorf("Schema() = %+v", s)
			}
			t.Log(s)
			after := schemaOf(t, raw, name)
			gone, added := diffLines(before, after)
			for _, l := range append(gone, added...) {
				if !strings.Contains(l, "TABLE_NAME=xxl_job_user ") || !slices.ContainsFunc(tc.changes, func(c string) bool {
					return strings.Contains(l, "COLUMN_NAME="+c+" ") || strings.HasSuffix(l, "COLUMN_NAME="+c)
				}) {
					t.Errorf("undocumented schema change: %s", l)
				}
			}
			if len(tc.changes) != len(s.Changes) {
				t.Errorf("Schema().Changes = %q, want %d changes", s.Changes, len(tc.changes))
			}

			groups, err := sqlstore.NewGroupStore(db).AllGroups(t.Context())
			if err != nil || len(groups) == 0 || groups[0].ID != 1 && groups[len(groups)-1].ID != 1 {
				t.Fatalf("groups = %v, %v", groups, err)
			}
			g, err := sqlstore.NewGroupStore(db).FindGroupByID(t.Context(), 1)
			if err != nil || g.AppName != "xxl-job-executor-sample" {
				t.Errorf("group 1 = %+v, %v", g, err)
			}
			jobs, total, err := sqlstore.NewJobStore(db).FindJobs(t.Context(), ports.JobFilter{TriggerStatus: -1})
			if err != nil || total != len(tc.jobs) {
				t.Fatalf("jobs: %d, %v", total, err)
			}
			for i, j := range jobs {
				want := tc.jobs[len(tc.jobs)-1-i] // newest first
				if j.Desc != want || j.ScheduleType == "" || j.GlueType != domain.GlueBean || j.AddTime.IsZero() {
					t.Errorf("job %d = %+v, want %q", j.ID, j, want)
				}
			}
			u, err := sqlstore.NewUserStore(db).FindUserByUsername(t.Context(), "admin")
			if err != nil || !u.IsAdmin() || len(u.Password) != tc.userHashLen {
				t.Fatalf("admin = %+v, %v", u, err)
			}
			// xjob's own writes work on the adopted schema.
			users := sqlstore.NewUserStore(db)
			u.Password = "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy" // 60 chars
			if err := users.UpdateUser(t.Context(), u); err != nil {
				t.Fatalf("store a bcrypt hash: %v", err)
			}
			if err := users.UpdateUserToken(t.Context(), u.ID, "abc"); err != nil {
				t.Fatal(err)
			}
			j := sqltest.MustCreateJob(t, db, &domain.JobInfo{GroupID: 1, ScheduleType: domain.ScheduleFixDelay, ScheduleConf: "30"})
			var st string
			if err := raw.QueryRow("SELECT schedule_type FROM xxl_job_info WHERE id = ?", j.ID).Scan(&st); err != nil || st != "FIX_RATE" {
				t.Errorf("stored schedule_type = %q, %v; want FIX_RATE", st, err)
			}
			// What the Java admin of that version writes still works.
			if _, err := raw.Exec("INSERT INTO xxl_job_user (username, password, role, permission) VALUES ('java', 'e10adc3949ba59abbe56e057f20f883e', 0, NULL)"); err != nil {
				t.Errorf("Java-style user insert: %v", err)
			}
			if _, err := raw.Exec("INSERT INTO xxl_job_registry (registry_group, registry_key, registry_value, update_time) VALUES ('EXECUTOR', 'a', 'http://x/', NOW())"); err != nil {
				t.Errorf("Java-style registry insert: %v", err)
			}

			// Reopening changes nothing more.
			db2, cleanup2, err := sqlstore.Open(t.Context(), "mysql:"+sqltest.MySQLDSN(t, name))
			if err != nil {
				t.Fatal(err)
			}
			defer cleanup2()
			if s := db2.Schema(); s.Adopted || s.Created || len(s.Changes) > 0 || s.Upstream != tc.family {
				t.Errorf("reopen: Schema() = %+v", s)
			}
		})
	}
}

// TestMySQLAdoptionWithoutLockRow: an adopted database missing the
// schedule_lock row keeps missing it, and the lock says why.
func TestMySQLAdoptionWithoutLockRow(t *testing.T) {
	name := sqltest.MustCreateMySQLDatabase(t)
	raw := sqltest.RawMySQL(t, name)
	sqltest.LoadScript(t, raw, sqltest.UpstreamScript(t, "3.4.2"))
	if _, err := raw.Exec("DELETE FROM xxl_job_lock"); err != nil {
		t.Fatal(err)
	}
	db, cleanup, err := sqlstore.Open(t.Context(), "mysql:"+sqltest.MySQLDSN(t, name))
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	if !db.Schema().ScheduleLockMissing || !strings.Contains(db.Schema().String(), "schedule_lock") {
		t.Errorf("Schema() = %v", db.Schema())
	}
	err = db.WithScheduleLock(t.Context(), nil)
	if domain.ErrorCode(err) != domain.EUNAVAILABLE || !strings.Contains(domain.ErrorMessage(err), "schedule_lock") {
		t.Errorf("WithScheduleLock = %v, want EUNAVAILABLE naming schedule_lock", err)
	}
	var n int
	if err := raw.QueryRow("SELECT COUNT(*) FROM xxl_job_lock").Scan(&n); err != nil || n != 0 {
		t.Errorf("lock rows = %d, %v; adoption must not create it", n, err)
	}
}

// TestMySQLRefusesPartialOrUnknownSchema: half an XXL-JOB schema, or the
// unreleased 3.5 one, is not adopted.
func TestMySQLRefusesPartialOrUnknownSchema(t *testing.T) {
	for _, tc := range []struct {
		name, script, prep, want string
	}{
		{"Partial", "3.4.2", "DROP TABLE xxl_job_logglue", "not xxl_job_logglue"},
		{"Snapshot350", "3.5.0-snapshot", "", "3.5"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			name := sqltest.MustCreateMySQLDatabase(t)
			raw := sqltest.RawMySQL(t, name)
			sqltest.LoadScript(t, raw, sqltest.UpstreamScript(t, tc.script))
			if tc.prep != "" {
				if _, err := raw.Exec(tc.prep); err != nil {
					t.Fatal(err)
				}
			}
			_, _, err := sqlstore.Open(t.Context(), "mysql:"+sqltest.MySQLDSN(t, name))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Open = %v, want an error mentioning %q", err, tc.want)
			}
		})
	}
}
