package sqlstore

import (
	"context"
	"strings"

	"github.com/uptrace/bun"

	"github.com/xjob-dev/xjob/domain"
	"github.com/xjob-dev/xjob/ports"
)

var (
	_ ports.FireStore    = (*FireStore)(nil)
	_ ports.FireRecorder = (*scheduleTx)(nil)
)

// fireRow mirrors xjob_fire.
type fireRow struct {
	bun.BaseModel `bun:"table:xjob_fire"`
	JobID         int64  `bun:"job_id,pk"`
	FireTime      int64  `bun:"fire_time,pk"`
	TriggerType   string `bun:"trigger_type"`
	State         int    `bun:"state"`
	Node          string `bun:"node"`
	LeaseUntil    int64  `bun:"lease_until"`
	LogID         int64  `bun:"log_id"`
	UpdatedAt     int64  `bun:"updated_at"`
}

func fireRowOf(f ports.Fire) fireRow {
	t := f.Type
	if t == "" {
		t = domain.TriggerCron
	}
	return fireRow{JobID: f.JobID, FireTime: f.FireTime, TriggerType: string(t), State: int(f.State),
		Node: f.Node, LeaseUntil: f.LeaseUntil, LogID: f.LogID, UpdatedAt: f.UpdatedAt}
}

func (r fireRow) toPort() ports.Fire {
	return ports.Fire{JobID: r.JobID, FireTime: r.FireTime, Type: domain.TriggerType(r.TriggerType),
		State: ports.FireState(r.State), Node: r.Node, LeaseUntil: r.LeaseUntil, LogID: r.LogID, UpdatedAt: r.UpdatedAt}
}

// fireChunk bounds the rows of one statement (8 bound values each).
const fireChunk = 500

// RecordFires implements ports.FireRecorder inside the schedule lock's
// transaction. Only scans insert fires, and they hold the lock, so "select
// the ones that exist, insert the others" cannot race with another insert;
// the primary key still rejects a duplicate if a bug ever let one through.
func (t *scheduleTx) RecordFires(ctx context.Context, fires []ports.Fire) ([]ports.Fire, error) {
	idb := t.jobs.wr
	var fresh []ports.Fire
	for _, part := range chunks(fires, fireChunk) {
		exists, err := existingFires(ctx, idb, part)
		if err != nil {
			return nil, err
		}
		var rows []fireRow
		for _, f := range part {
			k := [2]int64{f.JobID, f.FireTime}
			if exists[k] {
				continue
			}
			exists[k] = true // a fire listed twice is inserted once
			rows = append(rows, fireRowOf(f))
			fresh = append(fresh, f)
		}
		if len(rows) == 0 {
			continue
		}
		if _, err := idb.NewInsert().Model(&rows).Exec(ctx); err != nil {
			return nil, dbErr(err, "record %d fires", len(rows))
		}
	}
	return fresh, nil
}

// existingFires returns the keys among fires that are already recorded.
func existingFires(ctx context.Context, idb bun.IDB, fires []ports.Fire) (map[[2]int64]bool, error) {
	ids := make([]int64, 0, len(fires))
	lo, hi := fires[0].FireTime, fires[0].FireTime
	for _, f := range fires {
		ids = append(ids, f.JobID)
		lo, hi = min(lo, f.FireTime), max(hi, f.FireTime)
	}
	var keys []struct {
		JobID    int64 `bun:"job_id"`
		FireTime int64 `bun:"fire_time"`
	}
	err := idb.NewSelect().Table("xjob_fire").Column("job_id", "fire_time").
		Where("job_id IN (?)", bun.List(ids)).Where("fire_time BETWEEN ? AND ?", lo, hi).Scan(ctx, &keys)
	if err != nil {
		return nil, dbErr(err, "select recorded fires")
	}
	out := make(map[[2]int64]bool, len(keys))
	for _, k := range keys {
		out[[2]int64{k.JobID, k.FireTime}] = true
	}
	return out, nil
}

// FireStore implements ports.FireStore on xjob_fire.
type FireStore struct{ db *DB }

// NewFireStore returns the fire store of db.
func NewFireStore(db *DB) *FireStore { return &FireStore{db: db} }

// MoveFire implements ports.FireStore with one conditional UPDATE.
func (s *FireStore) MoveFire(ctx context.Context, from ports.FireState, fromNode string, to ports.Fire) (bool, error) {
	r := fireRowOf(to)
	res, err := s.db.wr.NewUpdate().Model(&r).
		Column("trigger_type", "state", "node", "lease_until", "log_id", "updated_at").
		Where("job_id = ? AND fire_time = ?", r.JobID, r.FireTime).
		Where("state = ? AND node = ?", int(from), fromNode).
		Exec(ctx)
	if err != nil {
		return false, dbErr(err, "move fire of job %d at %d", to.JobID, to.FireTime)
	}
	n, err := affected(res)
	return n == 1, err
}

// MoveFires implements ports.FireStore: one conditional UPDATE per chunk,
// and, only when some fire did not move, one SELECT to tell which did.
func (s *FireStore) MoveFires(ctx context.Context, from ports.FireState, fromNode string, fires []ports.Fire, to ports.Fire) ([]ports.Fire, error) {
	var moved []ports.Fire
	for _, chunk := range chunks(fires, fireChunk) {
		keys, args := fireKeys(chunk)
		q := "UPDATE xjob_fire SET state = ?, node = ?, lease_until = ?, updated_at = ? WHERE (" + keys + ") AND state = ? AND node = ?"
		all := append([]any{int(to.State), to.Node, to.LeaseUntil, to.UpdatedAt}, args...)
		res, err := s.db.wr.NewRaw(q, append(all, int(from), fromNode)...).Exec(ctx)
		if err != nil {
			return moved, dbErr(err, "move %d fires", len(chunk))
		}
		n, err := affected(res)
		if err != nil {
			return moved, err
		}
		if int(n) == len(chunk) {
			for _, f := range chunk {
				f.State, f.Node, f.LeaseUntil, f.UpdatedAt = to.State, to.Node, to.LeaseUntil, to.UpdatedAt
				moved = append(moved, f)
			}
			continue
		}
		var rows []fireRow
		if err := s.db.wr.NewSelect().Model(&rows).Where("("+keys+")", args...).
			Where("state = ? AND node = ? AND updated_at = ?", int(to.State), to.Node, to.UpdatedAt).Scan(ctx); err != nil {
			return moved, dbErr(err, "select moved fires")
		}
		for _, r := range rows {
			moved = append(moved, r.toPort())
		}
	}
	return moved, nil
}

// fireKeys renders the primary keys of fires as an OR of equalities (both
// engines use the primary key for it) with their arguments.
func fireKeys(fires []ports.Fire) (string, []any) {
	var b strings.Builder
	args := make([]any, 0, 2*len(fires))
	for i, f := range fires {
		if i > 0 {
			b.WriteString(" OR ")
		}
		b.WriteString("(job_id = ? AND fire_time = ?)")
		args = append(args, f.JobID, f.FireTime)
	}
	return b.String(), args
}

// ExpiredFires implements ports.FireStore.
func (s *FireStore) ExpiredFires(ctx context.Context, now int64, limit int) ([]ports.Fire, error) {
	var rows []fireRow
	q := s.db.wr.NewSelect().Model(&rows).
		Where("state IN (?)", bun.List([]int{int(ports.FirePending), int(ports.FireClaimed)})).
		Where("lease_until < ?", now).
		OrderExpr("fire_time ASC, job_id ASC")
	if err := page(q, 0, limit).Scan(ctx); err != nil {
		return nil, dbErr(err, "select expired fires")
	}
	out := make([]ports.Fire, len(rows))
	for i, r := range rows {
		out[i] = r.toPort()
	}
	return out, nil
}

// DeleteSettledFires implements ports.FireStore: it picks the keys first,
// since neither engine allows LIMIT in the form both understand.
func (s *FireStore) DeleteSettledFires(ctx context.Context, before int64, limit int) (int, error) {
	settled := bun.List([]int{int(ports.FireDelivered), int(ports.FireSkipped)})
	var keys []struct {
		JobID    int64 `bun:"job_id"`
		FireTime int64 `bun:"fire_time"`
	}
	q := s.db.wr.NewSelect().Table("xjob_fire").Column("job_id", "fire_time").
		Where("state IN (?)", settled).Where("updated_at < ?", before)
	if err := page(q, 0, limit).Scan(ctx, &keys); err != nil {
		return 0, dbErr(err, "select settled fires")
	}
	if len(keys) == 0 {
		return 0, nil
	}
	fires := make([]ports.Fire, len(keys))
	for i, k := range keys {
		fires[i] = ports.Fire{JobID: k.JobID, FireTime: k.FireTime}
	}
	where, args := fireKeys(fires)
	res, err := s.db.wr.NewRaw("DELETE FROM xjob_fire WHERE ("+where+") AND state IN (?)", append(args, settled)...).Exec(ctx)
	if err != nil {
		return 0, dbErr(err, "delete %d settled fires", len(keys))
	}
	n, err := affected(res)
	return int(n), err
}
