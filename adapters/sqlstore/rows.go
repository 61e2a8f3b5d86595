package sqlstore

import (
	"time"

	"github.com/uptrace/bun"

	"github.com/xjob-dev/xjob/domain"
)

// Row structs mirror the upstream tables column for column; they never leave
// this package. Nullable text columns scan NULL as "" and are written as
// given (the Java admin writes "" too); nullable DATETIME columns map to the
// zero time.

// scheduleModeFixDelay marks, in xjob_job_ext.schedule_mode, a FIX_RATE row
// that xjob runs as FIX_DELAY.
const scheduleModeFixDelay = "FIX_DELAY"

// jobRow is xxl_job_info plus the xjob_job_ext columns read by a LEFT JOIN.
type jobRow struct {
	bun.BaseModel `bun:"table:xxl_job_info,alias:i"`

	ID              int64     `bun:"id,pk,autoincrement"`
	JobGroup        int64     `bun:"job_group"`
	JobDesc         string    `bun:"job_desc"`
	AddTime         time.Time `bun:"add_time,nullzero"`
	UpdateTime      time.Time `bun:"update_time,nullzero"`
	Author          string    `bun:"author"`
	AlarmEmail      string    `bun:"alarm_email"`
	ScheduleType    string    `bun:"schedule_type"`
	ScheduleConf    string    `bun:"schedule_conf"`
	MisfireStrategy string    `bun:"misfire_strategy"`
	RouteStrategy   string    `bun:"executor_route_strategy"`
	ExecutorHandler string    `bun:"executor_handler"`
	ExecutorParam   string    `bun:"executor_param"`
	BlockStrategy   string    `bun:"executor_block_strategy"`
	ExecutorTimeout int       `bun:"executor_timeout"`
	FailRetryCount  int       `bun:"executor_fail_retry_count"`
	GlueType        string    `bun:"glue_type"`
	GlueSource      string    `bun:"glue_source"`
	GlueRemark      string    `bun:"glue_remark"`
	GlueUpdatetime  time.Time `bun:"glue_updatetime,nullzero"`
	ChildJobID      string    `bun:"child_jobid"`
	TriggerStatus   int       `bun:"trigger_status"`
	TriggerLastTime int64     `bun:"trigger_last_time"`
	TriggerNextTime int64     `bun:"trigger_next_time"`

	// From xjob_job_ext; written through jobExtRow.
	TimeZone      string `bun:"time_zone,scanonly"`
	ScheduleMode  string `bun:"schedule_mode,scanonly"`
	AlarmWebhooks string `bun:"alarm_webhooks,scanonly"`
}

// jobExtRow is xjob_job_ext. A job has a row only when one of its extras is set.
type jobExtRow struct {
	bun.BaseModel `bun:"table:xjob_job_ext,alias:e"`

	JobID         int64  `bun:"job_id,pk"`
	TimeZone      string `bun:"time_zone,nullzero"`
	ScheduleMode  string `bun:"schedule_mode,nullzero"`
	AlarmWebhooks string `bun:"alarm_webhooks,nullzero"`
}

func (r *jobExtRow) empty() bool {
	return r.TimeZone == "" && r.ScheduleMode == "" && r.AlarmWebhooks == ""
}

func (db *DB) jobToRows(j *domain.JobInfo) (*jobRow, *jobExtRow) {
	row := &jobRow{
		ID:              j.ID,
		JobGroup:        j.GroupID,
		JobDesc:         j.Desc,
		AddTime:         db.toDB(j.AddTime),
		UpdateTime:      db.toDB(j.UpdateTime),
		Author:          j.Author,
		AlarmEmail:      j.AlarmEmail,
		ScheduleType:    string(j.ScheduleType),
		ScheduleConf:    j.ScheduleConf,
		MisfireStrategy: string(j.MisfireStrategy),
		RouteStrategy:   string(j.RouteStrategy),
		ExecutorHandler: j.ExecutorHandler,
		ExecutorParam:   j.ExecutorParam,
		BlockStrategy:   string(j.BlockStrategy),
		ExecutorTimeout: j.ExecutorTimeout,
		FailRetryCount:  j.ExecutorFailRetryCount,
		GlueType:        string(j.GlueType),
		GlueSource:      j.GlueSource,
		GlueRemark:      j.GlueRemark,
		GlueUpdatetime:  db.toDB(j.GlueUpdatetime),
		ChildJobID:      j.ChildJobIDs,
		TriggerStatus:   int(j.TriggerStatus),
		TriggerLastTime: j.TriggerLastTime,
		TriggerNextTime: j.TriggerNextTime,
	}
	if row.ScheduleType == "" {
		row.ScheduleType = string(domain.ScheduleNone)
	}
	if row.MisfireStrategy == "" {
		row.MisfireStrategy = string(domain.MisfireDoNothing)
	}
	ext := &jobExtRow{JobID: j.ID, TimeZone: j.TimeZone, AlarmWebhooks: j.AlarmWebhooks}
	if j.ScheduleType == domain.ScheduleFixDelay {
		// The Java admin knows no FIX_DELAY: it sees (and would run) FIX_RATE.
		row.ScheduleType = string(domain.ScheduleFixRate)
		ext.ScheduleMode = scheduleModeFixDelay
	}
	return row, ext
}

func (db *DB) jobFromRow(r *jobRow) *domain.JobInfo {
	st := domain.ScheduleType(r.ScheduleType)
	if st == domain.ScheduleFixRate && r.ScheduleMode == scheduleModeFixDelay {
		st = domain.ScheduleFixDelay
	}
	return &domain.JobInfo{
		ID:                     r.ID,
		GroupID:                r.JobGroup,
		Desc:                   r.JobDesc,
		AddTime:                db.fromDB(r.AddTime),
		UpdateTime:             db.fromDB(r.UpdateTime),
		Author:                 r.Author,
		AlarmEmail:             r.AlarmEmail,
		ScheduleType:           st,
		ScheduleConf:           r.ScheduleConf,
		MisfireStrategy:        domain.MisfireStrategy(r.MisfireStrategy),
		RouteStrategy:          domain.RouteStrategy(r.RouteStrategy),
		ExecutorHandler:        r.ExecutorHandler,
		ExecutorParam:          r.ExecutorParam,
		BlockStrategy:          domain.BlockStrategy(r.BlockStrategy),
		ExecutorTimeout:        r.ExecutorTimeout,
		ExecutorFailRetryCount: r.FailRetryCount,
		GlueType:               domain.GlueType(r.GlueType),
		GlueSource:             r.GlueSource,
		GlueRemark:             r.GlueRemark,
		GlueUpdatetime:         db.fromDB(r.GlueUpdatetime),
		ChildJobIDs:            r.ChildJobID,
		TriggerStatus:          domain.TriggerStatus(r.TriggerStatus),
		TriggerLastTime:        r.TriggerLastTime,
		TriggerNextTime:        r.TriggerNextTime,
		TimeZone:               r.TimeZone,
		AlarmWebhooks:          r.AlarmWebhooks,
	}
}

// logRow is xxl_job_log.
type logRow struct {
	bun.BaseModel `bun:"table:xxl_job_log,alias:l"`

	ID                     int64     `bun:"id,pk,autoincrement"`
	JobGroup               int64     `bun:"job_group"`
	JobID                  int64     `bun:"job_id"`
	ExecutorAddress        string    `bun:"executor_address"`
	ExecutorHandler        string    `bun:"executor_handler"`
	ExecutorParam          string    `bun:"executor_param"`
	ExecutorShardingParam  string    `bun:"executor_sharding_param"`
	ExecutorFailRetryCount int       `bun:"executor_fail_retry_count"`
	TriggerTime            time.Time `bun:"trigger_time,nullzero"`
	TriggerCode            int       `bun:"trigger_code"`
	TriggerMsg             string    `bun:"trigger_msg"`
	HandleTime             time.Time `bun:"handle_time,nullzero"`
	HandleCode             int       `bun:"handle_code"`
	HandleMsg              string    `bun:"handle_msg"`
	AlarmStatus            int       `bun:"alarm_status"`
}

func (db *DB) logToRow(l *domain.JobLog) logRow {
	return logRow{
		ID:                     l.ID,
		JobGroup:               l.GroupID,
		JobID:                  l.JobID,
		ExecutorAddress:        l.ExecutorAddress,
		ExecutorHandler:        l.ExecutorHandler,
		ExecutorParam:          l.ExecutorParam,
		ExecutorShardingParam:  l.ExecutorShardingParam,
		ExecutorFailRetryCount: l.ExecutorFailRetryCount,
		TriggerTime:            db.toDB(l.TriggerTime),
		TriggerCode:            l.TriggerCode,
		TriggerMsg:             l.TriggerMsg,
		HandleTime:             db.toDB(l.HandleTime),
		HandleCode:             l.HandleCode,
		HandleMsg:              l.HandleMsg,
		AlarmStatus:            int(l.AlarmStatus),
	}
}

func (db *DB) logFromRow(r *logRow) *domain.JobLog {
	return &domain.JobLog{
		ID:                     r.ID,
		GroupID:                r.JobGroup,
		JobID:                  r.JobID,
		ExecutorAddress:        r.ExecutorAddress,
		ExecutorHandler:        r.ExecutorHandler,
		ExecutorParam:          r.ExecutorParam,
		ExecutorShardingParam:  r.ExecutorShardingParam,
		ExecutorFailRetryCount: r.ExecutorFailRetryCount,
		TriggerTime:            db.fromDB(r.TriggerTime),
		TriggerCode:            r.TriggerCode,
		TriggerMsg:             r.TriggerMsg,
		HandleTime:             db.fromDB(r.HandleTime),
		HandleCode:             r.HandleCode,
		HandleMsg:              r.HandleMsg,
		AlarmStatus:            domain.AlarmStatus(r.AlarmStatus),
	}
}

// groupRow is xxl_job_group.
type groupRow struct {
	bun.BaseModel `bun:"table:xxl_job_group,alias:g"`

	ID          int64     `bun:"id,pk,autoincrement"`
	AppName     string    `bun:"app_name"`
	Title       string    `bun:"title"`
	AddressType int       `bun:"address_type"`
	AddressList string    `bun:"address_list,nullzero"` // NULL when empty, as upstream
	UpdateTime  time.Time `bun:"update_time,nullzero"`
}

func (db *DB) groupToRow(g *domain.Group) *groupRow {
	return &groupRow{ID: g.ID, AppName: g.AppName, Title: g.Title, AddressType: int(g.AddressType),
		AddressList: g.AddressList, UpdateTime: db.toDB(g.UpdateTime)}
}

func (db *DB) groupFromRow(r *groupRow) *domain.Group {
	return &domain.Group{ID: r.ID, AppName: r.AppName, Title: r.Title, AddressType: domain.AddressType(r.AddressType),
		AddressList: r.AddressList, UpdateTime: db.fromDB(r.UpdateTime)}
}

// registryRow is xxl_job_registry.
type registryRow struct {
	bun.BaseModel `bun:"table:xxl_job_registry,alias:r"`

	ID            int64     `bun:"id,pk,autoincrement"`
	RegistryGroup string    `bun:"registry_group"`
	RegistryKey   string    `bun:"registry_key"`
	RegistryValue string    `bun:"registry_value"`
	UpdateTime    time.Time `bun:"update_time,nullzero"`
}

func (db *DB) registryFromRow(r *registryRow) *domain.Registry {
	return &domain.Registry{ID: r.ID, Group: domain.RegistryGroup(r.RegistryGroup), Key: r.RegistryKey,
		Value: r.RegistryValue, UpdateTime: db.fromDB(r.UpdateTime)}
}

// userRow is xxl_job_user. Token is NULL until the user logs in.
type userRow struct {
	bun.BaseModel `bun:"table:xxl_job_user,alias:u"`

	ID         int64  `bun:"id,pk,autoincrement"`
	Username   string `bun:"username"`
	Password   string `bun:"password"`
	Token      string `bun:"token,nullzero"`
	Role       int    `bun:"role"`
	Permission string `bun:"permission"`
}

func userToRow(u *domain.User) *userRow {
	return &userRow{ID: u.ID, Username: u.Username, Password: u.Password, Token: u.Token, Role: int(u.Role), Permission: u.Permission}
}

func userFromRow(r *userRow) *domain.User {
	return &domain.User{ID: r.ID, Username: r.Username, Password: r.Password, Token: r.Token, Role: domain.Role(r.Role), Permission: r.Permission}
}

// glueRow is xxl_job_logglue.
type glueRow struct {
	bun.BaseModel `bun:"table:xxl_job_logglue,alias:lg"`

	ID         int64     `bun:"id,pk,autoincrement"`
	JobID      int64     `bun:"job_id"`
	GlueType   string    `bun:"glue_type"`
	GlueSource string    `bun:"glue_source"`
	GlueRemark string    `bun:"glue_remark"`
	AddTime    time.Time `bun:"add_time,nullzero"`
	UpdateTime time.Time `bun:"update_time,nullzero"`
}

func (db *DB) glueToRow(g *domain.LogGlue) *glueRow {
	return &glueRow{ID: g.ID, JobID: g.JobID, GlueType: string(g.GlueType), GlueSource: g.GlueSource,
		GlueRemark: g.GlueRemark, AddTime: db.toDB(g.AddTime), UpdateTime: db.toDB(g.UpdateTime)}
}

func (db *DB) glueFromRow(r *glueRow) *domain.LogGlue {
	return &domain.LogGlue{ID: r.ID, JobID: r.JobID, GlueType: domain.GlueType(r.GlueType), GlueSource: r.GlueSource,
		GlueRemark: r.GlueRemark, AddTime: db.fromDB(r.AddTime), UpdateTime: db.fromDB(r.UpdateTime)}
}

// reportRow is xxl_job_log_report.
type reportRow struct {
	bun.BaseModel `bun:"table:xxl_job_log_report,alias:rp"`

	ID           int64     `bun:"id,pk,autoincrement"`
	TriggerDay   time.Time `bun:"trigger_day,nullzero"`
	RunningCount int       `bun:"running_count"`
	SucCount     int       `bun:"suc_count"`
	FailCount    int       `bun:"fail_count"`
	UpdateTime   time.Time `bun:"update_time,nullzero"`
}

func (db *DB) reportFromRow(r *reportRow) *domain.LogReport {
	return &domain.LogReport{ID: r.ID, TriggerDay: db.fromDB(r.TriggerDay), RunningCount: r.RunningCount,
		SucCount: r.SucCount, FailCount: r.FailCount, UpdateTime: db.fromDB(r.UpdateTime)}
}
