package sqlstore

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"

	"github.com/xjob-dev/xjob/domain"
	"github.com/xjob-dev/xjob/ports"
)

// UserStore implements ports.UserStore on xxl_job_user. Usernames compare
// case-insensitively on both engines (MySQL's collation; NOCASE on SQLite).
type UserStore struct {
	db     *DB
	rd, wr bun.IDB
}

var _ ports.UserStore = (*UserStore)(nil)

// NewUserStore returns a UserStore on db.
func NewUserStore(db *DB) *UserStore { return &UserStore{db: db, rd: db.rd, wr: db.wr} }

// sel selects users, without the token column when the schema lacks it.
func (s *UserStore) sel(rows any) *bun.SelectQuery {
	q := s.rd.NewSelect().Model(rows)
	if !s.db.userToken {
		q = q.ExcludeColumn("token")
	}
	return q
}

func (s *UserStore) find(ctx context.Context, where string, arg any) (*domain.User, error) {
	var row userRow
	if err := s.sel(&row).Where(where, arg).Scan(ctx); err != nil {
		return nil, notFound(err, fmt.Sprintf("User %v not found.", arg), "select user %v", arg)
	}
	return userFromRow(&row), nil
}

// FindUserByID returns ENOTFOUND if the user does not exist.
func (s *UserStore) FindUserByID(ctx context.Context, id int64) (*domain.User, error) {
	return s.find(ctx, "u.id = ?", id)
}

// FindUserByUsername returns ENOTFOUND if the user does not exist.
func (s *UserStore) FindUserByUsername(ctx context.Context, username string) (*domain.User, error) {
	return s.find(ctx, "u.username = ?", username)
}

// FindUsers returns one page of users ordered by username and the total.
// f.Role -1 means any role.
func (s *UserStore) FindUsers(ctx context.Context, f ports.UserFilter) ([]*domain.User, int, error) {
	filter := func(q *bun.SelectQuery) *bun.SelectQuery {
		q = whereLike(q, "u.username", f.Username)
		if f.Role >= 0 {
			q = q.Where("u.role = ?", f.Role)
		}
		return q
	}
	total, err := s.rd.NewSelect().TableExpr("xxl_job_user AS u").Apply(filter).Count(ctx)
	if err != nil {
		return nil, 0, dbErr(err, "count users")
	}
	var rows []userRow
	if err := page(s.sel(&rows).Apply(filter).OrderExpr("u.username ASC, u.id ASC"), f.Offset, f.Limit).Scan(ctx); err != nil {
		return nil, 0, dbErr(err, "select users")
	}
	out := make([]*domain.User, len(rows))
	for i := range rows {
		out[i] = userFromRow(&rows[i])
	}
	return out, int(total), nil
}

// CountUsers counts all users.
func (s *UserStore) CountUsers(ctx context.Context) (int, error) {
	n, err := s.rd.NewSelect().TableExpr("xxl_job_user").Count(ctx)
	return int(n), dbErr(err, "count users")
}

// CreateUser inserts the user and sets its ID; ECONFLICT on a taken username.
func (s *UserStore) CreateUser(ctx context.Context, u *domain.User) error {
	row := userToRow(u)
	row.ID = 0
	q := s.wr.NewInsert().Model(row).Returning("")
	if !s.db.userToken {
		q = q.ExcludeColumn("token")
	}
	res, err := q.Exec(ctx)
	if isUniqueViolation(err) {
		return domain.KeyError(domain.ECONFLICT, "user_username_repeat", "The username is already taken.")
	} else if err != nil {
		return dbErr(err, "insert user %q", u.Username)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return fmt.Errorf("insert user %q: %w", u.Username, err)
	}
	u.ID = id
	return nil
}

// UpdateUser writes username, password, role and permission. Returns
// ENOTFOUND if the user is gone, ECONFLICT if the username is taken.
func (s *UserStore) UpdateUser(ctx context.Context, u *domain.User) error {
	res, err := s.wr.NewUpdate().Model(userToRow(u)).
		Column("username", "password", "role", "permission").WherePK().Exec(ctx)
	if isUniqueViolation(err) {
		return domain.KeyError(domain.ECONFLICT, "user_username_repeat", "The username is already taken.")
	}
	return s.checkOne(res, err, u.ID, "update user %d")
}

// UpdateUserToken sets the login token column ("" stores NULL); a no-op on
// a schema without the column (a 2.4 database opened WithoutMigrate).
func (s *UserStore) UpdateUserToken(ctx context.Context, id int64, token string) error {
	if !s.db.userToken {
		return nil
	}
	res, err := s.wr.NewUpdate().TableExpr("xxl_job_user").
		Set("token = ?", bun.NullZero(token)).Where("id = ?", id).Exec(ctx)
	return s.checkOne(res, err, id, "update token of user %d")
}

// DeleteUser removes the user. Returns ENOTFOUND if it is gone.
func (s *UserStore) DeleteUser(ctx context.Context, id int64) error {
	res, err := s.wr.NewDelete().TableExpr("xxl_job_user").Where("id = ?", id).Exec(ctx)
	return s.checkOne(res, err, id, "delete user %d")
}

func (s *UserStore) checkOne(res interface{ RowsAffected() (int64, error) }, err error, id int64, what string) error {
	if err != nil {
		return dbErr(err, what, id)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return dbErr(err, what, id)
	}
	if n == 0 {
		return domain.Errorf(domain.ENOTFOUND, "User %d not found.", id)
	}
	return nil
}
