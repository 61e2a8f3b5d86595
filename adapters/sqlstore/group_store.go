package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/xjob-dev/xjob/domain"
	"github.com/xjob-dev/xjob/ports"
)

// GroupStore implements ports.GroupStore on xxl_job_group.
type GroupStore struct {
	db     *DB
	rd, wr bun.IDB
}

var _ ports.GroupStore = (*GroupStore)(nil)

// NewGroupStore returns a GroupStore on db.
func NewGroupStore(db *DB) *GroupStore { return &GroupStore{db: db, rd: db.rd, wr: db.wr} }

// FindGroupByID returns ENOTFOUND if the group does not exist.
func (s *GroupStore) FindGroupByID(ctx context.Context, id int64) (*domain.Group, error) {
	var row groupRow
	if err := s.rd.NewSelect().Model(&row).Where("g.id = ?", id).Scan(ctx); err != nil {
		return nil, notFound(err, fmt.Sprintf("Executor group %d not found.", id), "select group %d", id)
	}
	return s.db.groupFromRow(&row), nil
}

// AllGroups returns every group ordered by app_name, title, id.
func (s *GroupStore) AllGroups(ctx context.Context) ([]*domain.Group, error) {
	groups, _, err := s.FindGroups(ctx, ports.GroupFilter{})
	return groups, err
}

// FindGroups returns one page of groups ordered by app_name, title, id and
// the total count.
func (s *GroupStore) FindGroups(ctx context.Context, f ports.GroupFilter) ([]*domain.Group, int, error) {
	filter := func(q *bun.SelectQuery) *bun.SelectQuery {
		return whereLike(whereLike(q, "g.app_name", f.AppName), "g.title", f.Title)
	}
	var rows []groupRow
	q := s.rd.NewSelect().Model(&rows).Apply(filter).OrderExpr("g.app_name ASC, g.title ASC, g.id ASC")
	if err := page(q, f.Offset, f.Limit).Scan(ctx); err != nil {
		return nil, 0, dbErr(err, "select groups")
	}
	total := len(rows)
	if f.Offset > 0 || (f.Limit > 0 && len(rows) == f.Limit) {
		n, err := s.rd.NewSelect().TableExpr("xxl_job_group AS g").Apply(filter).Count(ctx)
		if err != nil {
			return nil, 0, dbErr(err, "count groups")
		}
		total = int(n)
	}
	out := make([]*domain.Group, len(rows))
	for i := range rows {
		out[i] = s.db.groupFromRow(&rows[i])
	}
	return out, total, nil
}

// CreateGroup inserts the group and sets its ID.
func (s *GroupStore) CreateGroup(ctx context.Context, g *domain.Group) error {
	row := s.db.groupToRow(g)
	row.ID = 0
	res, err := s.wr.NewInsert().Model(row).Returning("").Exec(ctx)
	if err != nil {
		return dbErr(err, "insert group %q", g.AppName)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return fmt.Errorf("insert group %q: %w", g.AppName, err)
	}
	g.ID = id
	return nil
}

// UpdateGroup writes every column. Returns ENOTFOUND if it is gone.
func (s *GroupStore) UpdateGroup(ctx context.Context, g *domain.Group) error {
	res, err := s.wr.NewUpdate().Model(s.db.groupToRow(g)).ExcludeColumn("id").WherePK().Exec(ctx)
	return s.checkOne(res, err, g.ID, "update group %d")
}

// DeleteGroup removes the group. Returns ENOTFOUND if it is gone.
func (s *GroupStore) DeleteGroup(ctx context.Context, id int64) error {
	res, err := s.wr.NewDelete().TableExpr("xxl_job_group").Where("id = ?", id).Exec(ctx)
	return s.checkOne(res, err, id, "delete group %d")
}

// SwapGroupAddresses sets address_list and update_time only while
// address_list is still old (NULL or ” when old is empty).
func (s *GroupStore) SwapGroupAddresses(ctx context.Context, id int64, old, list string, at time.Time) (bool, error) {
	q := s.wr.NewUpdate().TableExpr("xxl_job_group").
		Set("address_list = ?", bun.NullZero(list)).
		Set("update_time = ?", bun.NullZero(s.db.toDB(at))).
		Where("id = ?", id)
	if old == "" {
		q = q.Where("(address_list IS NULL OR address_list = '')")
	} else {
		q = q.Where("address_list = ?", old)
	}
	res, err := q.Exec(ctx)
	if err != nil {
		return false, dbErr(err, "update addresses of group %d", id)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, dbErr(err, "update addresses of group %d", id)
	}
	return n > 0, nil
}

func (s *GroupStore) checkOne(res interface{ RowsAffected() (int64, error) }, err error, id int64, what string) error {
	if err != nil {
		return dbErr(err, what, id)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return dbErr(err, what, id)
	}
	if n == 0 {
		return domain.Errorf(domain.ENOTFOUND, "Executor group %d not found.", id)
	}
	return nil
}
