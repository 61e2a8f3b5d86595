// Package domain holds xjob's entities (JobInfo, JobLog, Group, Registry,
// User, LogGlue, LogReport), the XXL-JOB enumerations with their exact
// upstream string values, the executor wire messages and the rules that
// belong to them.
//
// It imports the standard library only (and its own subpackage domain/cron,
// the Quartz-compatible cron engine); every other package depends on it.
package domain
