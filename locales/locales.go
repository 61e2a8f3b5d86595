// Package locales embeds xjob's message catalogs: active.*.toml (trigger
// and log messages, enum titles), ui.*.toml (web pages) and cron.*.toml
// (schedule descriptions), one file per area and language. File names end
// in the language tag go-i18n reads: en, zh-CN, zh-TW.
package locales

import "embed"

// FS holds every *.toml catalog of this directory.
//
//go:embed *.toml
var FS embed.FS
