// Package application holds xjob's use cases: the decisions of the admin
// between the domain rules and the outside world reached through ports.
// Each use case is one exported struct with one main verb method
// (TriggerJob.Trigger, HandleCallback.Handle, KillJob.Kill, ...); background
// loops are a separate Run(ctx) that calls the verb on a ticker.
//
// The trigger path: TriggerPool.Submit queues a TriggerRequest on a fast or
// slow lane; a worker runs TriggerJob.Trigger, which writes the log rows,
// routes, calls the executor and records the outcome. Concurrent triggers
// share their log inserts and updates (group commit), so a burst of due
// jobs costs a few statements, not two per trigger.
//
// Use cases here do no permission checks: the web layer loads the job or
// log first and checks the operator's groups before calling them. Executor
// addresses always come from stored rows, never from a request.
//
// Allowed imports: domain, ports and the standard library.
package application
