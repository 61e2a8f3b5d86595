package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/mysqldialect"
)

// openMySQL opens a go-sql-driver DSN with the settings the stores rely on:
// parseTime and loc (DATETIME is wall time in the configured zone),
// interpolateParams (one round trip per statement) and clientFoundRows (an
// UPDATE that matches a row but changes nothing still counts it, so
// "not found" and "saved the same values" differ).
func openMySQL(ctx context.Context, dsn string, o options) (*DB, error) {
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		return nil, fmt.Errorf("--db mysql:%s: %w", redactMySQL(dsn), err)
	}
	if cfg.DBName == "" {
		return nil, fmt.Errorf("--db mysql:%s: the DSN names no database (…/DBNAME)", redactMySQL(dsn))
	}
	cfg.ParseTime = true
	cfg.Loc = o.loc
	cfg.InterpolateParams = true
	cfg.ClientFoundRows = true
	if cfg.Timeout == 0 {
		cfg.Timeout = 10 * time.Second
	}
	connector, err := mysql.NewConnector(cfg)
	if err != nil {
		return nil, fmt.Errorf("--db mysql:%s: %w", redactMySQL(dsn), err)
	}
	sqldb := sql.OpenDB(connector)
	sqldb.SetMaxOpenConns(o.maxOpen)
	sqldb.SetMaxIdleConns(o.maxIdle)
	// Below MySQL's default wait_timeout and common proxy idle limits.
	sqldb.SetConnMaxLifetime(30 * time.Minute)
	sqldb.SetConnMaxIdleTime(5 * time.Minute)
	if err := sqldb.PingContext(ctx); err != nil {
		closeQuietly(sqldb)
		return nil, fmt.Errorf("--db: connect to mysql %s/%s: %w", cfg.Addr, cfg.DBName, err)
	}
	bdb := bun.NewDB(sqldb, mysqldialect.New())
	db := &DB{engine: MySQL, wr: bdb, rd: bdb, loc: o.loc, autoincStep: 1, dbName: cfg.DBName}
	if err := bdb.NewRaw("SELECT @@auto_increment_increment").Scan(ctx, &db.autoincStep); err != nil {
		closeQuietly(sqldb)
		return nil, fmt.Errorf("read auto_increment_increment: %w", err)
	}
	if db.autoincStep < 1 {
		db.autoincStep = 1
	}
	return db, nil
}
