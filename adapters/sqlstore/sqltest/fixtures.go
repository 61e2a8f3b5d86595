package sqltest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/xjob-dev/xjob/adapters/sqlstore"
	"github.com/xjob-dev/xjob/domain"
)

// MustCreateGroup inserts g (an auto-registered group with a unique app name
// when g is nil or its fields are empty) and returns it with its ID set.
func MustCreateGroup(tb testing.TB, db *sqlstore.DB, g *domain.Group) *domain.Group {
	tb.Helper()
	if g == nil {
		g = &domain.Group{}
	}
	if g.AppName == "" {
		g.AppName = "app-" + randomHex(4)
	}
	if g.Title == "" {
		g.Title = "test group"
	}
	if g.UpdateTime.IsZero() {
		g.UpdateTime = time.Now().Truncate(time.Second)
	}
	if err := sqlstore.NewGroupStore(db).CreateGroup(context.Background(), g); err != nil {
		tb.Fatalf("create group: %v", err)
	}
	return g
}

// MustCreateJob inserts j and returns it with its ID set. Empty fields get
// working defaults: a new group when GroupID is 0, a stopped BEAN job with
// CRON "0 0 0 * * ?", FIRST routing and SERIAL_EXECUTION.
func MustCreateJob(tb testing.TB, db *sqlstore.DB, j *domain.JobInfo) *domain.JobInfo {
	tb.Helper()
	if j == nil {
		j = &domain.JobInfo{}
	}
	if j.GroupID == 0 {
		j.GroupID = MustCreateGroup(tb, db, nil).ID
	}
	now := time.Now().Truncate(time.Second)
	def := func(s *string, v string) {
		if *s == "" {
			*s = v
		}
	}
	def(&j.Desc, "test job")
	def(&j.Author, "test")
	def(&j.ExecutorHandler, "demoJobHandler")
	def(&j.GlueRemark, "init")
	if j.ScheduleType == "" {
		j.ScheduleType, j.ScheduleConf = domain.ScheduleCron, "0 0 0 * * ?"
	}
	if j.MisfireStrategy == "" {
		j.MisfireStrategy = domain.MisfireDoNothing
	}
	if j.RouteStrategy == "" {
		j.RouteStrategy = domain.RouteFirst
	}
	if j.BlockStrategy == "" {
		j.BlockStrategy = domain.BlockSerial
	}
	if j.GlueType == "" {
		j.GlueType = domain.GlueBean
	}
	for _, t := range []*time.Time{&j.AddTime, &j.UpdateTime, &j.GlueUpdatetime} {
		if t.IsZero() {
			*t = now
		}
	}
	if err := sqlstore.NewJobStore(db).CreateJob(context.Background(), j); err != nil {
		tb.Fatalf("create job: %v", err)
	}
	return j
}

// MustCreateLogs inserts logs (their GroupID/JobID as given; TriggerTime
// defaults to now) and sets their IDs.
func MustCreateLogs(tb testing.TB, db *sqlstore.DB, logs ...*domain.JobLog) []*domain.JobLog {
	tb.Helper()
	now := time.Now().Truncate(time.Second)
	for _, l := range logs {
		if l.TriggerTime.IsZero() {
			l.TriggerTime = now
		}
	}
	if err := sqlstore.NewLogStore(db).CreateLogs(context.Background(), logs); err != nil {
		tb.Fatalf("create logs: %v", err)
	}
	return logs
}

// MustCreateUser inserts u (a normal user with a unique name and a dummy
// password hash when fields are empty) and returns it with its ID set.
func MustCreateUser(tb testing.TB, db *sqlstore.DB, u *domain.User) *domain.User {
	tb.Helper()
	if u == nil {
		u = &domain.User{}
	}
	if u.Username == "" {
		u.Username = fmt.Sprintf("user%s", randomHex(4))
	}
	if u.Password == "" {
		u.Password = "$2a$10$testtesttesttesttesttuTestTestTestTestTestTestTestTestTe"
	}
	if err := sqlstore.NewUserStore(db).CreateUser(context.Background(), u); err != nil {
		tb.Fatalf("create user: %v", err)
	}
	return u
}
