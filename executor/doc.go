// Package executor is a Go SDK for writing XXL-JOB executors that talk to
// xjob or to an upstream XXL-JOB admin (2.4.x–3.4.x wire protocol).
//
// An Executor serves the executor HTTP API (/beat, /idleBeat, /run, /kill,
// /log) the admin calls, runs each job id on its own worker goroutine with a
// trigger queue and the job's block strategy, writes one log file per run,
// registers itself with the admin every BeatInterval and reports every
// result to {admin}/api/callback. Results that cannot be delivered are kept
// on disk under LogDir/callbacklog and retried until an admin accepts them,
// also across restarts.
//
//	ex, err := executor.New(executor.Options{
//		AdminAddresses: []string{"http://127.0.0.1:8080"},
//		AccessToken:    os.Getenv("XJOB_TOKEN"),
//		AppName:        "billing-executor",
//		LogDir:         "/var/log/billing-executor",
//	})
//	if err != nil { ... }
//	ex.Register("chargeCards", func(ctx context.Context, job *executor.Job) error {
//		job.Log("charging shard %d/%d", job.ShardIndex, job.ShardTotal)
//		return charge(ctx, job.Param)
//	})
//	err = ex.Run(ctx) // until ctx is cancelled, then deregisters
//
// A handler returning nil is reported as handleCode 200 (handleMsg from
// Job.SetResult), an error as 500 with the error text. Runs cancelled by
// executorTimeout are reported as 502, runs killed by the admin (or replaced
// by COVER_EARLY or a handler change) as 500 with the upstream wording.
//
// GLUE scripts (shell, python, node, php, powershell) are off unless listed
// in Options.EnableGlue, which also requires a real access token: GLUE is
// remote code execution for whoever holds the token.
//
// The package imports the standard library and xjob's domain package only.
package executor
