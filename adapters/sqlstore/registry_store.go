package sqlstore

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/xjob-dev/xjob/domain"
	"github.com/xjob-dev/xjob/ports"
)

// RegistryStore implements ports.RegistryStore on xxl_job_registry.
type RegistryStore struct {
	db     *DB
	rd, wr bun.IDB
}

var _ ports.RegistryStore = (*RegistryStore)(nil)

// NewRegistryStore returns a RegistryStore on db.
func NewRegistryStore(db *DB) *RegistryStore { return &RegistryStore{db: db, rd: db.rd, wr: db.wr} }

// SaveRegistry refreshes the update_time of (group, key, value), inserting
// the row when no row matched. It works on both schemas: on 3.4 the unique
// index i_g_k_v turns a concurrent insert of the same row into a duplicate
// key, which counts as saved; on 2.4 the index is not unique and such a race
// leaves two rows, which AliveRegistries folds into one and DeleteRegistry
// removes together. A zero UpdateTime means now.
func (s *RegistryStore) SaveRegistry(ctx context.Context, r *domain.Registry) error {
	at := s.db.toDB(r.UpdateTime)
	if at.IsZero() {
		at = s.db.now()
	}
	res, err := s.wr.NewUpdate().TableExpr("xxl_job_registry").
		Set("update_time = ?", at).
		Where("registry_group = ? AND registry_key = ? AND registry_value = ?", string(r.Group), r.Key, r.Value).
		Exec(ctx)
	if err != nil {
		return dbErr(err, "update registry %s %s %s", r.Group, r.Key, r.Value)
	}
	if n, err := affected(res); err != nil || n > 0 {
		return err
	}
	row := &registryRow{RegistryGroup: string(r.Group), RegistryKey: r.Key, RegistryValue: r.Value, UpdateTime: at}
	res, err = s.wr.NewInsert().Model(row).Returning("").Exec(ctx)
	if isUniqueViolation(err) {
		return nil
	} else if err != nil {
		return dbErr(err, "insert registry %s %s %s", r.Group, r.Key, r.Value)
	}
	if id, err := res.LastInsertId(); err == nil {
		r.ID = id
	}
	return nil
}

// DeleteRegistry removes the rows of (group, key, value).
func (s *RegistryStore) DeleteRegistry(ctx context.Context, group domain.RegistryGroup, key, value string) error {
	_, err := s.wr.NewDelete().TableExpr("xxl_job_registry").
		Where("registry_group = ? AND registry_key = ? AND registry_value = ?", string(group), key, value).
		Exec(ctx)
	return dbErr(err, "delete registry %s %s %s", group, key, value)
}

// DeleteRegistriesByKey removes every row of (group, key).
func (s *RegistryStore) DeleteRegistriesByKey(ctx context.Context, group domain.RegistryGroup, key string) error {
	_, err := s.wr.NewDelete().TableExpr("xxl_job_registry").
		Where("registry_group = ? AND registry_key = ?", string(group), key).
		Exec(ctx)
	return dbErr(err, "delete registries %s %s", group, key)
}

// DeleteDeadRegistries removes rows not refreshed since before and returns
// how many.
func (s *RegistryStore) DeleteDeadRegistries(ctx context.Context, before time.Time) (int, error) {
	res, err := s.wr.NewDelete().TableExpr("xxl_job_registry").
		Where("update_time < ?", s.db.toDB(before)).
		Exec(ctx)
	if err != nil {
		return 0, dbErr(err, "delete dead registries")
	}
	n, err := affected(res)
	return int(n), err
}

// AliveRegistries returns rows refreshed after `after`, ordered by group,
// key and value, one per (group, key, value) (the newest, should a 2.4
// database hold duplicates).
func (s *RegistryStore) AliveRegistries(ctx context.Context, after time.Time) ([]*domain.Registry, error) {
	var rows []registryRow
	err := s.rd.NewSelect().Model(&rows).
		Where("r.update_time > ?", s.db.toDB(after)).
		OrderExpr("r.registry_group ASC, r.registry_key ASC, r.registry_value ASC, r.update_time DESC, r.id DESC").
		Scan(ctx)
	if err != nil {
		return nil, dbErr(err, "select alive registries")
	}
	out := make([]*domain.Registry, 0, len(rows))
	for i := range rows {
		r := &rows[i]
		if i > 0 {
			p := &rows[i-1]
			if p.RegistryGroup == r.RegistryGroup && p.RegistryKey == r.RegistryKey && p.RegistryValue == r.RegistryValue {
				continue
			}
		}
		out = append(out, s.db.registryFromRow(r))
	}
	return out, nil
}
