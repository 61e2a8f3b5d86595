package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Ceilings are what this machine can do at most for the work a fire, a
// callback and a log write consist of, measured in the same run.
type Ceilings struct {
	// HTTPRun is POST /run-shaped requests/s from a keep-alive Go client to
	// the stub executor, by concurrency.
	HTTPRun map[int]float64 `json:"httpRunPerSec"`
	// Commit is single-row INSERT commits/s (autocommit), by connections.
	Commit map[int]float64 `json:"mariadbCommitsPerSec"`
	// BatchRows is rows/s inserted by 100-row INSERTs into a table shaped
	// like xxl_job_log (with its four secondary indexes), one connection.
	BatchRows float64 `json:"mariadbBatchRowsPerSec"`
}

const runBody = `{"jobId":123,"executorHandler":"bench","executorParams":"","executorBlockStrategy":"SERIAL_EXECUTION",` +
	`"executorTimeout":0,"logId":4567890,"logDateTime":1760000000000,"glueType":"BEAN","glueSource":"",` +
	`"glueUpdatetime":1760000000000,"broadcastIndex":0,"broadcastTotal":1}`

// MeasureHTTP posts runBody to a fresh stub from conc goroutines for d.
func MeasureHTTP(token string, conc int, d time.Duration) (float64, error) {
	stub, err := StartStub(token, "")
	if err != nil {
		return 0, err
	}
	defer stub.Close()
	tr := &http.Transport{MaxIdleConnsPerHost: conc, MaxConnsPerHost: conc}
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr, Timeout: 5 * time.Second}
	var n, errs atomic.Int64
	stop := time.Now().Add(d)
	var wg sync.WaitGroup
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(stop) {
				req, _ := http.NewRequest(http.MethodPost, stub.URL()+"run", strings.NewReader(runBody))
				req.Header.Set("Content-Type", "application/json;charset=UTF-8")
				req.Header.Set("XXL-JOB-ACCESS-TOKEN", token)
				resp, err := c.Do(req)
				if err != nil {
					errs.Add(1)
					continue
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if !bytes.Contains(b, []byte(`"code":200`)) {
					errs.Add(1)
					continue
				}
				n.Add(1)
			}
		}()
	}
	wg.Wait()
	if e := errs.Load(); e > 0 {
		return 0, fmt.Errorf("http ceiling: %d failed requests", e)
	}
	return float64(n.Load()) / d.Seconds(), nil
}

// ceilingLogDDL is xxl_job_log of the 3.4.2 schema under another name.
const ceilingLogDDL = "CREATE TABLE ceil_log (" +
	"id bigint(20) NOT NULL AUTO_INCREMENT, job_group int(11) NOT NULL, job_id int(11) NOT NULL," +
	"executor_address varchar(255) DEFAULT NULL, executor_handler varchar(255) DEFAULT NULL," +
	"executor_param text, executor_sharding_param varchar(20) DEFAULT NULL," +
	"executor_fail_retry_count int(11) NOT NULL DEFAULT 0, trigger_time datetime DEFAULT NULL," +
	"trigger_code int(11) NOT NULL, trigger_msg text, handle_time datetime DEFAULT NULL," +
	"handle_code int(11) NOT NULL, handle_msg text, alarm_status tinyint(4) NOT NULL DEFAULT 0," +
	"PRIMARY KEY (id), KEY I_trigger_time (trigger_time), KEY I_handle_code (handle_code)," +
	"KEY I_jobgroup (job_group), KEY I_jobid (job_id)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4"

// MeasureMariaDB measures the commit and batch-insert ceilings in a
// scratch database db (a DSN with a database name).
func MeasureMariaDB(ctx context.Context, dsn string, d time.Duration) (map[int]float64, float64, error) {
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		return nil, 0, err
	}
	defer db.Close()
	db.SetMaxOpenConns(64)
	db.SetMaxIdleConns(64)
	for _, q := range []string{"DROP TABLE IF EXISTS ceil_log", ceilingLogDDL} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return nil, 0, fmt.Errorf("ceiling table: %w", err)
		}
	}
	const one = `INSERT INTO ceil_log (job_group, job_id, trigger_time, trigger_code, handle_code) VALUES (1, ?, ?, 0, 0)`
	commits := map[int]float64{}
	for _, conc := range []int{1, 16} {
		var n, errs atomic.Int64
		stop := time.Now().Add(d)
		var wg sync.WaitGroup
		for w := range conc {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for time.Now().Before(stop) {
					if _, err := db.ExecContext(ctx, one, w, time.Now().UTC()); err != nil {
						errs.Add(1)
						continue
					}
					n.Add(1)
				}
			}()
		}
		wg.Wait()
		if errs.Load() > 0 {
			return nil, 0, fmt.Errorf("commit ceiling: %d failed inserts", errs.Load())
		}
		commits[conc] = float64(n.Load()) / d.Seconds()
	}
	var b strings.Builder
	b.WriteString("INSERT INTO ceil_log (job_group, job_id, trigger_time, trigger_code, handle_code) VALUES ")
	for i := range 100 {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("(1, ?, ?, 0, 0)")
	}
	batch := b.String()
	args := make([]any, 0, 200)
	var rows int
	start := time.Now()
	for time.Since(start) < d {
		args = args[:0]
		now := time.Now().UTC()
		for i := range 100 {
			args = append(args, i, now)
		}
		if _, err := db.ExecContext(ctx, batch, args...); err != nil {
			return nil, 0, fmt.Errorf("batch ceiling: %w", err)
		}
		rows += 100
	}
	batchRate := float64(rows) / time.Since(start).Seconds()
	db.ExecContext(ctx, "DROP TABLE IF EXISTS ceil_log")
	return commits, batchRate, nil
}
