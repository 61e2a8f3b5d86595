package domain

import "time"

// MaxGlueVersions is how many GLUE versions are kept per job.
const MaxGlueVersions = 30

// LogGlue is one saved version of a job's GLUE source (xxl_job_logglue).
type LogGlue struct {
	ID         int64
	JobID      int64
	GlueType   GlueType
	GlueSource string
	GlueRemark string
	AddTime    time.Time
	UpdateTime time.Time
}
