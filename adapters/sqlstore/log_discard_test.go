package sqlstore_test

import (
	"testing"
	"time"

	"github.com/xjob-dev/xjob/adapters/sqlstore"
	"github.com/xjob-dev/xjob/adapters/sqlstore/sqltest"
	"github.com/xjob-dev/xjob/domain"
)

// DiscardLogs deletes only the logs that never reached an executor.
func TestDiscardLogs(t *testing.T) {
	sqltest.Engines(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := t.Context()
		logs := sqlstore.NewLogStore(db)
		now := time.Now().Truncate(time.Second)
		mk := func(tc, hc int) *domain.JobLog {
			return &domain.JobLog{GroupID: 1, JobID: 1, TriggerTime: now, TriggerCode: tc, HandleCode: hc}
		}
		created := sqltest.MustCreateLogs(t, db, mk(0, 0), mk(200, 0), mk(500, 0), mk(0, 200), mk(0, 0))
		ids := make([]int64, len(created))
		for i, l := range created {
			ids[i] = l.ID
		}
		if err := logs.DiscardLogs(ctx, append(ids[:4:4], 999_999)); err != nil {
			t.Fatal(err)
		}
		left, err := logs.FindLogsByIDs(ctx, ids)
		if err != nil {
			t.Fatal(err)
		}
		kept := map[int64]bool{}
		for _, l := range left {
			kept[l.ID] = true
		}
		want := []bool{false, true, true, true, true} // the last was not named
		for i, id := range ids {
			if kept[id] != want[i] {
				t.Errorf("log %d (trigger %d, handle %d): kept %v, want %v", i, created[i].TriggerCode, created[i].HandleCode, kept[id], want[i])
			}
		}
		if err := logs.DiscardLogs(ctx, nil); err != nil {
			t.Errorf("DiscardLogs(nil) = %v", err)
		}
	})
}
