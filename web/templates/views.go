// Package templates renders xjob's operator console with templ. Templates
// receive view structs built by adapters/web and a context carrying the
// localizer (adapters/i18n) and the PageInfo of the request; they never
// query anything. Every value is escaped by templ; the only raw HTML comes
// out of Sanitized, whose allow-list is in sanitize.go.
package templates

import (
	"context"
	"strconv"

	"github.com/a-h/templ"

	"github.com/xjob-dev/xjob/adapters/i18n"
	"github.com/xjob-dev/xjob/domain"
)

// PageInfo is what every page needs about the request: the URL prefix
// (context path), the CSRF token, the language and the signed-in user.
type PageInfo struct {
	Base         string // context path without trailing slash ("" at the root)
	CSRF         string
	Lang         string // en, zh-CN or zh-TW
	User         *UserInfo
	Active       string // nav item: dashboard, jobs, logs, groups, users, help
	AssetVersion string // cache-busting suffix of static URLs
	Flash        *Flash
}

// UserInfo is the signed-in user as the layout shows it.
type UserInfo struct {
	ID       int64
	Username string
	Admin    bool
}

// Flash is a one-time message shown on the next page.
type Flash struct {
	Error   bool
	Message string // already localised
}

type pageKey struct{}

// WithPageInfo returns ctx carrying p for the templates.
func WithPageInfo(ctx context.Context, p PageInfo) context.Context {
	return context.WithValue(ctx, pageKey{}, p)
}

func page(ctx context.Context) PageInfo {
	p, _ := ctx.Value(pageKey{}).(PageInfo)
	return p
}

// Path prefixes an absolute application path with the context path.
func Path(ctx context.Context, p string) string { return page(ctx).Base + p }

// URL is Path as a templ.SafeURL for href/action attributes. Paths built
// here are always relative to the site, never user-supplied schemes.
func URL(ctx context.Context, p string) templ.SafeURL { return templ.SafeURL(Path(ctx, p)) }

func staticURL(ctx context.Context, name string) string {
	return Path(ctx, "/static/"+name+"?v="+page(ctx).AssetVersion)
}

// T translates a message id in the request's language.
func T(ctx context.Context, id string) string { return i18n.T(ctx, id, nil) }

// Tf translates a message id with template data.
func Tf(ctx context.Context, id string, data map[string]any) string { return i18n.T(ctx, id, data) }

func itoa(n int) string  { return strconv.Itoa(n) }
func i64(n int64) string { return strconv.FormatInt(n, 10) }
func csrfHeaders(ctx context.Context) string {
	return `{"X-CSRF-Token":"` + page(ctx).CSRF + `"}`
}

// JobRowID is the DOM id of a job's row; handlers and templates share it.
func JobRowID(id int64) string { return "job-" + i64(id) }

// Option is one entry of a select.
type Option struct {
	Value string
	Label string
}

// Pager describes one page of a list.
type Pager struct {
	Page, Size, Total int
	// Query is the list's filter query string without page (e.g.
	// "jobGroup=1&author=x"); page links append &page=N.
	Query string
	Path  string // the list path, e.g. /jobinfo
	// Target is the id of the element the htmx links update.
	Target string
}

// Pages is the number of pages.
func (p Pager) Pages() int {
	if p.Size <= 0 {
		return 1
	}
	n := (p.Total + p.Size - 1) / p.Size
	if n < 1 {
		n = 1
	}
	return n
}

func (p Pager) link(ctx context.Context, page int) string {
	q := p.Query
	if q != "" {
		q += "&"
	}
	return Path(ctx, p.Path) + "?" + q + "page=" + itoa(page)
}

// DashboardView is the dashboard page.
type DashboardView struct {
	Jobs, Runs, Successes, Executors int
	From, To                         string // yyyy-mm-dd
	Days                             []DayView
	Error                            string
}

// DayView is one day of the run chart.
type DayView struct {
	Label                  string // MM-DD
	Date                   string // yyyy-mm-dd
	Success, Fail, Running int
}

// LoginView is the sign-in page.
type LoginView struct {
	Username string
	Remember bool
	Error    string
	Next     string
}

// PasswordView is the change-password page.
type PasswordView struct {
	Forced bool
	Errors map[string]string
}

// JobFilterView holds the job list's filter values.
type JobFilterView struct {
	GroupID       string
	TriggerStatus string // "", "0", "1"
	Desc          string
	Handler       string
	Author        string
}

// JobRow is one row of the job list.
type JobRow struct {
	ID           int64
	GroupID      int64
	GroupTitle   string
	Desc         string
	ScheduleType domain.ScheduleType
	ScheduleConf string
	TimeZone     string
	Handler      string
	GlueType     domain.GlueType
	Author       string
	Running      bool
	NextTime     string
	ChildJobIDs  string
}

// JobListView is the job list page.
type JobListView struct {
	Groups   []Option
	Filter   JobFilterView
	Rows     []JobRow
	Pager    Pager
	ReturnTo string // the list URL actions come back to
}

// JobFormView is the add/edit/copy job form.
type JobFormView struct {
	Mode   string // new, edit, copy
	ID     int64  // edit only
	Values JobFormValues
	Errors map[string]string
	Groups []Option
	Next   NextTimesView
}

// JobFormValues are the form's field values as strings.
type JobFormValues struct {
	JobGroup, JobDesc, Author, AlarmEmail                         string
	ScheduleType, ScheduleConf, TimeZone, MisfireStrategy         string
	ExecutorRouteStrategy, ChildJobID, ExecutorHandler            string
	ExecutorParam, ExecutorBlockStrategy                          string
	ExecutorTimeout, ExecutorFailRetryCount, GlueType, GlueRemark string
	TriggerRunning                                                bool
}

// NextTimesView is the live preview of the next fire times.
type NextTimesView struct {
	Times []string
	Zone  string
	Error string
	Empty bool // schedule type NONE or nothing typed yet
	// FixDelay marks a FIX_DELAY schedule, whose real fire times depend on
	// when each run finishes.
	FixDelay bool
}

// RunView is the "run once" form.
type RunView struct {
	JobID       int64
	JobDesc     string
	Param       string
	AddressList string
	Registered  []string
	Errors      map[string]string
}

// GlueView is the GLUE editor.
type GlueView struct {
	JobID    int64
	JobDesc  string
	GlueType domain.GlueType
	Source   string
	Remark   string
	Updated  string
	Versions []GlueVersionView
	Errors   map[string]string
}

// GlueVersionView is one saved version.
type GlueVersionView struct {
	ID      int64
	Remark  string
	Updated string
	Source  string
}

// LogFilterView holds the log list's filter values.
type LogFilterView struct {
	GroupID string
	JobID   string
	Status  string // -1, 1, 2, 3
	From    string // yyyy-mm-ddThh:mm (datetime-local)
	To      string
}

// LogRow is one row of the log list.
type LogRow struct {
	ID              int64
	JobID           int64
	JobDesc         string
	ExecutorAddress string
	TriggerTime     string
	TriggerCode     int
	TriggerMsg      string // stored HTML; rendered through Sanitized
	HandleTime      string
	HandleCode      int
	HandleMsg       string // stored HTML; rendered through Sanitized
	Status          domain.LogStatus
}

// LogListView is the log list page.
type LogListView struct {
	Groups []Option
	Jobs   []Option
	Filter LogFilterView
	Rows   []LogRow
	Pager  LogPager
	// Partial: the page searched a limited stretch of the log and holds
	// fewer rows than a page does; its links search on.
	Partial  bool
	ReturnTo string
}

// LogDetailView is the rolling log page.
type LogDetailView struct {
	Row      LogRow
	GroupID  int64
	Chunk    LogChunkView
	CanKill  bool
	Shard    string
	Param    string
	Handler  string
	Finished bool
}

// LogChunkView is a piece of an executor log and what to poll next.
type LogChunkView struct {
	LogID    int64
	Content  string // executor log text; rendered through SanitizedLog
	NextLine int
	End      bool
	Error    string
	Fails    int
	Status   string // localised run status for the out-of-band update
}

// ClearLogView is the "clear logs" form.
type ClearLogView struct {
	Groups  []Option
	Jobs    []Option
	GroupID string
	JobID   string
	Type    string
	Error   string
}

// GroupRow is one executor group in the list.
type GroupRow struct {
	ID          int64
	AppName     string
	Title       string
	AddressType domain.AddressType
	Addresses   []string
	Registered  []string
	UpdateTime  string
}

// GroupListView is the executor list page.
type GroupListView struct {
	AppName, Title string
	Rows           []GroupRow
	Pager          Pager
}

// GroupFormView is the executor group form.
type GroupFormView struct {
	ID          int64 // 0 = new
	AppName     string
	Title       string
	AddressType string
	AddressList string
	Registered  []string
	Errors      map[string]string
}

// RegistryView lists the live executors of one group.
type RegistryView struct {
	GroupID     int64
	AppName     string
	Title       string
	AddressType domain.AddressType
	Addresses   []string
	Registered  []string
}

// UserRow is one user in the list.
type UserRow struct {
	ID         int64
	Username   string
	Admin      bool
	Groups     []string
	Self       bool
	MustChange bool
}

// UserListView is the user list page.
type UserListView struct {
	Username string
	Role     string
	Rows     []UserRow
	Pager    Pager
}

// UserFormView is the user form.
type UserFormView struct {
	ID         int64 // 0 = new
	Username   string
	Role       string
	Permission map[int64]bool
	Groups     []Option
	Errors     map[string]string
}

// ErrorView is an error page or fragment.
type ErrorView struct {
	Status  int
	Title   string
	Message string
}

// HelpView is the help page. AdminURL is the scheduling center's address as
// this request reached it (scheme, host and context path), shown in the
// executor configuration examples.
type HelpView struct {
	AdminURL string
}
