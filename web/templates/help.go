package templates

import (
	"context"

	"github.com/xjob-dev/xjob/domain"
)

// helpTopic is one entry of the help page's contents: the id of its section
// and the message id of its title.
type helpTopic struct{ ID, Title string }

var helpTopics = []helpTopic{
	{"about", "ui_help_about_title"},
	{"cron", "ui_help_cron_title"},
	{"schedule", "ui_help_schedule_title"},
	{"routing", "ui_help_route_title"},
	{"blocking", "ui_help_block_title"},
	{"executors", "ui_help_exec_title"},
	{"docs", "ui_help_docs_title"},
}

// helpEntry explains one value of an enumeration: its code, the message id
// of its title (shared with the job form) and of the explanation.
type helpEntry struct{ Code, Title, Text string }

// The explanations are listed by hand, not derived from the enumerations,
// so that a new strategy without a text fails the help page's test.
var helpRoutes = []helpEntry{
	{string(domain.RouteFirst), domain.RouteFirst.MessageID(), "ui_help_route_first"},
	{string(domain.RouteLast), domain.RouteLast.MessageID(), "ui_help_route_last"},
	{string(domain.RouteRound), domain.RouteRound.MessageID(), "ui_help_route_round"},
	{string(domain.RouteRandom), domain.RouteRandom.MessageID(), "ui_help_route_random"},
	{string(domain.RouteConsistentHash), domain.RouteConsistentHash.MessageID(), "ui_help_route_consistent_hash"},
	{string(domain.RouteLeastFrequently), domain.RouteLeastFrequently.MessageID(), "ui_help_route_lfu"},
	{string(domain.RouteLeastRecently), domain.RouteLeastRecently.MessageID(), "ui_help_route_lru"},
	{string(domain.RouteFailover), domain.RouteFailover.MessageID(), "ui_help_route_failover"},
	{string(domain.RouteBusyover), domain.RouteBusyover.MessageID(), "ui_help_route_busyover"},
	{string(domain.RouteShardingBroadcast), domain.RouteShardingBroadcast.MessageID(), "ui_help_route_shard"},
}

var helpBlocks = []helpEntry{
	{string(domain.BlockSerial), domain.BlockSerial.MessageID(), "ui_help_block_serial"},
	{string(domain.BlockDiscardLater), domain.BlockDiscardLater.MessageID(), "ui_help_block_discard"},
	{string(domain.BlockCoverEarly), domain.BlockCoverEarly.MessageID(), "ui_help_block_cover"},
}

var helpSchedules = []helpEntry{
	{string(domain.ScheduleCron), domain.ScheduleCron.MessageID(), "ui_help_schedule_cron"},
	{string(domain.ScheduleFixRate), domain.ScheduleFixRate.MessageID(), "ui_help_schedule_fix_rate"},
	{string(domain.ScheduleFixDelay), domain.ScheduleFixDelay.MessageID(), "ui_help_schedule_fix_delay"},
	{string(domain.ScheduleNone), domain.ScheduleNone.MessageID(), "ui_help_schedule_none"},
}

var helpMisfires = []helpEntry{
	{string(domain.MisfireDoNothing), domain.MisfireDoNothing.MessageID(), "ui_help_misfire_do_nothing"},
	{string(domain.MisfireFireOnceNow), domain.MisfireFireOnceNow.MessageID(), "ui_help_misfire_fire_once_now"},
}

// cronField is one row of the cron syntax table. Name is a cron_field_*
// message id (locales/cron.*.toml); Values is either literal or, with
// ValuesID, a message id.
type cronField struct {
	Name, Values, ValuesID, Specials string
	Optional                         bool
}

var cronFields = []cronField{
	{Name: "cron_field_second", Values: "0-59", Specials: ", - * /"},
	{Name: "cron_field_minute", Values: "0-59", Specials: ", - * /"},
	{Name: "cron_field_hour", Values: "0-23", Specials: ", - * /"},
	{Name: "cron_field_day_of_month", Values: "1-31", Specials: ", - * / ? L W"},
	{Name: "cron_field_month", ValuesID: "ui_help_cron_month_values", Specials: ", - * /"},
	{Name: "cron_field_day_of_week", ValuesID: "ui_help_cron_dow_values", Specials: ", - * / ? L #"},
	{Name: "cron_field_year", Values: "1970-2199", Specials: ", - * /", Optional: true},
}

// cronSymbol explains one special character of cron expressions.
type cronSymbol struct{ Symbol, Text string }

var cronSymbols = []cronSymbol{
	{"*", "ui_help_cron_star"},
	{"?", "ui_help_cron_question"},
	{"a-b", "ui_help_cron_range"},
	{"a,b", "ui_help_cron_list"},
	{"a/n", "ui_help_cron_step"},
	{"L", "ui_help_cron_last"},
	{"W", "ui_help_cron_weekday"},
	{"#", "ui_help_cron_nth"},
}

// cronExample is an expression with the message id of its meaning. The
// help page's test checks that every example parses.
type cronExample struct{ Expr, Text string }

var cronExamples = []cronExample{
	{"0 0/5 * * * ?", "ui_help_cron_ex_every5"},
	{"0 30 2 * * ?", "ui_help_cron_ex_daily"},
	{"0 0 9 ? * MON-FRI", "ui_help_cron_ex_weekdays"},
	{"0 0 8,20 * * ?", "ui_help_cron_ex_twice"},
	{"0 0 0 L * ?", "ui_help_cron_ex_last_day"},
	{"0 15 10 ? * 6#3", "ui_help_cron_ex_third_friday"},
}

// CronHelpExamples returns the cron expressions the help page explains.
func CronHelpExamples() []string {
	out := make([]string, len(cronExamples))
	for i, e := range cronExamples {
		out[i] = e.Expr
	}
	return out
}

// helpDoc is a file of the docs folder with the message id of its summary.
type helpDoc struct{ Path, Text string }

var helpDocs = []helpDoc{
	{"docs/cron.md", "ui_help_docs_cron"},
	{"docs/executor.md", "ui_help_docs_executor"},
	{"docs/protocol.md", "ui_help_docs_protocol"},
	{"docs/scheduler.md", "ui_help_docs_scheduler"},
	{"docs/storage.md", "ui_help_docs_storage"},
	{"docs/alarms.md", "ui_help_docs_alarms"},
	{"docs/ui.md", "ui_help_docs_ui"},
}

// The executor configuration examples. The token is a placeholder in the
// reader's language: the console never knows nor shows the real one.

func snippetJava3(ctx context.Context, admin string) string {
	return "xxl.job.admin.addresses=" + admin + "\n" +
		"xxl.job.admin.accessToken=" + T(ctx, "ui_help_exec_token_placeholder") + "\n" +
		"xxl.job.executor.appname=demo-executor\n" +
		"xxl.job.executor.port=9999\n"
}

func snippetJava2(ctx context.Context, admin string) string {
	return "xxl.job.admin.addresses=" + admin + "\n" +
		"xxl.job.accessToken=" + T(ctx, "ui_help_exec_token_placeholder") + "\n" +
		"xxl.job.executor.appname=demo-executor\n" +
		"xxl.job.executor.port=9999\n"
}

func snippetXjobExecutor(ctx context.Context, admin string) string {
	return "export XJOB_EXECUTOR_ACCESS_TOKEN='" + T(ctx, "ui_help_exec_token_placeholder") + "'\n" +
		"xjob executor --admin-addresses " + admin + " \\\n" +
		"  --app-name demo-executor --port 9999 \\\n" +
		"  --command 'backupDb=/usr/local/bin/backup-db --compress'\n"
}

func snippetGo(admin string) string {
	return "ex, err := executor.New(executor.Options{\n" +
		"\tAdminAddresses: []string{\"" + admin + "\"},\n" +
		"\tAccessToken:    os.Getenv(\"XJOB_ACCESS_TOKEN\"),\n" +
		"\tAppName:        \"demo-executor\",\n" +
		"\tPort:           9999,\n" +
		"})\n"
}
