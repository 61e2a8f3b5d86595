package xjob

import (
	"context"
	"fmt"
	"io"

	"github.com/xjob-dev/xjob/adapters/sqlstore"
)

// Migrate opens the configured database, creates or adopts the schema and
// reports what it found.
func Migrate(ctx context.Context, cfg *Config, out io.Writer) error {
	db, cleanup, err := sqlstore.Open(ctx, cfg.DB, sqlstore.WithLocation(cfg.Location))
	if err != nil {
		return err
	}
	defer cleanup()
	fmt.Fprintf(out, "database ready: %s\n", db.Schema())
	return nil
}
