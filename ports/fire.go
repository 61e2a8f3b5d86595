package ports

import (
	"context"

	"github.com/xjob-dev/xjob/domain"
)

// FireState is the delivery state of one recorded fire (xjob_fire.state).
type FireState int

// Fire states. A fire moves Pending → Claimed → Delivered, or ends Skipped;
// every move is a compare-and-set on (state, node), so two nodes can never
// both deliver one fire.
const (
	// FirePending: recorded by a schedule scan in the transaction that
	// advanced the job's trigger_next_time; waiting for its instant.
	FirePending FireState = 0
	// FireClaimed: taken by Node for delivery; the trigger may not have
	// written its log yet.
	FireClaimed FireState = 1
	// FireDelivered: the trigger path ran (LogID is one of its logs when known).
	FireDelivered FireState = 2
	// FireSkipped: dropped by the misfire strategy DO_NOTHING, or its job is gone.
	FireSkipped FireState = 3
)

// Fire is one scheduled execution of a job at one instant (xjob_fire). The
// pair (JobID, FireTime) is unique: a job fires at most once per instant,
// whatever the number of admin nodes or the clock does.
type Fire struct {
	JobID    int64
	FireTime int64              // the scheduled instant, epoch ms
	Type     domain.TriggerType // CRON, or MISFIRE for a FIRE_ONCE_NOW compensation
	State    FireState
	Node     string // the admin node that owns the fire in its current state
	// LeaseUntil (epoch ms) is when other nodes may take the fire over: a
	// pending fire shortly after its instant, a claimed one when its
	// delivery should long be confirmed.
	LeaseUntil int64
	LogID      int64 // a log of the delivery, 0 if unknown
	UpdatedAt  int64 // epoch ms
}

// FireRecorder is implemented by the ScheduleTx of stores that record fires.
// Recording fires in the scan's transaction means a fire is either durably
// recorded or still due in xxl_job_info, whatever crashes.
type FireRecorder interface {
	// RecordFires inserts the fires and returns those that were new; a fire
	// already recorded for the same job and instant is left untouched and
	// not returned.
	RecordFires(ctx context.Context, fires []Fire) ([]Fire, error)
}

// FireStore moves recorded fires through their states.
type FireStore interface {
	// MoveFire sets the fire (to.JobID, to.FireTime) to to's State, Node,
	// LeaseUntil, LogID and UpdatedAt only if it is still in state `from`
	// owned by fromNode; it reports whether it won.
	MoveFire(ctx context.Context, from FireState, fromNode string, to Fire) (bool, error)
	// MoveFires is MoveFire for many fires in one statement: each fire of
	// fires still in state from and owned by fromNode gets to's State,
	// Node, LeaseUntil and UpdatedAt (its type and log id are kept). It
	// returns the fires that moved, as stored afterwards. to.Node and
	// to.UpdatedAt must identify this call (a node never moves two batches
	// with the same UpdatedAt), so a partial success can be told apart.
	MoveFires(ctx context.Context, from FireState, fromNode string, fires []Fire, to Fire) ([]Fire, error)
	// ExpiredFires returns pending and claimed fires whose lease ended
	// before `now` (epoch ms), oldest instant first.
	ExpiredFires(ctx context.Context, now int64, limit int) ([]Fire, error)
	// DeleteSettledFires removes delivered and skipped fires last updated
	// before `before` (epoch ms), at most limit of them, and returns how many.
	DeleteSettledFires(ctx context.Context, before int64, limit int) (int, error)
}
