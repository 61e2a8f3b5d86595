package sqlstore_test

import (
	"testing"

	"github.com/xjob-dev/xjob/adapters/sqlstore"
	"github.com/xjob-dev/xjob/adapters/sqlstore/sqltest"
	"github.com/xjob-dev/xjob/ports/porttest"
)

// TestStores runs the port contract suites on both engines, each subtest on
// a fresh database.
func TestStores(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		porttest.RunAll(t, func(t *testing.T) porttest.Stores { return stores(sqltest.MustOpenSQLite(t)) })
	})
	t.Run("mysql", func(t *testing.T) {
		t.Parallel()
		porttest.RunAll(t, func(t *testing.T) porttest.Stores { return stores(sqltest.MustOpenMySQL(t)) })
	})
}

func stores(db *sqlstore.DB) porttest.Stores {
	return porttest.Stores{
		Jobs:     sqlstore.NewJobStore(db),
		Logs:     sqlstore.NewLogStore(db),
		Groups:   sqlstore.NewGroupStore(db),
		Registry: sqlstore.NewRegistryStore(db),
		Users:    sqlstore.NewUserStore(db),
		Glues:    sqlstore.NewGlueStore(db),
		Reports:  sqlstore.NewReportStore(db),
		Locker:   db,
	}
}
