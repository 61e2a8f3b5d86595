package ports

import (
	"context"

	"github.com/xjob-dev/xjob/domain"
)

// ExecutorResult is an executor's answer, or the failure to get one: a
// transport error is {500, description}, as upstream records it.
type ExecutorResult struct {
	Code int
	Msg  string
}

// OK reports whether the executor answered code 200.
func (r ExecutorResult) OK() bool { return r.Code == domain.CodeSuccess }

// ExecutorClient calls one executor's HTTP API. address is the registered
// base URL, with or without a trailing slash. A job that runs and fails is
// reported later through the callback, not here.
type ExecutorClient interface {
	Run(ctx context.Context, address string, p domain.TriggerParam) ExecutorResult
	Beat(ctx context.Context, address string) ExecutorResult
	IdleBeat(ctx context.Context, address string, jobID int64) ExecutorResult
	Kill(ctx context.Context, address string, jobID int64) ExecutorResult
	Log(ctx context.Context, address string, p domain.LogParam) (*domain.LogResult, ExecutorResult)
}
