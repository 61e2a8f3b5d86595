package api_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xjob-dev/xjob/adapters/api"
	"github.com/xjob-dev/xjob/adapters/clock"
	"github.com/xjob-dev/xjob/adapters/executorclient"
	"github.com/xjob-dev/xjob/adapters/executorclient/executortest"
	"github.com/xjob-dev/xjob/adapters/i18n"
	"github.com/xjob-dev/xjob/adapters/sqlstore"
	"github.com/xjob-dev/xjob/adapters/sqlstore/sqltest"
	"github.com/xjob-dev/xjob/application"
	"github.com/xjob-dev/xjob/domain"
	"github.com/xjob-dev/xjob/ports"
)

// An executor registers over HTTP, gets a trigger, and reports its result
// over HTTP twice; everything behind the handler is real.
func TestExecutorRoundTrip(t *testing.T) {
	ctx := context.Background()
	db := sqltest.MustOpenSQLite(t)
	jobs, groups, logs, regs := sqlstore.NewJobStore(db), sqlstore.NewGroupStore(db), sqlstore.NewLogStore(db), sqlstore.NewRegistryStore(db)
	clk := clock.System{}
	msgs, _ := i18n.NewCatalog("en")
	exec := executorclient.New(executorclient.Options{AccessToken: "tk"})
	trigger := application.NewTriggerJob(jobs, groups, logs, exec, msgs, clk, domain.NewRouter(), "admin")
	pool := application.NewTriggerPool(trigger, clk, application.PoolOptions{})
	refresh := application.NewRefreshGroups(regs, groups, clk, 0)
	h := api.NewHandler("tk", application.NewRegisterExecutor(regs, refresh, clk), application.NewRemoveExecutor(regs, refresh),
		application.NewHandleCallback(logs, jobs, pool, msgs, clk, nil), nil)
	srv := httptest.NewServer(h)
	defer srv.Close()

	g := &domain.Group{AppName: "sample", Title: "Sample", AddressType: domain.AddressAuto}
	if err := groups.CreateGroup(ctx, g); err != nil {
		t.Fatal(err)
	}
	job := &domain.JobInfo{GroupID: g.ID, Desc: "j", ScheduleType: domain.ScheduleNone, RouteStrategy: domain.RouteFirst,
		ExecutorHandler: "demo", BlockStrategy: domain.BlockSerial, GlueType: domain.GlueBean, MisfireStrategy: domain.MisfireDoNothing}
	if err := jobs.CreateJob(ctx, job); err != nil {
		t.Fatal(err)
	}
	ex := executortest.Start(t, executortest.Java, "tk", "demo")
	post(t, srv.URL+"/api/registry", `{"registryGroup":"EXECUTOR","registryKey":"sample","registryValue":"`+ex.Address()+`"}`)

	if err := trigger.Trigger(ctx, application.NewTriggerRequest(job.ID, domain.TriggerManual)); err != nil {
		t.Fatal(err)
	}
	res, err := logs.FindLogs(ctx, ports.LogFilter{JobID: job.ID, Status: domain.LogStatusAll})
	found := res.Logs
	if err != nil || len(found) != 1 || found[0].TriggerCode != 200 || found[0].ExecutorAddress != ex.Address() {
		t.Fatalf("logs %+v %v", found, err)
	}
	id := strconv.FormatInt(found[0].ID, 10)
	post(t, srv.URL+"/api/callback", `[{"logId":`+id+`,"logDateTim":1,"handleCode":200,"handleMsg":"ok"},{"logId":99999,"handleCode":500}]`)
	post(t, srv.URL+"/api/callback", `[{"logId":`+id+`,"logDateTim":1,"handleCode":500,"handleMsg":"again"}]`)
	got, err := logs.FindLogByID(ctx, found[0].ID)
	if err != nil || got.HandleCode != 200 || got.HandleMsg != "ok" {
		t.Errorf("log %+v %v", got, err)
	}
	post(t, srv.URL+"/api/registryRemove", `{"registryGroup":"EXECUTOR","registryKey":"sample","registryValue":"`+ex.Address()+`"}`)
	if g2, _ := groups.FindGroupByID(ctx, g.ID); g2.AddressList != "" {
		t.Errorf("address list after remove: %q", g2.AddressList)
	}
}

func post(t *testing.T, url, body string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json;charset=UTF-8")
	req.Header.Set("XXL-JOB-ACCESS-TOKEN", "tk")
	c := &http.Client{Timeout: 5 * time.Second}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if string(b) != `{"code":200,"msg":"Success"}` {
		t.Fatalf("%s: %s", url, b)
	}
}
