package executor_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"os/signal"
	"syscall"

	"github.com/xjob-dev/xjob/executor"
)

// chargeCards stands for the real work of the example.
func chargeCards(ctx context.Context, shard, total int) (int, error) { return 0, ctx.Err() }

// An executor with one Go handler and the built-in command handler, run
// until SIGINT or SIGTERM.
func Example() {
	ex, err := executor.New(executor.Options{
		AdminAddresses: []string{"http://10.0.0.1:8080", "http://10.0.0.2:8080"},
		AccessToken:    os.Getenv("XJOB_ACCESS_TOKEN"),
		AppName:        "billing-executor",
		LogDir:         "/var/log/billing-executor",
	})
	if err != nil {
		log.Fatal(err)
	}
	ex.Register("chargeCards", func(ctx context.Context, job *executor.Job) error {
		job.Log("shard %d of %d, param %q", job.ShardIndex, job.ShardTotal, job.Param)
		n, err := chargeCards(ctx, job.ShardIndex, job.ShardTotal)
		if err != nil {
			return err // handleCode 500 with the error text
		}
		job.SetResult(fmt.Sprintf("%d cards charged", n))
		return nil
	})
	ex.Register("backupDb", executor.CommandHandler("/usr/local/bin/backup-db", "--compress"))

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := ex.Run(ctx); err != nil {
		log.Fatal(err)
	}
}
