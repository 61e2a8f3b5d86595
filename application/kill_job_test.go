package application_test

import (
	"testing"

	"github.com/xjob-dev/xjob/adapters/executorclient/executortest"
	"github.com/xjob-dev/xjob/adapters/sqlstore/sqltest"
	"github.com/xjob-dev/xjob/application"
	"github.com/xjob-dev/xjob/domain"
)

func TestKillJob(t *testing.T) {
	e := newEnv(t, sqltest.MustOpenSQLite(t), "en")
	ex := executortest.Start(t, executortest.Java, testToken, "demo")
	g := e.group(domain.AddressAuto, ex.Address())
	kill := application.NewKillJob(e.logs, e.exec, e.msgs, e.clock)

	t.Run("OK", func(t *testing.T) {
		job := e.job(g, nil)
		log := e.mustTrigger(application.NewTriggerRequest(job.ID, domain.TriggerManual))
		msg, err := kill.Kill(e.ctx, log.ID)
		if err != nil || msg != "Success" {
			t.Fatalf("Kill = %q, %v", msg, err)
		}
		got := e.logsOf(job.ID)[0]
		if got.HandleCode != 500 || got.HandleMsg != "Stopped by an operator:Success" || got.HandleTime.IsZero() {
			t.Errorf("log %+v", got)
		}
		if k := ex.Kills(); len(k) == 0 || k[len(k)-1] != job.ID {
			t.Errorf("kills %v", k)
		}
	})
	t.Run("FinishedKeepsResult", func(t *testing.T) {
		job := e.job(g, nil)
		log := e.mustTrigger(application.NewTriggerRequest(job.ID, domain.TriggerManual))
		log.RecordHandle(200, "done", e.clock.Now())
		if _, err := e.logs.UpdateHandleInfo(e.ctx, log); err != nil {
			t.Fatal(err)
		}
		if _, err := kill.Kill(e.ctx, log.ID); err != nil {
			t.Fatal(err)
		}
		if got := e.logsOf(job.ID)[0]; got.HandleCode != 200 || got.HandleMsg != "done" {
			t.Errorf("result overwritten: %+v", got)
		}
	})
	t.Run("ErrTriggerFailed", func(t *testing.T) {
		job := e.job(e.group(domain.AddressAuto), nil)
		log := e.mustTrigger(application.NewTriggerRequest(job.ID, domain.TriggerManual))
		_, err := kill.Kill(e.ctx, log.ID)
		if domain.ErrorCode(err) != domain.EINVALID || domain.ErrorKey(err) != "joblog_kill_log_limit" {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("ErrExecutorDown", func(t *testing.T) {
		down := executortest.Start(t, executortest.Java, testToken, "demo")
		job := e.job(e.group(domain.AddressAuto, down.Address()), nil)
		log := e.mustTrigger(application.NewTriggerRequest(job.ID, domain.TriggerManual))
		down.Close()
		if _, err := kill.Kill(e.ctx, log.ID); domain.ErrorCode(err) != domain.EUNAVAILABLE {
			t.Errorf("err = %v", err)
		}
		if got := e.logsOf(job.ID)[0]; got.HandleCode != 0 {
			t.Errorf("log changed: %+v", got)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		if _, err := kill.Kill(e.ctx, 987654); domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Errorf("err = %v", err)
		}
	})
}
