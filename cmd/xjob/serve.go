package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/xjob-dev/xjob"
)

// runServe runs the scheduling center until ctx is done.
func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg, code := loadConfig("serve", args, stdout, stderr)
	if cfg == nil {
		return code
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	app, cleanup, err := xjob.InitializeApp(ctx, cfg, logger)
	if err != nil {
		fmt.Fprintf(stderr, "xjob: %v\n", err)
		return 1
	}
	defer cleanup()
	if err := app.Run(ctx, stdout, nil); err != nil {
		fmt.Fprintf(stderr, "xjob: %v\n", err)
		return 1
	}
	return 0
}

// runMigrate creates or adopts the schema and exits.
func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg, code := loadConfig("migrate", args, stdout, stderr)
	if cfg == nil {
		return code
	}
	if err := xjob.Migrate(ctx, cfg, stdout); err != nil {
		fmt.Fprintf(stderr, "xjob: %v\n", err)
		return 1
	}
	return 0
}

// loadConfig parses the settings; on failure it prints one line and returns
// a nil config with the exit code (0 for --help).
func loadConfig(name string, args []string, stdout, stderr io.Writer) (*xjob.Config, int) {
	cfg, err := xjob.LoadConfig(name, args, os.Getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil, 0
	} else if err != nil {
		fmt.Fprintf(stderr, "xjob %s: %v\n", name, err)
		return nil, 2
	}
	return cfg, 0
}
