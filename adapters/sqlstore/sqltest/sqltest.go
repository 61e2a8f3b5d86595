// Package sqltest opens real, migrated, throwaway xjob databases for tests:
// a SQLite file in t.TempDir(), or a fresh database on the MySQL/MariaDB
// server named by XJOB_TEST_MYSQL_DSN (start one with
// `eval "$(scripts/mariadb.sh start)"`).
//
//	func TestSomething(t *testing.T) {
//		sqltest.Engines(t, func(t *testing.T, db *sqlstore.DB) {
//			job := sqltest.MustCreateJob(t, db, &domain.JobInfo{Desc: "nightly"})
//			...
//		})
//	}
//
// Environment:
//
//	XJOB_TEST_MYSQL_DSN       go-sql-driver DSN of a server, without database
//	                          name, e.g. root@tcp(127.0.0.1:3306)/
//	XJOB_TEST_REQUIRE_MYSQL=1 fail (instead of skip) MySQL tests when the DSN is unset
//
// Databases use the zone UTC+8 (Location), so tests that assume UTC or the
// machine's zone fail here first. Times come back in that zone, truncated to
// the second: compare with Equal after Truncate(time.Second).
package sqltest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/xjob-dev/xjob/adapters/sqlstore"
)

// Environment variables read by this package.
const (
	EnvMySQLDSN     = "XJOB_TEST_MYSQL_DSN"
	EnvRequireMySQL = "XJOB_TEST_REQUIRE_MYSQL"
)

// Location is the zone test databases store and return times in.
var Location = time.FixedZone("UTC+8", 8*60*60)

// Engines runs fn as one subtest per engine, "sqlite" and "mysql", each with
// a fresh migrated database. The mysql subtest skips when
// XJOB_TEST_MYSQL_DSN is unset (fails with XJOB_TEST_REQUIRE_MYSQL=1).
func Engines(t *testing.T, fn func(t *testing.T, db *sqlstore.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, MustOpenSQLite(t)) })
	t.Run("mysql", func(t *testing.T) { fn(t, MustOpenMySQL(t)) })
}

// MustOpenSQLite opens a migrated SQLite database in a temporary directory,
// closed when the test ends.
func MustOpenSQLite(tb testing.TB, opts ...sqlstore.Option) *sqlstore.DB {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "xjob.db")
	db, cleanup, err := sqlstore.Open(context.Background(), "sqlite:"+path, withLocation(opts)...)
	if err != nil {
		tb.Fatalf("open sqlite: %v", err)
	}
	tb.Cleanup(cleanup)
	return db
}

// MustOpenMySQL creates a uniquely named database on the server in
// XJOB_TEST_MYSQL_DSN, opens it migrated, and drops it when the test ends.
// Without the variable it skips the test (fails with XJOB_TEST_REQUIRE_MYSQL=1).
func MustOpenMySQL(tb testing.TB, opts ...sqlstore.Option) *sqlstore.DB {
	tb.Helper()
	name := MustCreateMySQLDatabase(tb)
	db, cleanup, err := sqlstore.Open(context.Background(), "mysql:"+MySQLDSN(tb, name), withLocation(opts)...)
	if err != nil {
		tb.Fatalf("open mysql database %s: %v", name, err)
	}
	tb.Cleanup(cleanup)
	return db
}

// MustCreateMySQLDatabase creates an empty, uniquely named database (utf8mb4,
// like upstream's script) and drops it when the test ends; for tests that
// load a schema of their own before opening it with sqlstore.
func MustCreateMySQLDatabase(tb testing.TB) string {
	tb.Helper()
	server := mysqlServer(tb)
	name := "xjob_test_" + randomHex(6)
	ctx := context.Background()
	if _, err := server.ExecContext(ctx, "CREATE DATABASE "+name+" DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"); err != nil {
		tb.Fatalf("create database %s: %v", name, err)
	}
	tb.Cleanup(func() {
		if _, err := server.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name); err != nil {
			tb.Errorf("drop database %s: %v", name, err)
		}
		server.Close()
	})
	return name
}

// MySQLDSN returns the go-sql-driver DSN of database name on the test
// server (without the "mysql:" scheme); it skips like MustOpenMySQL.
func MySQLDSN(tb testing.TB, name string) string {
	tb.Helper()
	cfg := mysqlConfig(tb)
	cfg.DBName = name
	return cfg.FormatDSN()
}

// RawMySQL opens a plain database/sql connection pool (multiStatements on)
// to database name on the test server, closed when the test ends.
func RawMySQL(tb testing.TB, name string) *sql.DB {
	tb.Helper()
	cfg := mysqlConfig(tb)
	cfg.DBName = name
	cfg.MultiStatements = true
	cfg.ParseTime = true
	cfg.Loc = Location
	connector, err := mysql.NewConnector(cfg)
	if err != nil {
		tb.Fatalf("open mysql: %v", err)
	}
	db := sql.OpenDB(connector)
	tb.Cleanup(func() { db.Close() })
	return db
}

func mysqlServer(tb testing.TB) *sql.DB {
	tb.Helper()
	cfg := mysqlConfig(tb)
	cfg.DBName = ""
	db, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		tb.Fatalf("open mysql server: %v", err)
	}
	if err := db.PingContext(context.Background()); err != nil {
		db.Close()
		tb.Fatalf("connect to %s=%s: %v", EnvMySQLDSN, cfg.Addr, err)
	}
	return db
}

func mysqlConfig(tb testing.TB) *mysql.Config {
	tb.Helper()
	dsn := strings.TrimPrefix(os.Getenv(EnvMySQLDSN), "mysql:")
	if dsn == "" {
		if os.Getenv(EnvRequireMySQL) == "1" {
			tb.Fatalf("%s is not set but %s=1: start a server with eval \"$(scripts/mariadb.sh start)\"", EnvMySQLDSN, EnvRequireMySQL)
		}
		tb.Skipf("%s not set: skipping MySQL test (eval \"$(scripts/mariadb.sh start)\" to run it)", EnvMySQLDSN)
	}
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		tb.Fatalf("%s: %v", EnvMySQLDSN, err)
	}
	return cfg
}

func withLocation(opts []sqlstore.Option) []sqlstore.Option {
	return append([]sqlstore.Option{sqlstore.WithLocation(Location)}, opts...)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
