// Package cron parses and evaluates Quartz cron expressions, the schedule
// syntax of XXL-JOB: "second minute hour day-of-month month day-of-week
// [year]", with '*', '?', lists, ranges (wrapping ones too), steps, month
// and weekday names, L, L-n, W, LW, nL and n#k.
//
// It accepts what XXL-JOB's CronExpression (Quartz 2.5) accepts and gives
// the same fire times, quirks included, except where Quartz silently
// ignores text (rejected here with a *SyntaxError) and across
// daylight-saving changes (see Expression.Next). docs/cron.md lists the
// details; the tests check Quartz's reference answers line by line.
//
// Each field is a precomputed bitset, so Next allocates nothing and costs
// well under a microsecond. The package imports the standard library only.
package cron
