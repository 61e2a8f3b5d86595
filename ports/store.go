package ports

import (
	"context"
	"time"

	"github.com/xjob-dev/xjob/domain"
)

// JobFilter selects jobs for a list page. Zero values mean "any".
type JobFilter struct {
	GroupID       int64   // 0 = any
	GroupIDs      []int64 // nil = no restriction; else only these groups (permissions)
	TriggerStatus int     // -1 = any, 0 stopped, 1 running
	Desc          string  // substring of job_desc
	Handler       string  // substring of executor_handler
	Author        string  // substring of author
	Offset, Limit int     // Limit 0 = no limit
}

// ScheduleUpdate is the new schedule state of one job after a scan.
type ScheduleUpdate struct {
	JobID           int64
	TriggerLastTime int64 // epoch ms
	TriggerNextTime int64 // epoch ms
	Stop            bool  // the schedule never fires again: stop the job
}

// JobStore persists job definitions (xxl_job_info and xjob's extras).
type JobStore interface {
	// FindJobByID returns ENOTFOUND if the job does not exist.
	FindJobByID(ctx context.Context, id int64) (*domain.JobInfo, error)
	// FindJobsByIDs returns the jobs that exist among ids, in id order.
	FindJobsByIDs(ctx context.Context, ids []int64) ([]*domain.JobInfo, error)
	// FindJobs returns one page of jobs (newest id first) and the total count.
	FindJobs(ctx context.Context, f JobFilter) ([]*domain.JobInfo, int, error)
	// CountJobs counts jobs; groupID 0 counts all.
	CountJobs(ctx context.Context, groupID int64) (int, error)
	// CreateJob inserts the job and sets its ID.
	CreateJob(ctx context.Context, job *domain.JobInfo) error
	// UpdateJob writes every column of the job. Returns ENOTFOUND if it is gone.
	UpdateJob(ctx context.Context, job *domain.JobInfo) error
	// DeleteJob removes the job and its extras. Returns ENOTFOUND if it is gone.
	DeleteJob(ctx context.Context, id int64) error
	// UpdateSchedules applies scan results in batches; a job stopped in the
	// meantime (trigger_status = 0) is never changed.
	UpdateSchedules(ctx context.Context, updates []ScheduleUpdate) error
}

// ScheduleTx is what a schedule scan may do while it holds the schedule lock.
type ScheduleTx interface {
	// SchedulableJobs returns running jobs due at or before maxNextTime
	// (epoch ms), lowest id first.
	SchedulableJobs(ctx context.Context, maxNextTime int64, limit int) ([]*domain.JobInfo, error)
	// UpdateSchedules is JobStore.UpdateSchedules inside the lock's transaction.
	UpdateSchedules(ctx context.Context, updates []ScheduleUpdate) error
}

// ScheduleLocker serialises schedule scans across admin nodes. fn runs in one
// transaction holding the lock; it commits when fn returns nil and rolls back
// otherwise. Returns EUNAVAILABLE when the lock row is missing.
type ScheduleLocker interface {
	WithScheduleLock(ctx context.Context, fn func(ctx context.Context, tx ScheduleTx) error) error
}

// LogFilter selects logs for the log list. Zero values mean "any".
type LogFilter struct {
	GroupID  int64
	GroupIDs []int64 // nil = no restriction
	JobID    int64
	Status   domain.LogStatus // LogStatusAll (-1) = any
	From, To time.Time        // trigger_time range; zero = open
	// Limit is the page size (0 = every matching log, in one page).
	Limit int
	// BeforeID > 0 pages towards older logs: only logs with a smaller id,
	// the newest Limit of them (LogPage.Older gives it for the next page).
	BeforeID int64
	// AfterID > 0 pages towards newer logs: only logs with a greater id,
	// the Limit just above it, still returned newest first (LogPage.Newer).
	AfterID int64
	// Offset skips that many matching logs (after BeforeID, if set). It
	// costs what it skips; paging by BeforeID/AfterID does not.
	Offset int
}

// LogPage is one page of the log list.
type LogPage struct {
	Logs []*domain.JobLog // newest first
	// Total counts the logs matching the filter, on every page. When
	// TotalCapped is set the store stopped counting and at least Total
	// logs match.
	Total       int
	TotalCapped bool
	// Older, when non-zero, is the BeforeID of the next older page: older
	// logs may match (a store that limits how much one page reads may
	// return fewer than Limit logs, even none, and an Older to go on).
	// Zero: no older log matches.
	Older int64
	// Newer, when non-zero, is the AfterID of the next newer page; zero on
	// the newest page.
	Newer int64
}

// ClearFilter selects logs to delete (the log page's clear rules and retention).
type ClearFilter struct {
	GroupID    int64     // 0 = any
	JobID      int64     // 0 = any
	Before     time.Time // trigger_time <= Before; zero = any time
	KeepNewest int       // >0: keep the newest N of the selection
}

// LogCounts are the counts behind one day of the log report.
type LogCounts struct {
	Running, Success, Fail int
}

// LogStore persists trigger logs (xxl_job_log).
type LogStore interface {
	// CreateLogs inserts the logs in one statement and sets their IDs.
	CreateLogs(ctx context.Context, logs []*domain.JobLog) error
	// FindLogByID returns ENOTFOUND if the log does not exist.
	FindLogByID(ctx context.Context, id int64) (*domain.JobLog, error)
	// FindLogsByIDs returns the logs that exist among ids, in no set order.
	FindLogsByIDs(ctx context.Context, ids []int64) ([]*domain.JobLog, error)
	// FindLogs returns one page of logs (newest first), the cursors of the
	// pages around it and the number of matching logs, or a lower bound of
	// it (LogPage.TotalCapped).
	FindLogs(ctx context.Context, f LogFilter) (LogPage, error)
	// UpdateTriggerInfos writes the trigger columns of each log (trigger_time,
	// trigger_code, trigger_msg, executor_* columns, retry count).
	UpdateTriggerInfos(ctx context.Context, logs []*domain.JobLog) error
	// UpdateHandleInfo writes handle_time, handle_code and handle_msg only if
	// no result was recorded yet; it reports whether it did.
	UpdateHandleInfo(ctx context.Context, log *domain.JobLog) (bool, error)
	// CompleteLogs is UpdateHandleInfo for many logs at once: it writes the
	// result of every log that has none yet and returns the ids it wrote.
	// Of concurrent calls (on any node) naming the same log, one wins it.
	// A log named twice is written with its first entry. With an error it
	// still returns the ids it wrote before the failure.
	CompleteLogs(ctx context.Context, logs []*domain.JobLog) (won []int64, err error)
	// FailedLogIDs returns ids of failed logs not yet alarmed, oldest first.
	FailedLogIDs(ctx context.Context, limit int) ([]int64, error)
	// UpdateAlarmStatus sets alarm_status from old to new (compare-and-set)
	// and reports whether it won.
	UpdateAlarmStatus(ctx context.Context, id int64, old, new domain.AlarmStatus) (bool, error)
	// RunningLogs returns logs triggered successfully at or before `before`
	// that have no result yet, oldest first.
	RunningLogs(ctx context.Context, before time.Time, limit int) ([]*domain.JobLog, error)
	// CountLogs counts logs by status over a trigger_time range.
	CountLogs(ctx context.Context, from, to time.Time) (LogCounts, error)
	// DeleteLogs deletes the selected logs in small batches and returns how many.
	DeleteLogs(ctx context.Context, f ClearFilter) (int, error)
	// DiscardLogs deletes those of ids that never reached an executor
	// (trigger_code 0, no result): the logs prepared for a fire that was
	// then dropped by its misfire strategy.
	DiscardLogs(ctx context.Context, ids []int64) error
}

// GroupFilter selects executor groups for the group list.
type GroupFilter struct {
	AppName, Title string // substrings
	Offset, Limit  int
}

// GroupStore persists executor groups (xxl_job_group).
type GroupStore interface {
	// FindGroupByID returns ENOTFOUND if the group does not exist.
	FindGroupByID(ctx context.Context, id int64) (*domain.Group, error)
	// AllGroups returns every group ordered by app_name, title, id.
	AllGroups(ctx context.Context) ([]*domain.Group, error)
	// FindGroups returns one page of groups and the total count.
	FindGroups(ctx context.Context, f GroupFilter) ([]*domain.Group, int, error)
	// CreateGroup inserts the group and sets its ID.
	CreateGroup(ctx context.Context, g *domain.Group) error
	// UpdateGroup writes every column. Returns ENOTFOUND if it is gone.
	UpdateGroup(ctx context.Context, g *domain.Group) error
	// DeleteGroup removes the group. Returns ENOTFOUND if it is gone.
	DeleteGroup(ctx context.Context, id int64) error
	// SwapGroupAddresses sets address_list (NULL when empty) and
	// update_time, only while address_list is still old ("" matching NULL
	// too); it reports whether it wrote (false also for a group that is
	// gone). A refresh built on an older view then cannot overwrite a newer
	// one.
	SwapGroupAddresses(ctx context.Context, id int64, old, list string, at time.Time) (bool, error)
}

// RegistryStore persists executor heartbeats (xxl_job_registry).
type RegistryStore interface {
	// SaveRegistry refreshes the row's update_time or inserts it; it works on
	// the 2.4 schema, whose (group,key,value) index is not unique.
	SaveRegistry(ctx context.Context, r *domain.Registry) error
	// DeleteRegistry removes the rows of (group, key, value).
	DeleteRegistry(ctx context.Context, group domain.RegistryGroup, key, value string) error
	// DeleteRegistriesByKey removes every row of (group, key).
	DeleteRegistriesByKey(ctx context.Context, group domain.RegistryGroup, key string) error
	// DeleteDeadRegistries removes rows not refreshed since before.
	DeleteDeadRegistries(ctx context.Context, before time.Time) (int, error)
	// AliveRegistries returns rows refreshed after `after`.
	AliveRegistries(ctx context.Context, after time.Time) ([]*domain.Registry, error)
}

// UserFilter selects users for the user list.
type UserFilter struct {
	Username      string // substring
	Role          int    // -1 = any
	Offset, Limit int
}

// UserStore persists operator accounts (xxl_job_user).
type UserStore interface {
	// FindUserByID returns ENOTFOUND if the user does not exist.
	FindUserByID(ctx context.Context, id int64) (*domain.User, error)
	// FindUserByUsername returns ENOTFOUND if the user does not exist.
	FindUserByUsername(ctx context.Context, username string) (*domain.User, error)
	// FindUsers returns one page of users ordered by username and the total.
	FindUsers(ctx context.Context, f UserFilter) ([]*domain.User, int, error)
	// CountUsers counts all users.
	CountUsers(ctx context.Context) (int, error)
	// CreateUser inserts the user and sets its ID; ECONFLICT on a taken username.
	CreateUser(ctx context.Context, u *domain.User) error
	// UpdateUser writes username, password, role and permission.
	UpdateUser(ctx context.Context, u *domain.User) error
	// UpdateUserToken sets the login token column; a no-op on a 2.4 schema.
	UpdateUserToken(ctx context.Context, id int64, token string) error
	// DeleteUser removes the user. Returns ENOTFOUND if it is gone.
	DeleteUser(ctx context.Context, id int64) error
}

// GlueStore persists GLUE source versions (xxl_job_logglue).
type GlueStore interface {
	// CreateLogGlue inserts a version and sets its ID.
	CreateLogGlue(ctx context.Context, g *domain.LogGlue) error
	// FindLogGlues returns a job's versions, newest first.
	FindLogGlues(ctx context.Context, jobID int64) ([]*domain.LogGlue, error)
	// RemoveOldLogGlues keeps the newest `keep` versions of a job.
	RemoveOldLogGlues(ctx context.Context, jobID int64, keep int) error
	// DeleteLogGlues removes every version of a job.
	DeleteLogGlues(ctx context.Context, jobID int64) error
}

// ReportStore persists the per-day run counts (xxl_job_log_report).
type ReportStore interface {
	// SaveLogReport inserts or updates the row of r.TriggerDay.
	SaveLogReport(ctx context.Context, r *domain.LogReport) error
	// FindLogReports returns the rows whose trigger_day is in [from, to], by day.
	FindLogReports(ctx context.Context, from, to time.Time) ([]*domain.LogReport, error)
	// LogReportTotals sums every row.
	LogReportTotals(ctx context.Context) (LogCounts, error)
}
