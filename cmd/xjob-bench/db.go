package main

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
	_ "modernc.org/sqlite"
)

// MariaDB is the server the benchmark uses: one it started with
// scripts/mariadb.sh (stopped again by Close) or one given by -mysql-dsn.
type MariaDB struct {
	DSN     string // root@tcp(127.0.0.1:PORT)/ — no database
	Version string
	repo    string
	state   string // the state file, when we started the server
}

var exportRE = regexp.MustCompile(`XJOB_TEST_MYSQL_DSN='([^']+)'`)

// StartMariaDB starts a throwaway server with scripts/mariadb.sh under its
// own state file, so other developers' test servers are left alone.
func StartMariaDB(ctx context.Context, repo string) (*MariaDB, error) {
	state := filepath.Join(os.TempDir(), fmt.Sprintf("xjob-bench-mariadb-%d.state", os.Getpid()))
	var out []byte
	var err error
	// The script picks a random free port; a busy machine (thousands of
	// TIME_WAIT sockets) sometimes makes all its tries collide: try again.
	for attempt := 0; attempt < 3; attempt++ {
		var errb strings.Builder
		cmd := exec.CommandContext(ctx, "bash", filepath.Join(repo, "scripts/mariadb.sh"), "start")
		cmd.Env = append(os.Environ(), "XJOB_MARIADB_STATE="+state)
		cmd.Stderr = &errb
		if out, err = cmd.Output(); err == nil {
			break
		}
		logf("scripts/mariadb.sh start failed (%v): %s", err, firstLines(lastLines(errb.String(), 3), 3))
	}
	if err != nil {
		return nil, fmt.Errorf("scripts/mariadb.sh start: %w", err)
	}
	m := exportRE.FindStringSubmatch(string(out))
	if m == nil {
		return nil, fmt.Errorf("scripts/mariadb.sh start printed no DSN: %q", out)
	}
	return &MariaDB{DSN: m[1], repo: repo, state: state}, nil
}

// Close stops the server if StartMariaDB started it.
func (m *MariaDB) Close() {
	if m == nil || m.state == "" {
		return
	}
	cmd := exec.Command("bash", filepath.Join(m.repo, "scripts/mariadb.sh"), "stop")
	cmd.Env = append(os.Environ(), "XJOB_MARIADB_STATE="+m.state)
	cmd.Stderr = os.Stderr
	cmd.Run()
}

// dsnFor returns the go-sql-driver DSN of database name on the server.
func (m *MariaDB) dsnFor(name string) (string, error) {
	cfg, err := mysql.ParseDSN(m.DSN)
	if err != nil {
		return "", fmt.Errorf("-mysql-dsn %q: %w", m.DSN, err)
	}
	cfg.DBName = name
	cfg.ParseTime = true
	cfg.Loc = time.UTC
	cfg.InterpolateParams = true
	cfg.MultiStatements = true
	return cfg.FormatDSN(), nil
}

// CreateDB creates a fresh database and returns its DSN (for the harness'
// own connections; the admin gets AdminDSN).
func (m *MariaDB) CreateDB(ctx context.Context, name string) (string, error) {
	root, err := m.dsnFor("")
	if err != nil {
		return "", err
	}
	db, err := sql.Open("mysql", root)
	if err != nil {
		return "", err
	}
	defer db.Close()
	if m.Version == "" {
		db.QueryRowContext(ctx, "SELECT VERSION()").Scan(&m.Version)
	}
	if _, err := db.ExecContext(ctx, "DROP DATABASE IF EXISTS `"+name+"`"); err != nil {
		return "", err
	}
	if _, err := db.ExecContext(ctx, "CREATE DATABASE `"+name+"` DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"); err != nil {
		return "", fmt.Errorf("create database %s: %w", name, err)
	}
	return m.dsnFor(name)
}

// DropDB drops a database (best effort).
func (m *MariaDB) DropDB(name string) {
	root, err := m.dsnFor("")
	if err != nil {
		return
	}
	if db, err := sql.Open("mysql", root); err == nil {
		db.Exec("DROP DATABASE IF EXISTS `" + name + "`")
		db.Close()
	}
}

// AdminDSN is the --db value for `xjob serve` on database name.
func (m *MariaDB) AdminDSN(name string) string {
	cfg, _ := mysql.ParseDSN(m.DSN)
	cfg.DBName = name
	return "mysql:" + cfg.FormatDSN()
}

// OpenSQLite opens the admin's SQLite file for seeding and counting, with
// the time format and busy timeout the admin uses.
func OpenSQLite(path string) (*sql.DB, error) {
	q := url.Values{"_busy_timeout": {"30000"}, "_time_format": {"sqlite"}}
	db, err := sql.Open("sqlite", path+"?"+q.Encode())
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	return db, nil
}

// waitTables waits until the admin's migrations created xxl_job_info.
func waitTables(ctx context.Context, db *sql.DB, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		var n int
		err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM xxl_job_lock").Scan(&n)
		if err == nil && n > 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("schema not ready: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Seeder writes the benchmark's executor group and jobs straight into the
// upstream tables, as an operator migrating from XXL-JOB would have them.
type Seeder struct {
	DB     *sql.DB
	SQLite bool
}

// CreateGroup inserts the group "bench" whose address list already holds
// the stub, so the first fires do not wait for the registry monitor. An
// auto-registration group (manual false) needs a stub that registers, or
// the registry monitor empties its list.
func (s Seeder) CreateGroup(ctx context.Context, address string, manual ...bool) (int64, error) {
	typ := 0
	if len(manual) > 0 && manual[0] {
		typ = 1
	}
	res, err := s.DB.ExecContext(ctx, `INSERT INTO xxl_job_group (app_name, title, address_type, address_list, update_time)
		VALUES ('bench', 'bench', ?, ?, ?)`, typ, address, time.Now().UTC())
	if err != nil {
		return 0, fmt.Errorf("insert group: %w", err)
	}
	return res.LastInsertId()
}

// CreateJobs inserts n stopped CRON jobs with schedule sched(i) and returns
// the id of the first; ids are consecutive.
func (s Seeder) CreateJobs(ctx context.Context, group int64, n int, sched func(i int) Schedule) (first int64, err error) {
	const cols = `(job_group, job_desc, add_time, update_time, author, alarm_email, schedule_type, schedule_conf,
		misfire_strategy, executor_route_strategy, executor_handler, executor_param, executor_block_strategy,
		executor_timeout, executor_fail_retry_count, glue_type, glue_source, glue_remark, glue_updatetime,
		child_jobid, trigger_status, trigger_last_time, trigger_next_time)`
	const row = `(?, ?, ?, ?, 'bench', '', 'CRON', ?, 'DO_NOTHING', 'FIRST', 'bench', '', 'SERIAL_EXECUTION', 0, 0, 'BEAN', '', '', ?, '', 0, 0, 0)`
	now := time.Now().UTC().Truncate(time.Second)
	chunk := 1000
	if s.SQLite {
		chunk = 150 // SQLite's bound-parameter limit
	}
	tx, err := s.DB.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	for lo := 0; lo < n; lo += chunk {
		hi := min(n, lo+chunk)
		var b strings.Builder
		args := make([]any, 0, (hi-lo)*5)
		b.WriteString("INSERT INTO xxl_job_info " + cols + " VALUES ")
		for i := lo; i < hi; i++ {
			if i > lo {
				b.WriteByte(',')
			}
			b.WriteString(row)
			args = append(args, group, fmt.Sprintf("bench %d", i), now, now, sched(i).Cron(), now)
		}
		res, err := tx.ExecContext(ctx, b.String(), args...)
		if err != nil {
			return 0, fmt.Errorf("insert jobs: %w", err)
		}
		if lo == 0 {
			if first, err = res.LastInsertId(); err != nil {
				return 0, err
			}
			if s.SQLite { // LastInsertId is the last row's id on SQLite
				first -= int64(hi-lo) - 1
			}
		}
	}
	return first, tx.Commit()
}

// StartJobs sets the jobs running with trigger_next_time = their first
// instant at or after from (epoch ms), in one statement per 5000 jobs.
func (s Seeder) StartJobs(ctx context.Context, jobs map[int64]Schedule, from int64) error {
	byNext := map[int64][]int64{}
	for id, sc := range jobs {
		n := sc.Next(from)
		byNext[n] = append(byNext[n], id)
	}
	tx, err := s.DB.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for next, ids := range byNext {
		for lo := 0; lo < len(ids); lo += 5000 {
			part := ids[lo:min(len(ids), lo+5000)]
			q := fmt.Sprintf("UPDATE xxl_job_info SET trigger_status = 1, trigger_last_time = 0, trigger_next_time = %d WHERE id IN (%s)",
				next, joinIDs(part))
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("start jobs: %w", err)
			}
		}
	}
	return tx.Commit()
}

// StopJobs stops every job of the group. It leaves trigger_next_time as
// the scheduler last wrote it: the accounting tells instants the scan
// skipped (before it) from instants it never reached.
func (s Seeder) StopJobs(ctx context.Context, group int64) error {
	_, err := s.DB.ExecContext(ctx, "UPDATE xxl_job_info SET trigger_status = 0 WHERE job_group = ?", group)
	return err
}

func joinIDs(ids []int64) string {
	var b strings.Builder
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprint(&b, id)
	}
	return b.String()
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
