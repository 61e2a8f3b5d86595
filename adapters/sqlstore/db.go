// Package sqlstore implements xjob's store ports (ports.JobStore, LogStore,
// GroupStore, RegistryStore, UserStore, GlueStore, ReportStore and
// ScheduleLocker) with bun on two engines: MySQL/MariaDB, on the upstream
// XXL-JOB 3.4.2 tables so an existing XXL-JOB database (3.4 or 2.4) works
// and a Java admin can run alongside, and SQLite (pure Go, no cgo) as the
// embedded default.
//
// Open picks the engine from the DSN, migrates the schema (adopting an
// existing XXL-JOB database, see migrate.go) and returns a *DB; each store is
// a thin type over it (NewJobStore(db), ...). The few dialect-specific parts
// live in files named *_mysql.go and *_sqlite.go.
//
// Time: DATETIME columns hold wall-clock time. On MySQL it is the time in the
// configured location (WithLocation), as the Java admin stores it in its
// serverTimezone; on SQLite, a database only xjob uses, it is UTC. Times are
// stored to the second and come back in the configured location.
//
// Allowed imports: domain, ports, migrations, bun and the two drivers.
package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"
)

// Engine names a database engine.
type Engine string

// Supported engines.
const (
	MySQL  Engine = "mysql" // MySQL or MariaDB
	SQLite Engine = "sqlite"
)

// DB is an open xjob database. It implements ports.ScheduleLocker; the stores
// are built on it with NewJobStore and friends. It is safe for concurrent use.
type DB struct {
	engine Engine
	// wr runs writes and transactions; rd runs plain reads. They are the same
	// pool on MySQL. On SQLite wr is a single connection (one writer, no
	// SQLITE_BUSY between our own goroutines) and rd a small read-only pool
	// that WAL lets run beside it.
	wr, rd *bun.DB
	loc    *time.Location
	// autoincStep is @@auto_increment_increment (MySQL; 1 elsewhere): the gap
	// between the ids one multi-row INSERT gets (Galera sets it > 1).
	autoincStep int64
	// userToken reports whether xxl_job_user has the token column (it does
	// unless a 2.4 database was opened WithoutMigrate).
	userToken bool
	schema    SchemaInfo
	dbName    string // MySQL database name
	// logCountLimit caps the totals of LogStore.FindLogs (0 = exact);
	// logScanLimit bounds the index entries one of its queries reads (0 =
	// no bound). See log_page.go.
	logCountLimit, logScanLimit int
}

// Option configures Open.
type Option func(*options)

type options struct {
	loc              *time.Location
	migrate          bool
	maxOpen, maxIdle int
	logCountLimit    int
	logScanLimit     int
}

// WithLocation sets the zone of DATETIME values on MySQL (the Java admin's
// serverTimezone) and the zone times are returned in. Default: time.Local.
func WithLocation(loc *time.Location) Option {
	return func(o *options) {
		if loc != nil {
			o.loc = loc
		}
	}
}

// WithoutMigrate opens the database as it is: no migrations, no adoption.
// Stores then fail on missing tables; tools and tests use it.
func WithoutMigrate() Option { return func(o *options) { o.migrate = false } }

// WithPool sets the MySQL connection pool size (default 30 open, 10 idle,
// like the Java admin's Hikari pool). SQLite ignores it.
func WithPool(maxOpen, maxIdle int) Option {
	return func(o *options) { o.maxOpen, o.maxIdle = maxOpen, maxIdle }
}

// WithLogCountLimit makes LogStore.FindLogs stop counting at n matching
// logs: a larger total is reported as "at least n" (LogPage.TotalCapped).
// Counting every log of a 10M-row table takes seconds. Default 10000;
// 0 counts exactly, however long that takes.
func WithLogCountLimit(n int) Option { return func(o *options) { o.logCountLimit = max(n, 0) } }

// WithLogScanLimit bounds what one LogStore.FindLogs query reads: at most n
// entries of the job's or group's log index (4n ids of the primary key
// without such a filter), newest first. A sparse filter then gets a page
// with fewer logs, or none, and a cursor to go on, and a total that is a
// lower bound. Default 25000 (about 30 ms on MariaDB); 0 = no bound.
func WithLogScanLimit(n int) Option { return func(o *options) { o.logScanLimit = max(n, 0) } }

// Open opens the database named by dsn and migrates it. dsn is
//
//	sqlite:PATH                          a SQLite file, created with its parent directories
//	mysql:USER:PASS@tcp(HOST:PORT)/DB?…  a go-sql-driver/mysql DSN (MySQL 5.7+, MariaDB 10.3+)
//
// On MySQL parseTime, loc, interpolateParams and clientFoundRows are forced.
// The returned cleanup closes the database. Errors name the --db flag when
// the DSN itself is wrong.
func Open(ctx context.Context, dsn string, opts ...Option) (*DB, func(), error) {
	o := options{loc: time.Local, migrate: true, maxOpen: 30, maxIdle: 10,
		logCountLimit: defaultLogCountLimit, logScanLimit: defaultLogScanLimit}
	for _, opt := range opts {
		opt(&o)
	}
	scheme, rest, ok := strings.Cut(dsn, ":")
	var db *DB
	var err error
	switch {
	case !ok || rest == "":
		return nil, nil, fmt.Errorf("--db %q: want sqlite:PATH or mysql:USER:PASS@tcp(HOST:PORT)/DB", redact(dsn))
	case scheme == string(SQLite):
		db, err = openSQLite(ctx, rest, o)
	case scheme == string(MySQL):
		db, err = openMySQL(ctx, rest, o)
	default:
		return nil, nil, fmt.Errorf("--db: unknown scheme %q: want sqlite: or mysql:", scheme)
	}
	if err != nil {
		return nil, nil, err
	}
	db.logCountLimit, db.logScanLimit = o.logCountLimit, o.logScanLimit
	if o.migrate {
		if err := db.Migrate(ctx); err != nil {
			db.Close()
			return nil, nil, err
		}
	} else if err := db.inspect(ctx); err != nil {
		db.Close()
		return nil, nil, err
	}
	return db, func() { db.Close() }, nil
}

// Close closes the connection pools.
func (db *DB) Close() error {
	err := db.wr.Close()
	if db.rd != db.wr {
		if err2 := db.rd.Close(); err == nil {
			err = err2
		}
	}
	return err
}

// Engine reports which engine the database runs on.
func (db *DB) Engine() Engine { return db.engine }

// Location is the zone times are stored (MySQL) and returned in.
func (db *DB) Location() *time.Location { return db.loc }

// Bun returns the bun handle that writes; for tests and tooling only (stores
// never need it).
func (db *DB) Bun() *bun.DB { return db.wr }

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.wr.PingContext(ctx) }

// toDB converts a time to what a DATETIME column stores: whole seconds, in
// the configured zone on MySQL and in UTC on SQLite.
func (db *DB) toDB(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	t = t.Truncate(time.Second)
	if db.engine == MySQL {
		return t.In(db.loc)
	}
	return t.UTC()
}

// fromDB returns a scanned DATETIME in the configured zone (zero stays zero).
func (db *DB) fromDB(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.In(db.loc)
}

// now is the current time as stored.
func (db *DB) now() time.Time { return db.toDB(time.Now()) }

func closeQuietly(d *sql.DB) {
	if d != nil {
		_ = d.Close()
	}
}

// redact hides a password in a DSN for error messages.
func redact(dsn string) string {
	if scheme, rest, ok := strings.Cut(dsn, ":"); ok && scheme == string(MySQL) {
		return scheme + ":" + redactMySQL(rest)
	}
	return redactMySQL(dsn)
}

// redactMySQL hides the password of a go-sql-driver DSN (user:pass@...).
func redactMySQL(dsn string) string {
	at := strings.LastIndex(dsn, "@")
	if at < 0 {
		return dsn
	}
	if i := strings.Index(dsn[:at], ":"); i >= 0 {
		return dsn[:i+1] + "***" + dsn[at:]
	}
	return dsn
}
