package domain

import "strings"

// ScheduleType says how a job's next fire time is computed (xxl_job_info.schedule_type).
type ScheduleType string

// Schedule types. FIX_DELAY is xjob's own: upstream declared it but never
// finished it, so it is stored in a way the Java admin reads as FIX_RATE.
const (
	ScheduleNone     ScheduleType = "NONE"
	ScheduleCron     ScheduleType = "CRON"
	ScheduleFixRate  ScheduleType = "FIX_RATE"
	ScheduleFixDelay ScheduleType = "FIX_DELAY"
)

// ScheduleTypes lists the selectable schedule types in display order.
var ScheduleTypes = []ScheduleType{ScheduleNone, ScheduleCron, ScheduleFixRate, ScheduleFixDelay}

// Valid reports whether t is a known schedule type.
func (t ScheduleType) Valid() bool { return contains(ScheduleTypes, t) }

// MessageID returns the i18n key of t's title.
func (t ScheduleType) MessageID() string { return "schedule_type_" + strings.ToLower(string(t)) }

// MisfireStrategy says what happens to a fire that was missed by more than
// the pre-read window (xxl_job_info.misfire_strategy).
type MisfireStrategy string

// Misfire strategies.
const (
	MisfireDoNothing   MisfireStrategy = "DO_NOTHING"
	MisfireFireOnceNow MisfireStrategy = "FIRE_ONCE_NOW"
)

// MisfireStrategies lists the misfire strategies in display order.
var MisfireStrategies = []MisfireStrategy{MisfireDoNothing, MisfireFireOnceNow}

// Valid reports whether s is a known misfire strategy.
func (s MisfireStrategy) Valid() bool { return contains(MisfireStrategies, s) }

// OrDefault returns s, or DO_NOTHING when s is unknown (as upstream does).
func (s MisfireStrategy) OrDefault() MisfireStrategy {
	if s.Valid() {
		return s
	}
	return MisfireDoNothing
}

// MessageID returns the i18n key of s's title.
func (s MisfireStrategy) MessageID() string { return "misfire_strategy_" + strings.ToLower(string(s)) }

// RouteStrategy chooses the executor address of a trigger (xxl_job_info.executor_route_strategy).
type RouteStrategy string

// Route strategies.
const (
	RouteFirst             RouteStrategy = "FIRST"
	RouteLast              RouteStrategy = "LAST"
	RouteRound             RouteStrategy = "ROUND"
	RouteRandom            RouteStrategy = "RANDOM"
	RouteConsistentHash    RouteStrategy = "CONSISTENT_HASH"
	RouteLeastFrequently   RouteStrategy = "LEAST_FREQUENTLY_USED"
	RouteLeastRecently     RouteStrategy = "LEAST_RECENTLY_USED"
	RouteFailover          RouteStrategy = "FAILOVER"
	RouteBusyover          RouteStrategy = "BUSYOVER"
	RouteShardingBroadcast RouteStrategy = "SHARDING_BROADCAST"
)

// RouteStrategies lists the route strategies in upstream's display order.
var RouteStrategies = []RouteStrategy{RouteFirst, RouteLast, RouteRound, RouteRandom, RouteConsistentHash,
	RouteLeastFrequently, RouteLeastRecently, RouteFailover, RouteBusyover, RouteShardingBroadcast}

// Valid reports whether s is a known route strategy.
func (s RouteStrategy) Valid() bool { return contains(RouteStrategies, s) }

// MessageID returns the i18n key of s's title.
func (s RouteStrategy) MessageID() string {
	switch s {
	case RouteConsistentHash:
		return "jobconf_route_consistenthash"
	case RouteLeastFrequently:
		return "jobconf_route_lfu"
	case RouteLeastRecently:
		return "jobconf_route_lru"
	case RouteShardingBroadcast:
		return "jobconf_route_shard"
	}
	return "jobconf_route_" + strings.ToLower(string(s))
}

// BlockStrategy says what an executor does with a trigger for a job that is
// still running (xxl_job_info.executor_block_strategy).
type BlockStrategy string

// Block strategies.
const (
	BlockSerial       BlockStrategy = "SERIAL_EXECUTION"
	BlockDiscardLater BlockStrategy = "DISCARD_LATER"
	BlockCoverEarly   BlockStrategy = "COVER_EARLY"
)

// BlockStrategies lists the block strategies in display order.
var BlockStrategies = []BlockStrategy{BlockSerial, BlockDiscardLater, BlockCoverEarly}

// Valid reports whether s is a known block strategy.
func (s BlockStrategy) Valid() bool { return contains(BlockStrategies, s) }

// OrDefault returns s, or SERIAL_EXECUTION when s is unknown.
func (s BlockStrategy) OrDefault() BlockStrategy {
	if s.Valid() {
		return s
	}
	return BlockSerial
}

// MessageID returns the i18n key of s's title, e.g. jobconf_block_SERIAL_EXECUTION.
func (s BlockStrategy) MessageID() string { return "jobconf_block_" + string(s.OrDefault()) }

// GlueType says what kind of code a job runs (xxl_job_info.glue_type).
type GlueType string

// GLUE types.
const (
	GlueBean       GlueType = "BEAN"
	GlueGroovy     GlueType = "GLUE_GROOVY"
	GlueShell      GlueType = "GLUE_SHELL"
	GluePython     GlueType = "GLUE_PYTHON"
	GluePython2    GlueType = "GLUE_PYTHON2"
	GlueNodeJS     GlueType = "GLUE_NODEJS"
	GluePowerShell GlueType = "GLUE_POWERSHELL"
	GluePHP        GlueType = "GLUE_PHP"
)

// GlueTypes lists the GLUE types in upstream's display order.
var GlueTypes = []GlueType{GlueBean, GlueGroovy, GlueShell, GluePython, GluePython2, GlueNodeJS, GluePowerShell, GluePHP}

// Valid reports whether g is a known GLUE type.
func (g GlueType) Valid() bool { return contains(GlueTypes, g) }

// IsScript reports whether g is run as a script file by the executor.
func (g GlueType) IsScript() bool {
	switch g {
	case GlueShell, GluePython, GluePython2, GlueNodeJS, GluePowerShell, GluePHP:
		return true
	}
	return false
}

// Title is the fixed (not translated) display name of g.
func (g GlueType) Title() string {
	switch g {
	case GlueBean:
		return "BEAN"
	case GlueGroovy:
		return "GLUE(Java)"
	case GlueShell:
		return "GLUE(Shell)"
	case GluePython:
		return "GLUE(Python3)"
	case GluePython2:
		return "GLUE(Python2)"
	case GlueNodeJS:
		return "GLUE(Nodejs)"
	case GluePowerShell:
		return "GLUE(PowerShell)"
	case GluePHP:
		return "GLUE(PHP)"
	}
	return string(g)
}

// TriggerType says why a job was triggered; only its title is stored, inside trigger_msg.
type TriggerType string

// Trigger types.
const (
	TriggerManual  TriggerType = "MANUAL"
	TriggerCron    TriggerType = "CRON"
	TriggerRetry   TriggerType = "RETRY"
	TriggerParent  TriggerType = "PARENT"
	TriggerAPI     TriggerType = "API"
	TriggerMisfire TriggerType = "MISFIRE"
)

// MessageID returns the i18n key of t's title.
func (t TriggerType) MessageID() string { return "jobconf_trigger_type_" + strings.ToLower(string(t)) }

// TriggerStatus is xxl_job_info.trigger_status.
type TriggerStatus int

// Trigger statuses.
const (
	TriggerStopped TriggerStatus = 0
	TriggerRunning TriggerStatus = 1
)

// AddressType is xxl_job_group.address_type.
type AddressType int

// Address types.
const (
	AddressAuto   AddressType = 0
	AddressManual AddressType = 1
)

// MessageID returns the i18n key of t's title.
func (t AddressType) MessageID() string {
	if t == AddressManual {
		return "jobgroup_field_addressType_1"
	}
	return "jobgroup_field_addressType_0"
}

// AlarmStatus is xxl_job_log.alarm_status.
type AlarmStatus int

// Alarm statuses. AlarmLocked marks a log claimed by a fail monitor.
const (
	AlarmLocked  AlarmStatus = -1
	AlarmDefault AlarmStatus = 0
	AlarmNoNeed  AlarmStatus = 1
	AlarmSuccess AlarmStatus = 2
	AlarmFailed  AlarmStatus = 3
)

// Result codes used for trigger_code and handle_code. Executors may report
// any other code; everything but 0 and 200 counts as a failure.
const (
	CodeNone    = 0
	CodeSuccess = 200
	CodeFail    = 500
	CodeTimeout = 502
)

// RegistryGroup is xxl_job_registry.registry_group.
type RegistryGroup string

// Registry groups.
const (
	RegistryExecutor RegistryGroup = "EXECUTOR"
	RegistryAdmin    RegistryGroup = "ADMIN"
)

// Role is xxl_job_user.role.
type Role int

// Roles.
const (
	RoleUser  Role = 0
	RoleAdmin Role = 1
)

func contains[T comparable](list []T, v T) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
