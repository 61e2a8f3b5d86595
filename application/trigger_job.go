package application

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/xjob-dev/xjob/domain"
	"github.com/xjob-dev/xjob/ports"
)

// TriggerRequest asks for one trigger of a job.
type TriggerRequest struct {
	JobID int64
	Type  domain.TriggerType
	// FailRetryCount is the retries left after this trigger; -1 takes the job's.
	FailRetryCount int
	// ShardingParam, "index/total", re-triggers one shard of a broadcast.
	ShardingParam string
	// ExecutorParam overrides the job's parameter when not nil.
	ExecutorParam *string
	// AddressList, comma separated, overrides the group's addresses (manual
	// "run once"); the addresses then count as manually entered.
	AddressList string
	// FireTime is the scheduled instant, stored as the trigger time; zero means now.
	FireTime time.Time
	// Job, when set, is the job as the schedule scan read it moments ago
	// (at most the pre-read window): a scheduled fire then skips reading
	// the job and takes its group from a cache of at most a second.
	Job *domain.JobInfo
}

// NewTriggerRequest returns a request of the given type with the job's own
// retry count, parameter and addresses.
func NewTriggerRequest(jobID int64, t domain.TriggerType) TriggerRequest {
	return TriggerRequest{JobID: jobID, Type: t, FailRetryCount: -1}
}

// TriggerJob starts one execution of a job on the executor(s) chosen by its
// route strategy and records every attempt as a JobLog (one per shard).
type TriggerJob struct {
	jobs      ports.JobStore
	groups    ports.GroupStore
	logs      ports.LogStore
	exec      ports.ExecutorClient
	msgs      ports.Messages
	clock     ports.Clock
	router    *domain.Router
	adminAddr string
	metrics   Metrics

	creates    *batcher[*domain.JobLog]
	groupCache *groupCache
	updates    *batcher[*domain.JobLog]
	// firedUpdates records the outcome of prepared triggers (Fire): they
	// come in bursts at one instant, and their writes wait for the burst.
	firedUpdates *batcher[*domain.JobLog]
}

// recordLinger is how long the outcome of a prepared trigger's calls may
// wait, so that the writes of a burst do not take CPU from its calls.
const recordLinger = 50 * time.Millisecond

// NewTriggerJob returns the use case. adminAddr is shown in trigger
// messages as the node that triggered.
func NewTriggerJob(jobs ports.JobStore, groups ports.GroupStore, logs ports.LogStore, exec ports.ExecutorClient,
	msgs ports.Messages, clock ports.Clock, router *domain.Router, adminAddr string) *TriggerJob {
	mustDeps("NewTriggerJob", jobs, groups, logs, exec, msgs, clock, router)
	return &TriggerJob{
		jobs: jobs, groups: groups, logs: logs, exec: exec, msgs: msgs, clock: clock, router: router, adminAddr: adminAddr,
		metrics:    NopMetrics{},
		creates:    newBatcher(logs.CreateLogs),
		groupCache: newGroupCache(groups, time.Second),
		updates:    newBatcher(logs.UpdateTriggerInfos),

		firedUpdates: newLingeringBatcher(logs.UpdateTriggerInfos, recordLinger),
	}
}

// WithMetrics makes the use case count failed triggers on m and returns it;
// call it before the first trigger.
func (uc *TriggerJob) WithMetrics(m Metrics) *TriggerJob {
	if m != nil {
		uc.metrics = m
	}
	return uc
}

// Trigger runs the job once as req asks. It returns ENOTFOUND for an unknown
// job and an error when the log rows could not be written. Executor and
// routing failures are not errors: they are recorded on the log (trigger
// code 500) for the fail monitor to retry and alarm. Once started, a
// trigger completes even if ctx is cancelled, so no log is left half-written.
func (uc *TriggerJob) Trigger(ctx context.Context, req TriggerRequest) error {
	return uc.fire(ctx, uc.Prepare(ctx, []TriggerRequest{req})[0], uc.updates)
}

// notSent wraps the error of a trigger that reached no executor: its job,
// group or logs could not be read or written.
type notSent struct{ err error }

func (e notSent) Error() string { return e.err.Error() }
func (e notSent) Unwrap() error { return e.err }

// NothingSent reports whether err comes from a trigger that reached no
// executor and wrote no log, so that trying it again cannot run the job
// twice.
func NothingSent(err error) bool {
	var ns notSent
	return errors.As(err, &ns)
}

// PreparedTrigger is a trigger whose log rows are written and whose
// executor calls have not been made yet: Prepare makes one, Fire completes
// it. FireDelivery prepares the fires of an instant a little ahead of it,
// so that at the instant only the calls to the executors are left.
type PreparedTrigger struct {
	Req TriggerRequest
	// Err is why the trigger could not be prepared (ENOTFOUND: the job is
	// gone); Fire returns it.
	Err  error
	plan *triggerPlan
	logs []*domain.JobLog
	// sent, when set, is called once the executor calls are made, before
	// their outcome is written.
	sent func()
}

// OnSent makes Fire call f as soon as the executor calls are made, before
// it writes their outcome: the caller may hand its worker on.
func (pt *PreparedTrigger) OnSent(f func()) { pt.sent = f }

// LogIDs returns the ids of the trigger's log rows (one per shard).
func (pt *PreparedTrigger) LogIDs() []int64 {
	ids := make([]int64, len(pt.logs))
	for i, l := range pt.logs {
		ids[i] = l.ID
	}
	return ids
}

// Prepare plans each request (job, parameters, addresses, shards) and
// writes the log rows of all of them in one batch, without calling any
// executor. A request that cannot be planned, or whose logs could not be
// written, comes back with Err set.
func (uc *TriggerJob) Prepare(ctx context.Context, reqs []TriggerRequest) []*PreparedTrigger {
	ctx = context.WithoutCancel(ctx)
	out := make([]*PreparedTrigger, len(reqs))
	var all []*domain.JobLog
	for i, req := range reqs {
		pt := &PreparedTrigger{Req: req}
		out[i] = pt
		p, err := uc.plan(ctx, req)
		if err != nil {
			pt.Err = notSent{err}
			continue
		}
		pt.plan, pt.logs = p, p.newLogs()
		all = append(all, pt.logs...)
	}
	if len(all) == 0 {
		return out
	}
	if err := uc.creates.do(ctx, all); err != nil {
		for _, pt := range out {
			if pt.Err == nil {
				pt.Err = notSent{fmt.Errorf("trigger job %d: create logs: %w", pt.Req.JobID, err)}
				pt.plan, pt.logs = nil, nil
			}
		}
	}
	return out
}

// Fire makes the executor calls of a prepared trigger and records their
// outcome on its logs. Once started it completes even if ctx is cancelled.
func (uc *TriggerJob) Fire(ctx context.Context, pt *PreparedTrigger) error {
	return uc.fire(ctx, pt, uc.firedUpdates)
}

// fire is Fire recording the outcome through updates.
func (uc *TriggerJob) fire(ctx context.Context, pt *PreparedTrigger, updates *batcher[*domain.JobLog]) error {
	if pt.Err != nil {
		return pt.Err
	}
	ctx = context.WithoutCancel(ctx)
	uc.runShards(ctx, pt.plan, pt.logs)
	if pt.sent != nil {
		pt.sent()
	}
	if err := updates.do(ctx, pt.logs); err != nil {
		return fmt.Errorf("trigger job %d: record trigger: %w", pt.Req.JobID, err)
	}
	return nil
}

// Resume makes the executor calls of logs an earlier Prepare wrote but
// whose outcome was never recorded (the node that prepared them stopped):
// each log is sent again under its own id, so an executor that did get the
// first call sees the same log id twice. req names the job and instant;
// the job is read afresh.
func (uc *TriggerJob) Resume(ctx context.Context, req TriggerRequest, logs []*domain.JobLog) error {
	if len(logs) == 0 {
		return nil
	}
	ctx = context.WithoutCancel(ctx)
	req.Job = nil
	p, err := uc.plan(ctx, req)
	if err != nil {
		return err
	}
	p.param, p.retry, p.at = logs[0].ExecutorParam, logs[0].ExecutorFailRetryCount, logs[0].TriggerTime
	p.shards = make([]domain.Shard, len(logs))
	for i, l := range logs {
		if s, ok := l.Shard(); ok {
			p.shards[i] = s
		} else {
			p.shards[i] = domain.Shard{Index: 0, Total: 1}
		}
	}
	uc.runShards(ctx, p, logs)
	if err := uc.updates.do(ctx, logs); err != nil {
		return fmt.Errorf("resume trigger of job %d: record trigger: %w", req.JobID, err)
	}
	return nil
}

// runShards calls the executor of every shard, in parallel when several.
func (uc *TriggerJob) runShards(ctx context.Context, p *triggerPlan, logs []*domain.JobLog) {
	if len(logs) == 1 {
		uc.runShard(ctx, p, logs[0], p.shards[0])
		return
	}
	var wg sync.WaitGroup
	for i, log := range logs {
		wg.Go(func() { uc.runShard(ctx, p, log, p.shards[i]) })
	}
	wg.Wait()
}

// Reject records req as a failed trigger without calling any executor:
// trigger code 500 with the message reasonID, and the retry count and
// parameter the trigger would have had, so the fail monitor alarms and
// retries it. Returns ENOTFOUND for an unknown job.
func (uc *TriggerJob) Reject(ctx context.Context, req TriggerRequest, reasonID string) error {
	ctx = context.WithoutCancel(ctx)
	p, err := uc.plan(ctx, req)
	if err != nil {
		return err
	}
	log := p.newLogs()[0]
	log.ExecutorShardingParam = req.ShardingParam
	if err := uc.creates.do(ctx, []*domain.JobLog{log}); err != nil {
		return fmt.Errorf("reject trigger of job %d: %w", req.JobID, err)
	}
	log.TriggerCode = domain.CodeFail
	log.TriggerMsg = uc.rejectMsg(p, reasonID)
	if err := uc.updates.do(ctx, []*domain.JobLog{log}); err != nil {
		return fmt.Errorf("reject trigger of job %d: %w", req.JobID, err)
	}
	return nil
}

// triggerPlan is everything decided before the logs are written.
type triggerPlan struct {
	req       TriggerRequest
	job       *domain.JobInfo
	route     domain.RouteStrategy
	broadcast bool
	addrs     []string
	addrType  domain.AddressType
	param     string
	retry     int
	at        time.Time
	shards    []domain.Shard
}

func (uc *TriggerJob) plan(ctx context.Context, req TriggerRequest) (*triggerPlan, error) {
	job := req.Job
	if job == nil || job.ID != req.JobID {
		var err error
		if job, err = uc.jobs.FindJobByID(ctx, req.JobID); err != nil {
			return nil, fmt.Errorf("trigger job %d: %w", req.JobID, err)
		}
	}
	p := &triggerPlan{req: req, job: job, route: job.RouteStrategy.OrDefault(), param: job.ExecutorParam,
		retry: job.ExecutorFailRetryCount, at: req.FireTime}
	p.broadcast = p.route == domain.RouteShardingBroadcast
	if req.ExecutorParam != nil {
		p.param = *req.ExecutorParam
	}
	if req.FailRetryCount >= 0 {
		p.retry = req.FailRetryCount
	}
	if p.at.IsZero() {
		p.at = uc.clock.Now()
	}
	// Stored DATETIMEs keep whole seconds; the executor gets the same
	// instant in /run as the log page later sends in /log.
	p.at = p.at.Truncate(time.Second)
	if err := uc.resolveAddresses(ctx, p); err != nil {
		return nil, err
	}
	p.shards = p.shardsToRun()
	return p, nil
}

func (uc *TriggerJob) resolveAddresses(ctx context.Context, p *triggerPlan) error {
	if strings.TrimSpace(p.req.AddressList) != "" {
		p.addrs = (&domain.Group{AddressList: p.req.AddressList}).Addresses()
		p.addrType = domain.AddressManual
		return nil
	}
	find := uc.groups.FindGroupByID
	if p.req.Job != nil {
		find = uc.groupCache.find
	}
	group, err := find(ctx, p.job.GroupID)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return nil // a job of a deleted group: no address, recorded as such
	} else if err != nil {
		return fmt.Errorf("trigger job %d: %w", p.job.ID, err)
	}
	p.addrs, p.addrType = group.Addresses(), group.AddressType
	return nil
}

// shardsToRun is one shard for a plain trigger or a shard retry, and one
// per address for a sharding broadcast.
func (p *triggerPlan) shardsToRun() []domain.Shard {
	if p.req.ShardingParam != "" {
		if s, ok := (&domain.JobLog{ExecutorShardingParam: p.req.ShardingParam}).Shard(); ok {
			return []domain.Shard{s}
		}
	}
	if !p.broadcast || len(p.addrs) == 0 {
		return []domain.Shard{{Index: 0, Total: 1}}
	}
	shards := make([]domain.Shard, len(p.addrs))
	for i := range shards {
		shards[i] = domain.Shard{Index: i, Total: len(p.addrs)}
	}
	return shards
}

func (p *triggerPlan) newLogs() []*domain.JobLog {
	logs := make([]*domain.JobLog, len(p.shards))
	for i, s := range p.shards {
		logs[i] = &domain.JobLog{
			GroupID:                p.job.GroupID,
			JobID:                  p.job.ID,
			ExecutorHandler:        p.job.ExecutorHandler,
			ExecutorParam:          p.param,
			ExecutorFailRetryCount: p.retry,
			TriggerTime:            p.at,
		}
		if p.broadcast {
			logs[i].ExecutorShardingParam = s.String()
		}
	}
	return logs
}

func (p *triggerPlan) triggerParam(logID int64, s domain.Shard) domain.TriggerParam {
	var glueTime int64
	if !p.job.GlueUpdatetime.IsZero() {
		glueTime = p.job.GlueUpdatetime.UnixMilli()
	}
	return domain.TriggerParam{
		JobID:                 p.job.ID,
		ExecutorHandler:       p.job.ExecutorHandler,
		ExecutorParams:        p.param,
		ExecutorBlockStrategy: string(p.job.BlockStrategy),
		ExecutorTimeout:       p.job.ExecutorTimeout,
		LogID:                 logID,
		LogDateTime:           p.at.UnixMilli(),
		GlueType:              string(p.job.GlueType),
		GlueSource:            p.job.GlueSource,
		GlueUpdatetime:        glueTime,
		BroadcastIndex:        s.Index,
		BroadcastTotal:        s.Total,
	}
}

// runShard routes, calls the executor and fills the log's trigger columns.
func (uc *TriggerJob) runShard(ctx context.Context, p *triggerPlan, log *domain.JobLog, s domain.Shard) {
	addr, routeMsg := uc.pickAddress(ctx, p, s)
	res := ports.ExecutorResult{Code: domain.CodeFail, Msg: uc.msgs.T("jobconf_trigger_no_address", nil)}
	if addr != "" {
		res = uc.exec.Run(ctx, addr, p.triggerParam(log.ID, s))
		res.Msg = uc.runMsg(addr, res)
	}
	if !res.OK() {
		uc.metrics.TriggerFailed()
	}
	log.ExecutorAddress = addr
	log.TriggerCode = res.Code
	log.TriggerMsg = uc.triggerMsg(p, s, addr, routeMsg, res)
}

// pickAddress returns the executor address for one shard, or "" and why not.
func (uc *TriggerJob) pickAddress(ctx context.Context, p *triggerPlan, s domain.Shard) (addr, failMsg string) {
	switch {
	case len(p.addrs) == 0:
		return "", uc.msgs.T("jobconf_trigger_address_empty", nil)
	case p.broadcast && s.Index < len(p.addrs):
		return p.addrs[s.Index], ""
	case p.broadcast:
		return p.addrs[0], ""
	case p.route == domain.RouteFailover:
		return uc.probe(p.addrs, "jobconf_beat", func(a string) ports.ExecutorResult { return uc.exec.Beat(ctx, a) })
	case p.route == domain.RouteBusyover:
		return uc.probe(p.addrs, "jobconf_idleBeat", func(a string) ports.ExecutorResult {
			return uc.exec.IdleBeat(ctx, a, p.job.ID)
		})
	}
	return uc.router.Route(p.route, p.job.ID, p.addrs, uc.clock.Now()), ""
}

// probe asks each address in turn and returns the first that answers 200;
// when none does, the collected answers explain why.
func (uc *TriggerJob) probe(addrs []string, titleID string, ask func(string) ports.ExecutorResult) (string, string) {
	var answers []string
	for _, a := range addrs {
		res := ask(a)
		if res.OK() {
			return a, ""
		}
		answers = append(answers, uc.probeMsg(titleID, a, res))
	}
	return "", strings.Join(answers, "<br><br>")
}

// mustDeps panics when a dependency is nil: a wiring mistake.
func mustDeps(ctor string, deps ...any) {
	for i, d := range deps {
		if isNil(d) {
			panic(fmt.Sprintf("application.%s: dependency %d is nil", ctor, i+1))
		}
	}
}

func isNil(v any) bool {
	if v == nil {
		return true
	}
	switch rv := reflect.ValueOf(v); rv.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Func, reflect.Interface, reflect.Slice, reflect.Chan:
		return rv.IsNil()
	}
	return false
}
