package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"

	"github.com/go-sql-driver/mysql"
	"github.com/uptrace/bun"

	"github.com/xjob-dev/xjob/domain"
)

// Limits of CompleteLogs.
const (
	completeChunk    = 500 // logs per CompleteLogs transaction
	completeAttempts = 3   // tries of a MySQL transaction chosen as a deadlock victim
	mysqlDeadlock    = 1213
)

// errPartialWin makes the optimistic MySQL attempt roll back: some of the
// rows already had a result, so the update alone cannot tell which it wrote.
var errPartialWin = errors.New("some logs already have a result")

// CompleteLogs writes handle_time, handle_code and handle_msg of every log
// that has no result yet (handle_code = 0), as UpdateHandleInfo does for one,
// and returns the ids it wrote, ascending. A log named twice is written with
// its first entry. Logs are written completeChunk per transaction; on an
// error the ids of the chunks already committed are returned with it.
//
// Of two concurrent calls naming the same open row, exactly one gets it:
//   - SQLite: one UPDATE … WHERE id IN (…) AND handle_code = 0 RETURNING id
//     (one writer; the statement is atomic).
//   - MySQL, which has no UPDATE … RETURNING: in one transaction, the same
//     guarded multi-row UPDATE (CASE id WHEN …); when it matched every row or
//     none, that is the answer. Otherwise it rolls back and the rows still
//     open are locked first (SELECT id … AND handle_code = 0 FOR UPDATE) and
//     only those are updated. Both statements lock the rows in primary-key
//     order, so two nodes completing overlapping batches queue rather than
//     deadlock; a deadlock with some other writer is retried. One log is
//     one guarded UPDATE, its row count (clientFoundRows) the answer.
func (s *LogStore) CompleteLogs(ctx context.Context, logs []*domain.JobLog) ([]int64, error) {
	logs = firstPerID(logs)
	won := make([]int64, 0, len(logs))
	for _, part := range chunks(logs, completeChunk) {
		var w []int64
		var err error
		if s.db.engine == SQLite {
			w, err = s.completeReturning(ctx, part)
		} else {
			w, err = s.completeLocked(ctx, part)
		}
		won = append(won, w...)
		if err != nil {
			slices.Sort(won)
			return won, dbErr(err, "complete %d logs", len(part))
		}
	}
	slices.Sort(won)
	return won, nil
}

// firstPerID drops the logs that repeat an earlier log's id.
func firstPerID(logs []*domain.JobLog) []*domain.JobLog {
	seen := make(map[int64]bool, len(logs))
	out := make([]*domain.JobLog, 0, len(logs))
	for _, l := range logs {
		if !seen[l.ID] {
			seen[l.ID] = true
			out = append(out, l)
		}
	}
	return out
}

// completeReturning is CompleteLogs on SQLite.
func (s *LogStore) completeReturning(ctx context.Context, logs []*domain.JobLog) ([]int64, error) {
	var won []int64
	if err := s.handleUpdate(s.wr, logs, idsOf(logs)).Returning("id").Scan(ctx, &won); err != nil {
		return nil, err
	}
	return won, nil
}

// completeLocked is CompleteLogs on MySQL.
func (s *LogStore) completeLocked(ctx context.Context, logs []*domain.JobLog) ([]int64, error) {
	ids := idsOf(logs)
	if len(logs) == 1 {
		// One row: the guarded update's row count is the answer.
		res, err := s.handleUpdate(s.wr, logs, ids).Exec(ctx)
		if err != nil {
			return nil, err
		}
		if n, err := affected(res); err != nil || n == 0 {
			return nil, err
		}
		return ids, nil
	}
	var won []int64
	optimistic := true
	for attempt := 1; ; attempt++ {
		// READ COMMITTED: the guarded update and FOR UPDATE lock only the
		// rows they match, no gaps, so a batch does not block (or deadlock
		// with) the log inserts of concurrent triggers.
		err := s.wr.RunInTx(ctx, &sql.TxOptions{Isolation: sql.LevelReadCommitted}, func(ctx context.Context, tx bun.Tx) error {
			won = nil
			if optimistic {
				return s.completeAllOrNone(ctx, tx, logs, ids, &won)
			}
			return s.completeOpen(ctx, tx, logs, ids, &won)
		})
		switch {
		case errors.Is(err, errPartialWin) && optimistic:
			optimistic = false
		case isDeadlock(err) && attempt < completeAttempts:
		case err != nil:
			return nil, err
		default:
			return won, nil
		}
	}
}

// completeAllOrNone runs the guarded update; it keeps the outcome when the
// update matched every row (all won) or none, and asks for a roll back
// otherwise. clientFoundRows makes the count the rows matched.
func (s *LogStore) completeAllOrNone(ctx context.Context, tx bun.Tx, logs []*domain.JobLog, ids []int64, won *[]int64) error {
	res, err := s.handleUpdate(tx, logs, ids).Exec(ctx)
	if err != nil {
		return err
	}
	n, err := affected(res)
	switch {
	case err != nil:
		return err
	case n == int64(len(ids)):
		*won = ids
	case n != 0:
		return errPartialWin
	}
	return nil
}

// completeOpen locks the rows still open and updates those.
func (s *LogStore) completeOpen(ctx context.Context, tx bun.Tx, logs []*domain.JobLog, ids []int64, won *[]int64) error {
	var open []int64
	err := tx.NewSelect().TableExpr("xxl_job_log").Column("id").
		Where("id IN (?)", bun.List(ids)).
		Where("handle_code = ?", domain.CodeNone).
		OrderExpr("id").
		For("UPDATE").
		Scan(ctx, &open)
	if err != nil || len(open) == 0 {
		return err
	}
	keep := make(map[int64]bool, len(open))
	for _, id := range open {
		keep[id] = true
	}
	var part []*domain.JobLog
	for _, l := range logs {
		if keep[l.ID] {
			part = append(part, l)
		}
	}
	if _, err := s.handleUpdate(tx, part, open).Exec(ctx); err != nil {
		return err
	}
	*won = open
	return nil
}

// handleUpdate is the guarded update of the result columns of logs (whose
// ids are ids), with the values UpdateHandleInfo writes.
func (s *LogStore) handleUpdate(db bun.IDB, logs []*domain.JobLog, ids []int64) *bun.UpdateQuery {
	q := db.NewUpdate().TableExpr("xxl_job_log")
	if len(logs) == 1 {
		l := logs[0]
		q = q.Set("handle_time = ?", bun.NullZero(s.db.toDB(l.HandleTime))).
			Set("handle_code = ?", l.HandleCode).
			Set("handle_msg = ?", l.HandleMsg)
	} else {
		cols := []struct {
			name string
			val  func(*domain.JobLog) any
		}{
			{"handle_time", func(l *domain.JobLog) any { return bun.NullZero(s.db.toDB(l.HandleTime)) }},
			{"handle_code", func(l *domain.JobLog) any { return l.HandleCode }},
			{"handle_msg", func(l *domain.JobLog) any { return l.HandleMsg }},
		}
		for _, c := range cols {
			var expr strings.Builder
			expr.WriteString(c.name + " = CASE id")
			args := make([]any, 0, 2*len(logs))
			for _, l := range logs {
				expr.WriteString(" WHEN ? THEN ?")
				args = append(args, l.ID, c.val(l))
			}
			expr.WriteString(" END")
			q = q.Set(expr.String(), args...)
		}
	}
	return q.Where("id IN (?)", bun.List(ids)).Where("handle_code = ?", domain.CodeNone)
}

func idsOf(logs []*domain.JobLog) []int64 {
	ids := make([]int64, len(logs))
	for i, l := range logs {
		ids[i] = l.ID
	}
	return ids
}

func isDeadlock(err error) bool {
	var me *mysql.MySQLError
	return errors.As(err, &me) && me.Number == mysqlDeadlock
}
