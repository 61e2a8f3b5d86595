package domain

// The messages of the XXL-JOB executor protocol (2.x–3.4). Field names are
// the upstream JSON names verbatim, including their misspellings, because
// real executors and admins parse them by name.

// TriggerParam is the body of POST /run from admin to executor.
type TriggerParam struct {
	JobID                 int64  `json:"jobId"`
	ExecutorHandler       string `json:"executorHandler"`
	ExecutorParams        string `json:"executorParams"`
	ExecutorBlockStrategy string `json:"executorBlockStrategy"`
	ExecutorTimeout       int    `json:"executorTimeout"`
	LogID                 int64  `json:"logId"`
	LogDateTime           int64  `json:"logDateTime"` // trigger time, epoch ms
	GlueType              string `json:"glueType"`
	GlueSource            string `json:"glueSource"`
	GlueUpdatetime        int64  `json:"glueUpdatetime"` // epoch ms
	BroadcastIndex        int    `json:"broadcastIndex"`
	BroadcastTotal        int    `json:"broadcastTotal"`
}

// JobIDParam is the body of POST /idleBeat and POST /kill.
type JobIDParam struct {
	JobID int64 `json:"jobId"`
}

// LogParam is the body of POST /log: read a run's log from a line on.
type LogParam struct {
	LogDateTim  int64 `json:"logDateTim"` // sic: upstream's spelling
	LogID       int64 `json:"logId"`
	FromLineNum int   `json:"fromLineNum"`
}

// LogResult is the payload of a /log reply.
type LogResult struct {
	FromLineNum int    `json:"fromLineNum"`
	ToLineNum   int    `json:"toLineNum"`
	LogContent  string `json:"logContent"`
	IsEnd       bool   `json:"isEnd"`
}

// CallbackParam is one item of POST /api/callback: a run's result.
type CallbackParam struct {
	LogID      int64  `json:"logId"`
	LogDateTim int64  `json:"logDateTim"` // sic
	HandleCode int    `json:"handleCode"`
	HandleMsg  string `json:"handleMsg,omitempty"`
}

// RegistryParam is the body of POST /api/registry and /api/registryRemove.
type RegistryParam struct {
	RegistryGroup string `json:"registryGroup"`
	RegistryKey   string `json:"registryKey"`
	RegistryValue string `json:"registryValue"`
}

// ReturnT is the reply envelope both ways. Admins and Java 2.x executors put
// the payload in "content", 3.3+ in "data"; readers accept either.
type ReturnT[T any] struct {
	Code    int    `json:"code"`
	Msg     string `json:"msg,omitempty"`
	Data    *T     `json:"data,omitempty"`
	Content *T     `json:"content,omitempty"`
}

// Payload returns data, or content when data is absent.
func (r *ReturnT[T]) Payload() *T {
	if r.Data != nil {
		return r.Data
	}
	return r.Content
}

// Protocol messages that both sides compare or show verbatim.
const (
	MsgAccessTokenWrong = "The access token is wrong."
	MsgSuccess          = "Success"
	// AccessTokenHeader carries the shared access token on every request.
	AccessTokenHeader = "XXL-JOB-ACCESS-TOKEN"
)
