package application

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xjob-dev/xjob/domain"
	"github.com/xjob-dev/xjob/ports"
)

// ConsoleOptions are the settings of the operator-console use cases
// (ManageJobs, ManageGroups, ManageUsers, Login, Dashboard).
type ConsoleOptions struct {
	// Location is the zone of schedules without their own time zone.
	Location *time.Location
	// RegistryDeadTimeout is how long an executor without heartbeat still
	// counts as registered (default domain.DeadTimeout seconds).
	RegistryDeadTimeout time.Duration
	// UpgradeLegacyPasswords re-hashes MD5/SHA-256 passwords with bcrypt on a
	// successful login. The Java admin cannot read them afterwards.
	UpgradeLegacyPasswords bool
}

func (o ConsoleOptions) location() *time.Location {
	if o.Location == nil {
		return time.Local
	}
	return o.Location
}

func (o ConsoleOptions) deadTimeout() time.Duration {
	if o.RegistryDeadTimeout <= 0 {
		return domain.DeadTimeout * time.Second
	}
	return o.RegistryDeadTimeout
}

// FieldError is one invalid form field. Key is the i18n message id of the
// problem and Data its template data; Message is an English fallback.
type FieldError struct {
	Field   string
	Key     string
	Data    map[string]any
	Message string
}

// FieldErrors lists the invalid fields of a form, in form order. It unwraps
// to an EINVALID *domain.Error so domain.ErrorCode reports EINVALID.
type FieldErrors []*FieldError

// Error implements error.
func (fe FieldErrors) Error() string {
	var b strings.Builder
	for i, e := range fe {
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "%s: %s", e.Field, e.Message)
	}
	return b.String()
}

// Unwrap returns the EINVALID error of the first field.
func (fe FieldErrors) Unwrap() error {
	if len(fe) == 0 {
		return nil
	}
	return &domain.Error{Code: domain.EINVALID, Key: fe[0].Key, Message: fe[0].Message}
}

// Get returns the error of field, or nil.
func (fe FieldErrors) Get(field string) *FieldError {
	for _, e := range fe {
		if e.Field == field {
			return e
		}
	}
	return nil
}

func (fe *FieldErrors) add(field, key, msg string, data map[string]any) {
	*fe = append(*fe, &FieldError{Field: field, Key: key, Message: msg, Data: data})
}

func (fe FieldErrors) err() error {
	if len(fe) == 0 {
		return nil
	}
	return fe
}

// AsFieldErrors returns the FieldErrors in err's chain, if any.
func AsFieldErrors(err error) (FieldErrors, bool) {
	var fe FieldErrors
	ok := errors.As(err, &fe)
	return fe, ok
}

// Errors of the console that the web layer localises by Key.
var (
	errForbidden = func(username string) error {
		return &domain.Error{Code: domain.EFORBIDDEN, Key: "ui_err_permission",
			Message: "You have no permission for this executor group (user " + username + ")."}
	}
	errJobNotFound = func(id int64) error {
		return &domain.Error{Code: domain.ENOTFOUND, Key: "ui_err_job_not_found", Message: fmt.Sprintf("Job %d does not exist.", id)}
	}
)

// JobInput is a submitted job form. Numbers stay strings so that a typo is
// reported next to its field instead of failing the whole request.
type JobInput struct {
	GroupID                int64
	Desc                   string
	Author                 string
	AlarmEmail             string
	ScheduleType           domain.ScheduleType
	ScheduleConf           string
	TimeZone               string
	MisfireStrategy        domain.MisfireStrategy
	RouteStrategy          domain.RouteStrategy
	ExecutorHandler        string
	ExecutorParam          string
	BlockStrategy          domain.BlockStrategy
	ExecutorTimeout        string
	ExecutorFailRetryCount string
	ChildJobIDs            string
	// GLUE fields are used on create only; the GLUE editor changes them later.
	GlueType   domain.GlueType
	GlueSource string
	GlueRemark string
}

// InputFromJob returns the form values of an existing job (edit and copy).
func InputFromJob(j *domain.JobInfo) JobInput {
	return JobInput{
		GroupID: j.GroupID, Desc: j.Desc, Author: j.Author, AlarmEmail: j.AlarmEmail,
		ScheduleType: j.ScheduleType, ScheduleConf: j.ScheduleConf, TimeZone: j.TimeZone,
		MisfireStrategy: j.MisfireStrategy, RouteStrategy: j.RouteStrategy,
		ExecutorHandler: j.ExecutorHandler, ExecutorParam: j.ExecutorParam, BlockStrategy: j.BlockStrategy,
		ExecutorTimeout: strconv.Itoa(j.ExecutorTimeout), ExecutorFailRetryCount: strconv.Itoa(j.ExecutorFailRetryCount),
		ChildJobIDs: j.ChildJobIDs, GlueType: j.GlueType, GlueSource: j.GlueSource, GlueRemark: j.GlueRemark,
	}
}

// ManageJobs holds the decisions behind the job pages and the GLUE editor:
// validation, permission on the stored job's group, start/stop and the
// child-job rules.
type ManageJobs struct {
	jobs   ports.JobStore
	groups ports.GroupStore
	logs   ports.LogStore
	glues  ports.GlueStore
	clock  ports.Clock
	opts   ConsoleOptions
}

// NewManageJobs returns the job management use case.
func NewManageJobs(jobs ports.JobStore, groups ports.GroupStore, logs ports.LogStore, glues ports.GlueStore,
	clock ports.Clock, opts ConsoleOptions) *ManageJobs {
	if jobs == nil || groups == nil || logs == nil || glues == nil || clock == nil {
		panic("application.NewManageJobs: nil dependency")
	}
	return &ManageJobs{jobs: jobs, groups: groups, logs: logs, glues: glues, clock: clock, opts: opts}
}

// Load returns the job if actor may access its stored group. Returns
// ENOTFOUND for an unknown id and EFORBIDDEN for another group's job.
func (uc *ManageJobs) Load(ctx context.Context, actor *domain.User, id int64) (*domain.JobInfo, error) {
	job, err := uc.jobs.FindJobByID(ctx, id)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return nil, errJobNotFound(id)
	} else if err != nil {
		return nil, err
	}
	if !actor.CanAccessGroup(job.GroupID) {
		return nil, errForbidden(actor.Username)
	}
	return job, nil
}

// Create validates the form and inserts a stopped job. Returns FieldErrors
// for invalid input.
func (uc *ManageJobs) Create(ctx context.Context, actor *domain.User, in JobInput) (*domain.JobInfo, error) {
	job := &domain.JobInfo{}
	fe := uc.apply(ctx, actor, job, in, true)
	if err := fe.err(); err != nil {
		return nil, err
	}
	now := uc.clock.Now()
	job.AddTime, job.UpdateTime, job.GlueUpdatetime = now, now, now
	if job.GlueType != domain.GlueBean && strings.TrimSpace(job.GlueSource) == "" {
		job.GlueSource = DefaultGlueSource(job.GlueType)
	}
	if job.GlueRemark == "" {
		job.GlueRemark = "GLUE init"
	}
	job.TriggerStatus = domain.TriggerStopped
	if err := uc.jobs.CreateJob(ctx, job); err != nil {
		return nil, fmt.Errorf("create job: %w", err)
	}
	return job, nil
}

// Update validates the form and writes it over the stored job, which actor
// must be allowed to access (as well as the submitted group). A running job
// whose schedule changed gets a new next fire time.
func (uc *ManageJobs) Update(ctx context.Context, actor *domain.User, id int64, in JobInput) (*domain.JobInfo, error) {
	job, err := uc.Load(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	oldType, oldConf, oldZone := job.ScheduleType, job.ScheduleConf, job.TimeZone
	fe := uc.apply(ctx, actor, job, in, false)
	if err := fe.err(); err != nil {
		return nil, err
	}
	now := uc.clock.Now()
	if job.TriggerStatus == domain.TriggerRunning &&
		(job.ScheduleType != oldType || job.ScheduleConf != oldConf || job.TimeZone != oldZone) {
		next, err := uc.firstFireTime(job, now)
		if err != nil {
			return nil, FieldErrors{{Field: "scheduleConf", Key: "ui_err_schedule_no_next",
				Message: "The schedule never fires again; stop the job first."}}
		}
		job.TriggerLastTime, job.TriggerNextTime = 0, next.UnixMilli()
	}
	job.UpdateTime = now
	if err := uc.jobs.UpdateJob(ctx, job); err != nil {
		return nil, fmt.Errorf("update job %d: %w", id, err)
	}
	return job, nil
}

// Delete removes the job with its logs and GLUE history.
func (uc *ManageJobs) Delete(ctx context.Context, actor *domain.User, id int64) error {
	if _, err := uc.Load(ctx, actor, id); err != nil {
		return err
	}
	if err := uc.jobs.DeleteJob(ctx, id); err != nil {
		return fmt.Errorf("delete job %d: %w", id, err)
	}
	if _, err := uc.logs.DeleteLogs(ctx, ports.ClearFilter{JobID: id}); err != nil {
		return fmt.Errorf("delete logs of job %d: %w", id, err)
	}
	if err := uc.glues.DeleteLogGlues(ctx, id); err != nil {
		return fmt.Errorf("delete glue versions of job %d: %w", id, err)
	}
	return nil
}

// Start sets the job running with its first fire time computed from now+5s
// (the scheduler's pre-read window). Returns EINVALID for schedule type NONE
// or a schedule that never fires.
func (uc *ManageJobs) Start(ctx context.Context, actor *domain.User, id int64) (*domain.JobInfo, error) {
	job, err := uc.Load(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if job.ScheduleType == domain.ScheduleNone || !job.ScheduleType.Valid() {
		return nil, domain.KeyError(domain.EINVALID, "ui_err_start_none", "A job with schedule type None cannot be started.")
	}
	next, err := uc.firstFireTime(job, uc.clock.Now())
	if err != nil {
		return nil, err
	}
	job.TriggerStatus = domain.TriggerRunning
	job.TriggerLastTime = 0
	job.TriggerNextTime = next.UnixMilli()
	job.UpdateTime = uc.clock.Now()
	if err := uc.jobs.UpdateJob(ctx, job); err != nil {
		return nil, fmt.Errorf("start job %d: %w", id, err)
	}
	return job, nil
}

// Stop stops the job and zeroes its schedule state.
func (uc *ManageJobs) Stop(ctx context.Context, actor *domain.User, id int64) (*domain.JobInfo, error) {
	job, err := uc.Load(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	job.Stop()
	job.UpdateTime = uc.clock.Now()
	if err := uc.jobs.UpdateJob(ctx, job); err != nil {
		return nil, fmt.Errorf("stop job %d: %w", id, err)
	}
	return job, nil
}

// firstFireTime is the next fire time after now+5s, the window the
// scheduler reads ahead, so a fresh start never counts as a misfire.
func (uc *ManageJobs) firstFireTime(job *domain.JobInfo, now time.Time) (time.Time, error) {
	next, ok, err := job.NextTriggerTime(now.Add(5*time.Second), uc.opts.location())
	if err != nil {
		return time.Time{}, scheduleError(err)
	}
	if !ok {
		return time.Time{}, domain.KeyError(domain.EINVALID, "ui_err_schedule_no_next", "The schedule never fires again.")
	}
	return next, nil
}

// SaveGlue stores a new GLUE source version: the job's source, remark and
// glue time change, a history row is added and only the newest
// domain.MaxGlueVersions versions are kept.
func (uc *ManageJobs) SaveGlue(ctx context.Context, actor *domain.User, id int64, source, remark string) (*domain.JobInfo, error) {
	job, err := uc.Load(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if job.GlueType == domain.GlueBean || !job.GlueType.Valid() {
		return nil, domain.KeyError(domain.EINVALID, "ui_err_glue_bean", "This job runs a BEAN handler and has no GLUE source.")
	}
	var fe FieldErrors
	if strings.TrimSpace(source) == "" {
		fe.add("glueSource", "ui_err_required", "The source is required.", nil)
	}
	remark = strings.TrimSpace(remark)
	if n := utf8.RuneCountInString(remark); n < 4 || n > 100 {
		fe.add("glueRemark", "ui_err_length", "The remark must have 4 to 100 characters.", map[string]any{"Min": 4, "Max": 100})
	}
	if err := fe.err(); err != nil {
		return nil, err
	}
	if job.GlueType == domain.GlueShell {
		source = strings.ReplaceAll(source, "\r", "")
	}
	now := uc.clock.Now()
	job.GlueSource, job.GlueRemark, job.GlueUpdatetime, job.UpdateTime = source, remark, now, now
	if err := uc.jobs.UpdateJob(ctx, job); err != nil {
		return nil, fmt.Errorf("save glue of job %d: %w", id, err)
	}
	v := &domain.LogGlue{JobID: id, GlueType: job.GlueType, GlueSource: source, GlueRemark: remark, AddTime: now, UpdateTime: now}
	if err := uc.glues.CreateLogGlue(ctx, v); err != nil {
		return nil, fmt.Errorf("save glue version of job %d: %w", id, err)
	}
	if err := uc.glues.RemoveOldLogGlues(ctx, id, domain.MaxGlueVersions); err != nil {
		return nil, fmt.Errorf("trim glue versions of job %d: %w", id, err)
	}
	return job, nil
}

// GlueVersions returns the saved versions of the job's source, newest first.
func (uc *ManageJobs) GlueVersions(ctx context.Context, actor *domain.User, id int64) (*domain.JobInfo, []*domain.LogGlue, error) {
	job, err := uc.Load(ctx, actor, id)
	if err != nil {
		return nil, nil, err
	}
	if job.GlueType == domain.GlueBean || !job.GlueType.Valid() {
		return nil, nil, domain.KeyError(domain.EINVALID, "ui_err_glue_bean", "This job runs a BEAN handler and has no GLUE source.")
	}
	versions, err := uc.glues.FindLogGlues(ctx, id)
	if err != nil {
		return nil, nil, fmt.Errorf("glue versions of job %d: %w", id, err)
	}
	if len(versions) > domain.MaxGlueVersions {
		versions = versions[:domain.MaxGlueVersions]
	}
	return job, versions, nil
}

// PrepareRun checks a "run once" request: actor's permission on the stored
// job, and the optional address list. Addresses must be http(s) URLs; a
// user who is not an admin may only pick addresses the job's group already
// has, so the console cannot be used to send requests to arbitrary hosts.
// It returns the job and the normalised address list.
func (uc *ManageJobs) PrepareRun(ctx context.Context, actor *domain.User, id int64, addressList string) (*domain.JobInfo, string, error) {
	job, err := uc.Load(ctx, actor, id)
	if err != nil {
		return nil, "", err
	}
	if strings.TrimSpace(addressList) == "" {
		return job, "", nil
	}
	list, err := domain.ValidateManualAddresses(addressList)
	if err != nil {
		return nil, "", FieldErrors{{Field: "addressList", Key: domain.ErrorKey(err), Message: domain.ErrorMessage(err)}}
	}
	if !actor.IsAdmin() {
		group, err := uc.groups.FindGroupByID(ctx, job.GroupID)
		if err != nil {
			return nil, "", fmt.Errorf("group of job %d: %w", id, err)
		}
		known := map[string]bool{}
		for _, a := range group.Addresses() {
			known[strings.TrimRight(a, "/")] = true
		}
		for _, a := range strings.Split(list, ",") {
			if !known[strings.TrimRight(a, "/")] {
				return nil, "", FieldErrors{{Field: "addressList", Key: "ui_err_address_unknown",
					Data: map[string]any{"Address": a}, Message: "Address " + a + " is not registered in the job's executor group."}}
			}
		}
	}
	return job, list, nil
}

// LoadLog returns a trigger log if actor may access the group stored on
// the log. Returns ENOTFOUND for an unknown id and EFORBIDDEN otherwise.
func (uc *ManageJobs) LoadLog(ctx context.Context, actor *domain.User, id int64) (*domain.JobLog, error) {
	log, err := uc.logs.FindLogByID(ctx, id)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return nil, &domain.Error{Code: domain.ENOTFOUND, Key: "ui_err_log_not_found", Message: fmt.Sprintf("Log %d does not exist.", id)}
	} else if err != nil {
		return nil, err
	}
	if !actor.CanAccessGroup(log.GroupID) {
		return nil, errForbidden(actor.Username)
	}
	return log, nil
}

// ClearRule is one of the log page's nine clearing rules (upstream's
// clearLog types 1..9).
type ClearRule int

// Clear rules: older than 1, 3, 6 or 12 months; keep the newest 1 000,
// 10 000, 30 000 or 100 000; delete all.
const (
	ClearOlderMonth ClearRule = iota + 1
	ClearOlder3Months
	ClearOlder6Months
	ClearOlderYear
	ClearKeep1k
	ClearKeep10k
	ClearKeep30k
	ClearKeep100k
	ClearAll
)

// ClearLogs deletes logs of a group, or of one job, by rule and returns
// how many went. groupID 0 means every group and is for admins only; a job
// must be in a group actor may access.
func (uc *ManageJobs) ClearLogs(ctx context.Context, actor *domain.User, groupID, jobID int64, rule ClearRule) (int, error) {
	if groupID < 0 || (groupID == 0 && !actor.IsAdmin()) || (groupID > 0 && !actor.CanAccessGroup(groupID)) {
		return 0, errForbidden(actor.Username)
	}
	if jobID > 0 {
		if _, err := uc.Load(ctx, actor, jobID); err != nil {
			return 0, err
		}
	}
	f := ports.ClearFilter{GroupID: groupID, JobID: jobID}
	now := uc.clock.Now()
	switch rule {
	case ClearOlderMonth:
		f.Before = now.AddDate(0, -1, 0)
	case ClearOlder3Months:
		f.Before = now.AddDate(0, -3, 0)
	case ClearOlder6Months:
		f.Before = now.AddDate(0, -6, 0)
	case ClearOlderYear:
		f.Before = now.AddDate(-1, 0, 0)
	case ClearKeep1k:
		f.KeepNewest = 1000
	case ClearKeep10k:
		f.KeepNewest = 10000
	case ClearKeep30k:
		f.KeepNewest = 30000
	case ClearKeep100k:
		f.KeepNewest = 100000
	case ClearAll:
	default:
		return 0, domain.KeyError(domain.EINVALID, "ui_err_clear_type", "Unknown clearing rule.")
	}
	n, err := uc.logs.DeleteLogs(ctx, f)
	if err != nil {
		return 0, fmt.Errorf("clear logs: %w", err)
	}
	return n, nil
}

// NextFireTimes returns up to n fire times after now for a schedule being
// edited, in the schedule's zone. Returns FieldErrors for a bad schedule.
func (uc *ManageJobs) NextFireTimes(t domain.ScheduleType, conf, zone string, n int) ([]time.Time, error) {
	var fe FieldErrors
	uc.checkSchedule(&fe, t, strings.TrimSpace(conf), strings.TrimSpace(zone))
	if err := fe.err(); err != nil {
		return nil, err
	}
	job := &domain.JobInfo{ScheduleType: t, ScheduleConf: strings.TrimSpace(conf), TimeZone: strings.TrimSpace(zone)}
	loc := job.Location(uc.opts.location())
	var out []time.Time
	from := uc.clock.Now()
	for len(out) < n {
		next, ok, err := job.NextTriggerTime(from, uc.opts.location())
		if err != nil {
			return nil, FieldErrors{scheduleFieldError(err)}
		}
		if !ok {
			break
		}
		out = append(out, next.In(loc))
		job.TriggerLastTime = next.UnixMilli()
		from = next
	}
	return out, nil
}

// apply validates in (all fields, in form order) and copies it onto job.
func (uc *ManageJobs) apply(ctx context.Context, actor *domain.User, job *domain.JobInfo, in JobInput, create bool) FieldErrors {
	var fe FieldErrors
	if in.GroupID <= 0 {
		fe.add("jobGroup", "ui_err_required", "Choose an executor group.", nil)
	} else if _, err := uc.groups.FindGroupByID(ctx, in.GroupID); err != nil {
		fe.add("jobGroup", "ui_err_group_not_found", "The executor group does not exist.", nil)
	} else if !actor.CanAccessGroup(in.GroupID) {
		fe.add("jobGroup", "ui_err_permission", "You have no permission for this executor group.", nil)
	}
	desc := strings.TrimSpace(in.Desc)
	requireLen(&fe, "jobDesc", desc, 1, 255)
	author := strings.TrimSpace(in.Author)
	requireLen(&fe, "author", author, 1, 64)
	emails := strings.TrimSpace(in.AlarmEmail)
	if utf8.RuneCountInString(emails) > 255 {
		fe.add("alarmEmail", "ui_err_length", "At most 255 characters.", map[string]any{"Min": 0, "Max": 255})
	} else {
		for _, e := range strings.Split(emails, ",") {
			if e = strings.TrimSpace(e); e != "" && (!strings.Contains(e, "@") || strings.ContainsAny(e, " <>\"")) {
				fe.add("alarmEmail", "ui_err_email", "Not an e-mail address: "+e, map[string]any{"Value": e})
				break
			}
		}
	}
	conf, zone := strings.TrimSpace(in.ScheduleConf), strings.TrimSpace(in.TimeZone)
	uc.checkSchedule(&fe, in.ScheduleType, conf, zone)
	if in.ScheduleType == domain.ScheduleNone {
		conf = ""
	}
	misfire := in.MisfireStrategy
	if misfire == "" {
		misfire = domain.MisfireDoNothing
	}
	if !misfire.Valid() {
		fe.add("misfireStrategy", "ui_err_choice", "Choose a valid option.", nil)
	}
	if !in.RouteStrategy.Valid() {
		fe.add("executorRouteStrategy", "ui_err_choice", "Choose a valid option.", nil)
	}
	glueType := job.GlueType
	if create {
		glueType = in.GlueType
		if !glueType.Valid() {
			fe.add("glueType", "ui_err_choice", "Choose a valid option.", nil)
		}
	}
	handler := strings.TrimSpace(in.ExecutorHandler)
	if glueType == domain.GlueBean && handler == "" {
		fe.add("executorHandler", "ui_err_handler_required", "A BEAN job needs a JobHandler.", nil)
	} else if utf8.RuneCountInString(handler) > 255 {
		fe.add("executorHandler", "ui_err_length", "At most 255 characters.", map[string]any{"Min": 0, "Max": 255})
	}
	if !in.BlockStrategy.Valid() {
		fe.add("executorBlockStrategy", "ui_err_choice", "Choose a valid option.", nil)
	}
	timeout := parseNonNegative(&fe, "executorTimeout", in.ExecutorTimeout)
	retry := parseNonNegative(&fe, "executorFailRetryCount", in.ExecutorFailRetryCount)
	children := uc.checkChildren(ctx, &fe, actor, job.ID, in.ChildJobIDs)
	if len(fe) > 0 {
		return fe
	}

	job.GroupID, job.Desc, job.Author, job.AlarmEmail = in.GroupID, desc, author, normaliseList(emails)
	job.ScheduleType, job.ScheduleConf, job.TimeZone = in.ScheduleType, conf, zone
	job.MisfireStrategy, job.RouteStrategy, job.BlockStrategy = misfire, in.RouteStrategy, in.BlockStrategy
	job.ExecutorHandler, job.ExecutorParam = handler, in.ExecutorParam
	job.ExecutorTimeout, job.ExecutorFailRetryCount = timeout, retry
	job.ChildJobIDs = children
	if create {
		job.GlueType, job.GlueRemark = glueType, strings.TrimSpace(in.GlueRemark)
		job.GlueSource = in.GlueSource
		if glueType == domain.GlueShell {
			job.GlueSource = strings.ReplaceAll(job.GlueSource, "\r", "")
		}
	}
	return nil
}

// checkSchedule validates a schedule type, its configuration and zone.
func (uc *ManageJobs) checkSchedule(fe *FieldErrors, t domain.ScheduleType, conf, zone string) {
	if !t.Valid() {
		fe.add("scheduleType", "ui_err_choice", "Choose a valid option.", nil)
		return
	}
	if zone != "" {
		if _, err := time.LoadLocation(zone); err != nil {
			fe.add("timeZone", "ui_err_timezone", "Unknown time zone "+zone+".", map[string]any{"Zone": zone})
		}
	}
	if t == domain.ScheduleNone {
		return
	}
	if conf == "" {
		fe.add("scheduleConf", "ui_err_required", "This field is required.", nil)
		return
	}
	if utf8.RuneCountInString(conf) > 128 {
		fe.add("scheduleConf", "ui_err_length", "At most 128 characters.", map[string]any{"Min": 1, "Max": 128})
		return
	}
	probe := &domain.JobInfo{ScheduleType: t, ScheduleConf: conf, TimeZone: zone}
	if _, _, err := probe.NextTriggerTime(uc.clock.Now(), uc.opts.location()); err != nil {
		*fe = append(*fe, scheduleFieldError(err))
	}
}

// checkChildren validates child job ids: numeric, existing, not the job
// itself, and in a group actor may access (CVE-2024-42681). It returns the
// normalised list.
func (uc *ManageJobs) checkChildren(ctx context.Context, fe *FieldErrors, actor *domain.User, selfID int64, raw string) string {
	probe := &domain.JobInfo{ChildJobIDs: raw}
	ids, bad := probe.ChildIDs()
	if len(bad) > 0 {
		fe.add("childJobId", "ui_err_child_invalid", "Not a job id: "+bad[0], map[string]any{"ID": bad[0]})
		return ""
	}
	if len(ids) == 0 {
		return ""
	}
	seen := map[int64]bool{}
	var uniq []int64
	for _, id := range ids {
		if id == selfID {
			fe.add("childJobId", "ui_err_child_self", "A job cannot be its own child.", map[string]any{"ID": id})
			return ""
		}
		if !seen[id] {
			seen[id] = true
			uniq = append(uniq, id)
		}
	}
	found, err := uc.jobs.FindJobsByIDs(ctx, uniq)
	if err != nil {
		fe.add("childJobId", "ui_err_internal", "The child jobs could not be checked.", nil)
		return ""
	}
	byID := map[int64]*domain.JobInfo{}
	for _, j := range found {
		byID[j.ID] = j
	}
	for _, id := range uniq {
		child, ok := byID[id]
		if !ok {
			fe.add("childJobId", "ui_err_child_not_found", fmt.Sprintf("Job %d does not exist.", id), map[string]any{"ID": id})
			return ""
		}
		if !actor.CanAccessGroup(child.GroupID) {
			fe.add("childJobId", "ui_err_child_permission", fmt.Sprintf("You have no permission for job %d.", id), map[string]any{"ID": id})
			return ""
		}
	}
	return domain.JoinIDs(uniq)
}

// localizedError is implemented by parse errors that carry an i18n message
// (the cron parser's *cron.SyntaxError).
type localizedError interface {
	MessageID() string
	TemplateData() map[string]any
}

// scheduleFieldError turns a schedule parse error into a scheduleConf field
// error, keeping the parser's own message id when it has one.
func scheduleFieldError(err error) *FieldError {
	var le localizedError
	if errors.As(err, &le) {
		return &FieldError{Field: "scheduleConf", Key: le.MessageID(), Data: le.TemplateData(), Message: err.Error()}
	}
	if k := domain.ErrorKey(err); k != "" {
		return &FieldError{Field: "scheduleConf", Key: k, Message: domain.ErrorMessage(err)}
	}
	return &FieldError{Field: "scheduleConf", Key: "ui_err_schedule_invalid", Data: map[string]any{"Detail": err.Error()},
		Message: "Invalid schedule: " + err.Error()}
}

func scheduleError(err error) error { return FieldErrors{scheduleFieldError(err)} }

func requireLen(fe *FieldErrors, field, v string, min, max int) {
	n := utf8.RuneCountInString(v)
	if n == 0 && min > 0 {
		fe.add(field, "ui_err_required", "This field is required.", nil)
	} else if n < min || n > max {
		fe.add(field, "ui_err_length", fmt.Sprintf("Use %d to %d characters.", min, max), map[string]any{"Min": min, "Max": max})
	}
}

func parseNonNegative(fe *FieldErrors, field, s string) int {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > 1_000_000_000 {
		fe.add(field, "ui_err_non_negative", "Enter a whole number, 0 or more.", nil)
		return 0
	}
	return n
}

func normaliseList(s string) string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, ",")
}

// DefaultGlueSource is the starter source of a new GLUE job of type t.
func DefaultGlueSource(t domain.GlueType) string {
	switch t {
	case domain.GlueGroovy:
		return "package com.xxl.job.service.handler;\n\nimport com.xxl.job.core.context.XxlJobHelper;\nimport com.xxl.job.core.handler.IJobHandler;\n\npublic class DemoGlueJobHandler extends IJobHandler {\n\n\t@Override\n\tpublic void execute() throws Exception {\n\t\tXxlJobHelper.log(\"hello from xjob\");\n\t}\n\n}\n"
	case domain.GlueShell:
		return "#!/bin/bash\necho \"hello from xjob\"\necho \"param: $1, shard: $2/$3\"\nexit 0\n"
	case domain.GluePython, domain.GluePython2:
		return "#!/usr/bin/env python\nimport sys\nprint(\"hello from xjob\")\nprint(\"param:\", sys.argv[1:] )\nsys.exit(0)\n"
	case domain.GlueNodeJS:
		return "#!/usr/bin/env node\nconsole.log(\"hello from xjob\");\nconsole.log(\"param:\", process.argv.slice(2));\nprocess.exit(0);\n"
	case domain.GluePowerShell:
		return "Write-Host \"hello from xjob\"\nWrite-Host \"param: $($args[0])\"\nexit 0\n"
	case domain.GluePHP:
		return "<?php\n\necho \"hello from xjob\\n\";\necho \"param: \" . ($argv[1] ?? \"\") . \"\\n\";\nexit(0);\n"
	}
	return ""
}
