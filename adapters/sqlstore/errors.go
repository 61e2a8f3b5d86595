package sqlstore

import (
	"database/sql"
	"errors"
	"fmt"

	"github.com/go-sql-driver/mysql"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/xjob-dev/xjob/domain"
)

// MySQL server error numbers the stores translate.
const (
	mysqlDupEntry    = 1062 // ER_DUP_ENTRY
	mysqlDataTooLong = 1406 // ER_DATA_TOO_LONG
)

// dbErr wraps err with what was being done, translating the failures a
// caller can act on into domain codes: a unique-key violation becomes
// ECONFLICT, a value too long for its column (MySQL strict mode, e.g. a
// title over 2.4's varchar(12)) EINVALID. sql.ErrNoRows is left to callers,
// which know what was not found.
func dbErr(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	what := fmt.Sprintf(format, args...)
	switch {
	case isUniqueViolation(err):
		return fmt.Errorf("%s: %w", what, &domain.Error{Code: domain.ECONFLICT, Message: "The record already exists."})
	case isDataTooLong(err):
		return fmt.Errorf("%s: %w", what, &domain.Error{Code: domain.EINVALID, Message: "A value is too long for its column: " + err.Error()})
	}
	return fmt.Errorf("%s: %w", what, err)
}

// notFound returns ENOTFOUND for sql.ErrNoRows and dbErr otherwise.
func notFound(err error, msg string, format string, args ...any) error {
	if errors.Is(err, sql.ErrNoRows) {
		return domain.Errorf(domain.ENOTFOUND, "%s", msg)
	}
	return dbErr(err, format, args...)
}

func isUniqueViolation(err error) bool {
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		return me.Number == mysqlDupEntry
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

func isDataTooLong(err error) bool {
	var me *mysql.MySQLError
	return errors.As(err, &me) && me.Number == mysqlDataTooLong
}

// affected returns the rows an UPDATE matched (MySQL runs with
// clientFoundRows) or a DELETE removed.
func affected(res sql.Result) (int64, error) {
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("rows affected: %w", err)
	}
	return n, nil
}
