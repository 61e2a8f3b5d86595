package sqlstore_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xjob-dev/xjob/adapters/sqlstore"
	"github.com/xjob-dev/xjob/adapters/sqlstore/sqltest"
	"github.com/xjob-dev/xjob/domain"
)

func TestOpenErrors(t *testing.T) {
	for _, tc := range []struct{ dsn, want string }{
		{"", "--db"},
		{"xjob.db", "--db"},
		{"postgres://x", "--db: unknown scheme"},
		{"mysql:", "--db"},
		{"mysql:root@tcp(127.0.0.1:3306", "--db mysql:"},
		{"mysql:root:secret@tcp(127.0.0.1:3306)/", "names no database"},
		{"mysql:root:secret@tcp(127.0.0.1:1)/xjob?timeout=2s", "--db: connect to mysql 127.0.0.1:1/xjob"},
		{"sqlite:", "--db"},
		{"sqlite::memory:", "--db sqlite"},
	} {
		t.Run(tc.dsn, func(t *testing.T) {
			_, _, err := sqlstore.Open(context.Background(), tc.dsn)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Open(%q) = %v, want error containing %q", tc.dsn, err, tc.want)
			}
			if strings.Contains(err.Error(), "secret") {
				t.Errorf("error leaks the password: %v", err)
			}
		})
	}
}

// TestSQLiteSchema: the migrations create every table and index, seed the
// lock row and the sample group, and are idempotent.
func TestSQLiteSchema(t *testing.T) {
	path := t.TempDir() + "/nested/dir/xjob.db"
	db, cleanup, err := sqlstore.Open(t.Context(), "sqlite:"+path)
	if err != nil {
		t.Fatal(err)
	}
	if s := db.Schema(); !s.Created || s.Adopted || s.ScheduleLockMissing {
		t.Errorf("Schema() = %+v", s)
	}
	var names []string
	if err := db.Bun().NewRaw("SELECT name FROM sqlite_master WHERE type IN ('table', 'index') AND name NOT LIKE 'sqlite_%' ORDER BY name").Scan(t.Context(), &names); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"I_handle_code", "I_jobgroup", "I_jobid", "I_trigger_time", "i_g_k_v", "i_trigger_day",
		"i_username", "xjob_job_ext", "xjob_migration_locks", "xjob_migrations", "xxl_job_group", "xxl_job_info",
		"xxl_job_lock", "xxl_job_log", "xxl_job_log_report", "xxl_job_logglue", "xxl_job_registry", "xxl_job_user"} {
		if !slices.Contains(names, want) {
			t.Errorf("no table or index %s in %v", want, names)
		}
	}
	for _, n := range names {
		if !strings.HasPrefix(n, "xxl_job_") && !strings.HasPrefix(n, "xjob_") && !strings.HasPrefix(n, "i_xjob_") &&
			!slices.Contains([]string{"I_handle_code", "I_jobgroup", "I_jobid", "I_trigger_time", "i_g_k_v", "i_trigger_day", "i_username"}, n) {
			t.Errorf("table or index %s is neither upstream nor xjob_-prefixed", n)
		}
	}
	g, err := sqlstore.NewGroupStore(db).FindGroupByID(t.Context(), 1)
	if err != nil || g.AppName != "xxl-job-executor-sample" || g.UpdateTime.IsZero() {
		t.Errorf("seed group = %+v, %v", g, err)
	}
	cleanup()
	db, cleanup, err = sqlstore.Open(t.Context(), "sqlite:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	if s := db.Schema(); s.Created || s.Adopted {
		t.Errorf("reopen: Schema() = %+v", s)
	}
	n, err := sqlstore.NewUserStore(db).CountUsers(t.Context())
	if err != nil || n != 0 {
		t.Errorf("users = %d, %v; want none seeded", n, err)
	}
}

// TestJobExtrasStorage: FIX_DELAY is stored as FIX_RATE plus an extras row
// that the Java admin never reads; extras rows come and go with the job.
func TestJobExtrasStorage(t *testing.T) {
	sqltest.Engines(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := t.Context()
		raw := db.Bun()
		stored := func(id int64) (st, mode, tz string, extRows int) {
			t.Helper()
			if err := raw.NewRaw("SELECT schedule_type FROM xxl_job_info WHERE id = ?", id).Scan(ctx, &st); err != nil {
				t.Fatal(err)
			}
			if err := raw.NewRaw("SELECT COUNT(*) FROM xjob_job_ext WHERE job_id = ?", id).Scan(ctx, &extRows); err != nil {
				t.Fatal(err)
			}
			if extRows > 0 {
				var m, z *string
				if err := raw.NewRaw("SELECT schedule_mode, time_zone FROM xjob_job_ext WHERE job_id = ?", id).Scan(ctx, &m, &z); err != nil {
					t.Fatal(err)
				}
				if m != nil {
					mode = *m
				}
				if z != nil {
					tz = *z
				}
			}
			return
		}
		jobs := sqlstore.NewJobStore(db)
		j := sqltest.MustCreateJob(t, db, &domain.JobInfo{ScheduleType: domain.ScheduleFixDelay, ScheduleConf: "30"})
		if st, mode, tz, n := stored(j.ID); st != "FIX_RATE" || mode != "FIX_DELAY" || tz != "" || n != 1 {
			t.Errorf("FIX_DELAY stored as %q/%q/%q/%d rows", st, mode, tz, n)
		}
		j.ScheduleType, j.TimeZone = domain.ScheduleCron, "Asia/Tokyo"
		if err := jobs.UpdateJob(ctx, j); err != nil {
			t.Fatal(err)
		}
		if st, mode, tz, n := stored(j.ID); st != "CRON" || mode != "" || tz != "Asia/Tokyo" || n != 1 {
			t.Errorf("CRON+zone stored as %q/%q/%q/%d rows", st, mode, tz, n)
		}
		j.TimeZone = ""
		if err := jobs.UpdateJob(ctx, j); err != nil {
			t.Fatal(err)
		}
		if _, _, _, n := stored(j.ID); n != 0 {
			t.Errorf("a job without extras keeps %d extras rows", n)
		}
		// A Java admin switching the job to CRON leaves the extras row behind:
		// it must not turn the job back into FIX_DELAY.
		j.ScheduleType = domain.ScheduleFixDelay
		if err := jobs.UpdateJob(ctx, j); err != nil {
			t.Fatal(err)
		}
		if _, err := raw.NewRaw("UPDATE xxl_job_info SET schedule_type = 'CRON' WHERE id = ?", j.ID).Exec(ctx); err != nil {
			t.Fatal(err)
		}
		if got, err := jobs.FindJobByID(ctx, j.ID); err != nil || got.ScheduleType != domain.ScheduleCron {
			t.Errorf("after a Java edit: %v, %v; want CRON", got.ScheduleType, err)
		}
		if err := jobs.DeleteJob(ctx, j.ID); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := raw.NewRaw("SELECT COUNT(*) FROM xjob_job_ext WHERE job_id = ?", j.ID).Scan(ctx, &n); err != nil || n != 0 {
			t.Errorf("deleted job keeps %d extras rows (%v)", n, err)
		}
		// Extras of jobs deleted by a Java admin are pruned by Migrate.
		if _, err := raw.NewRaw("INSERT INTO xjob_job_ext (job_id, time_zone) VALUES (999, 'UTC')").Exec(ctx); err != nil {
			t.Fatal(err)
		}
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		if err := raw.NewRaw("SELECT COUNT(*) FROM xjob_job_ext WHERE job_id = 999").Scan(ctx, &n); err != nil || n != 0 {
			t.Errorf("orphan extras rows after Migrate: %d, %v", n, err)
		}
	})
}

func TestScheduleLockMissingRow(t *testing.T) {
	sqltest.Engines(t, func(t *testing.T, db *sqlstore.DB) {
		if _, err := db.Bun().NewRaw("DELETE FROM xxl_job_lock").Exec(t.Context()); err != nil {
			t.Fatal(err)
		}
		err := db.WithScheduleLock(t.Context(), nil)
		if domain.ErrorCode(err) != domain.EUNAVAILABLE || !strings.Contains(domain.ErrorMessage(err), "schedule_lock") {
			t.Fatalf("WithScheduleLock = %v, want EUNAVAILABLE naming schedule_lock", err)
		}
	})
}

// TestCreateLogsConcurrent checks the id assignment of multi-row inserts
// under concurrent inserts: every log must get the id of its own row.
func TestCreateLogsConcurrent(t *testing.T) {
	sqltest.Engines(t, func(t *testing.T, db *sqlstore.DB) {
		store := sqlstore.NewLogStore(db)
		var wg sync.WaitGroup
		var mu sync.Mutex
		var all []*domain.JobLog
		for w := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for b := range 25 {
					var batch []*domain.JobLog
					for i := range 1 + (w+b)%9 {
						batch = append(batch, &domain.JobLog{GroupID: 1, JobID: int64(w), TriggerTime: time.Now(),
							ExecutorParam: fmt.Sprintf("%d/%d/%d", w, b, i)})
					}
					if err := store.CreateLogs(t.Context(), batch); err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					all = append(all, batch...)
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		seen := map[int64]bool{}
		for _, l := range all {
			if seen[l.ID] {
				t.Fatalf("id %d given twice", l.ID)
			}
			seen[l.ID] = true
			got, err := store.FindLogByID(t.Context(), l.ID)
			if err != nil || got.ExecutorParam != l.ExecutorParam {
				t.Fatalf("log %d: %v, %v; want param %q", l.ID, got, err, l.ExecutorParam)
			}
		}
	})
}

// TestTimeStorage: DATETIME holds wall time in the configured zone on MySQL
// (what the Java admin reads) and UTC on SQLite.
func TestTimeStorage(t *testing.T) {
	sqltest.Engines(t, func(t *testing.T, db *sqlstore.DB) {
		at := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
		logs := sqltest.MustCreateLogs(t, db, &domain.JobLog{GroupID: 1, JobID: 1, TriggerTime: at.Add(700 * time.Millisecond)})
		var raw string
		if err := db.Bun().NewRaw("SELECT CAST(trigger_time AS CHAR) FROM xxl_job_log WHERE id = ?", logs[0].ID).Scan(t.Context(), &raw); err != nil {
			t.Fatal(err)
		}
		want := "2024-01-01 08:00:00"
		if db.Engine() == sqlstore.SQLite {
			want = "2024-01-01 00:00:00+00:00"
		}
		if raw != want {
			t.Errorf("stored trigger_time = %q, want %q", raw, want)
		}
		got, err := sqlstore.NewLogStore(db).FindLogByID(t.Context(), logs[0].ID)
		if err != nil || !got.TriggerTime.Equal(at) || got.TriggerTime.Location() != sqltest.Location {
			t.Errorf("read back %v, %v; want %v in %v", got.TriggerTime, err, at, sqltest.Location)
		}
	})
}

// TestValueTooLong: MySQL's strict mode rejects an over-long value; the store
// reports EINVALID (a 2.4 database's title is varchar(12)).
func TestValueTooLong(t *testing.T) {
	db := sqltest.MustOpenMySQL(t)
	err := sqlstore.NewGroupStore(db).CreateGroup(t.Context(), &domain.Group{AppName: "a", Title: strings.Repeat("x", 65)})
	if domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("CreateGroup(long title) = %v, want EINVALID", err)
	}
}

func BenchmarkUpdateTriggerInfos(b *testing.B) {
	for _, engine := range []string{"sqlite", "mysql"} {
		b.Run(engine, func(b *testing.B) {
			var db *sqlstore.DB
			if engine == "sqlite" {
				db = sqltest.MustOpenSQLite(b)
			} else {
				db = sqltest.MustOpenMySQL(b)
			}
			store := sqlstore.NewLogStore(db)
			for _, n := range []int{1, 10, 100} {
				logs := make([]*domain.JobLog, n)
				for i := range logs {
					logs[i] = &domain.JobLog{GroupID: 1, JobID: 1, TriggerTime: time.Now()}
				}
				if err := store.CreateLogs(context.Background(), logs); err != nil {
					b.Fatal(err)
				}
				for i, l := range logs {
					l.TriggerCode, l.TriggerMsg, l.ExecutorAddress = 200, strings.Repeat("trigger msg ", 30), fmt.Sprintf("http://10.0.0.%d:9999/", i)
				}
				b.Run(fmt.Sprintf("case/%d", n), func(b *testing.B) {
					for b.Loop() {
						if err := store.UpdateTriggerInfos(context.Background(), logs); err != nil {
							b.Fatal(err)
						}
					}
				})
				b.Run(fmt.Sprintf("tx/%d", n), func(b *testing.B) {
					for b.Loop() {
						if err := store.UpdateTriggerInfosPerRow(context.Background(), logs); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		})
	}
}
