package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/sqlitedialect"
	_ "modernc.org/sqlite" // registers the pure-Go "sqlite" driver
)

// sqliteReaders is the size of the read pool.
const sqliteReaders = 4

// openSQLite opens (creating) the file at path with two pools: one writer
// connection, whose transactions start with BEGIN IMMEDIATE so a transaction
// never fails to upgrade its lock, and a read-only pool. WAL lets readers run
// while the writer writes; busy_timeout covers other processes on the file.
func openSQLite(ctx context.Context, path string, o options) (*DB, error) {
	path = strings.TrimPrefix(path, "//") // accept sqlite:///abs/path too
	switch {
	case path == "":
		return nil, fmt.Errorf("--db sqlite: needs a file path, e.g. sqlite:/var/lib/xjob/xjob.db")
	case path == ":memory:" || strings.HasPrefix(path, "file:") || strings.Contains(path, "?"):
		return nil, fmt.Errorf("--db sqlite:%s: want a plain file path (in-memory databases and URIs are not supported)", path)
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("--db sqlite:%s: create directory: %w", path, err)
		}
	}
	params := url.Values{
		"_busy_timeout": {"10000"},
		"_journal_mode": {"WAL"},
		"_synchronous":  {"NORMAL"},
		"_foreign_keys": {"0"},
		"_txlock":       {"immediate"},
		"_time_format":  {"sqlite"},
	}
	wr, err := sql.Open("sqlite", path+"?"+params.Encode())
	if err != nil {
		return nil, fmt.Errorf("--db sqlite:%s: %w", path, err)
	}
	wr.SetMaxOpenConns(1)
	wr.SetMaxIdleConns(1)
	wr.SetConnMaxLifetime(0)
	wr.SetConnMaxIdleTime(0)
	// The writer creates the file and switches it to WAL before any reader opens it.
	if err := wr.PingContext(ctx); err != nil {
		closeQuietly(wr)
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	params.Del("_journal_mode")
	params.Set("_query_only", "1")
	rd, err := sql.Open("sqlite", path+"?"+params.Encode())
	if err != nil {
		closeQuietly(wr)
		return nil, fmt.Errorf("--db sqlite:%s: %w", path, err)
	}
	rd.SetMaxOpenConns(sqliteReaders)
	rd.SetMaxIdleConns(sqliteReaders)
	if err := rd.PingContext(ctx); err != nil {
		closeQuietly(wr)
		closeQuietly(rd)
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	return &DB{
		engine:      SQLite,
		wr:          bun.NewDB(wr, sqlitedialect.New()),
		rd:          bun.NewDB(rd, sqlitedialect.New()),
		loc:         o.loc,
		autoincStep: 1,
	}, nil
}
