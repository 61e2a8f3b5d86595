//go:build wireinject

package xjob

import (
	"context"
	"log/slog"

	"github.com/google/wire"
)

// InitializeApp builds the whole scheduling center from the configuration.
// The returned cleanup closes the database and the executor client.
func InitializeApp(ctx context.Context, cfg *Config, logger *slog.Logger) (*App, func(), error) {
	wire.Build(storeSet, platformSet, executorSet, triggerSet, scheduleSet, webSet,
		wire.Struct(new(webDeps), "*"), newApp)
	return nil, nil, nil
}
