package application_test

import (
	"testing"

	"github.com/xjob-dev/xjob/adapters/executorclient/executortest"
	"github.com/xjob-dev/xjob/adapters/sqlstore/sqltest"
	"github.com/xjob-dev/xjob/application"
	"github.com/xjob-dev/xjob/domain"
)

func TestReadLog(t *testing.T) {
	e := newEnv(t, sqltest.MustOpenSQLite(t), "en")
	read := application.NewReadLog(e.logs, e.exec, e.msgs)
	for _, flavor := range []executortest.Flavor{executortest.Java, executortest.Go} {
		ex := executortest.Start(t, flavor, testToken, "demo")
		job := e.job(e.group(domain.AddressAuto, ex.Address()), nil)
		log := e.mustTrigger(application.NewTriggerRequest(job.ID, domain.TriggerManual))
		ex.SetLog(log.ID, domain.LogResult{FromLineNum: 1, ToLineNum: 2,
			LogContent: `start<br><b>x</b> <script>alert(1)</script> &lt;br&gt; <br/> "q"`, IsEnd: false})

		got, err := read.Read(e.ctx, log.ID, 1)
		if err != nil {
			t.Fatal(err)
		}
		want := `start<br><b>x</b> &lt;script&gt;alert(1)&lt;/script&gt; &amp;lt;br&amp;gt; &lt;br/&gt; &#34;q&#34;`
		if got.LogContent != want || got.ToLineNum != 2 || got.IsEnd {
			t.Errorf("flavor %d: %+v\nwant content %s", flavor, got, want)
		}

		// Past the last line of a running job: not the end yet.
		ex.SetLog(log.ID, domain.LogResult{FromLineNum: 3, ToLineNum: 2})
		if got, err := read.Read(e.ctx, log.ID, 3); err != nil || got.IsEnd || got.FromLineNum != 3 {
			t.Errorf("running: %+v %v", got, err)
		}
		// Once finished, reading past the last line ends the rolling log.
		log.RecordHandle(200, "", e.clock.Now())
		if _, err := e.logs.UpdateHandleInfo(e.ctx, log); err != nil {
			t.Fatal(err)
		}
		if got, err := read.Read(e.ctx, log.ID, 3); err != nil || !got.IsEnd {
			t.Errorf("finished: %+v %v", got, err)
		}
	}
	t.Run("ErrNoAddress", func(t *testing.T) {
		job := e.job(e.group(domain.AddressAuto), nil)
		log := e.mustTrigger(application.NewTriggerRequest(job.ID, domain.TriggerManual))
		if _, err := read.Read(e.ctx, log.ID, 1); domain.ErrorKey(err) != "joblog_log_address_empty" {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		if _, err := read.Read(e.ctx, 424242, 1); domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("ErrExecutorDown", func(t *testing.T) {
		ex := executortest.Start(t, executortest.Java, testToken, "demo")
		job := e.job(e.group(domain.AddressAuto, ex.Address()), nil)
		log := e.mustTrigger(application.NewTriggerRequest(job.ID, domain.TriggerManual))
		ex.Close()
		if _, err := read.Read(e.ctx, log.ID, 1); domain.ErrorCode(err) != domain.EUNAVAILABLE {
			t.Errorf("err = %v", err)
		}
	})
}
