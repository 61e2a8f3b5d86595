package web

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/xjob-dev/xjob/adapters/i18n"
	"github.com/xjob-dev/xjob/application"
	"github.com/xjob-dev/xjob/domain"
	"github.com/xjob-dev/xjob/ports"
	"github.com/xjob-dev/xjob/web/templates"
)

// maxLogReadFailures stops the rolling log after this many failed reads in a row.
const maxLogReadFailures = 20

func (s *Server) logRoutes(r chi.Router) {
	r.Get("/joblog", s.handleLogList)
	r.Get("/joblog/clear", s.handleClearPage)
	r.Post("/joblog/clear", s.handleClear)
	r.Get("/joblog/{id}", s.handleLogDetail)
	r.Get("/joblog/{id}/cat", s.handleLogCat)
	r.Post("/joblog/{id}/kill", s.handleLogKill)
}

const datetimeLocal = "2006-01-02T15:04:05"

func (s *Server) parseLocal(v string) (time.Time, bool) {
	for _, layout := range []string{datetimeLocal, "2006-01-02T15:04", time.DateTime} {
		if t, err := time.ParseInLocation(layout, v, s.opts.Location); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// jobOptions lists the jobs of a group (or of all permitted groups) for the
// job selects.
func (s *Server) jobOptions(ctx context.Context, u *domain.User, groupID int64, groups []*domain.Group) ([]templates.Option, map[int64]string, error) {
	f := ports.JobFilter{GroupID: groupID, TriggerStatus: -1, Limit: 1000}
	if groupID == 0 && !u.IsAdmin() {
		f.GroupIDs = groupIDs(groups)
		if len(f.GroupIDs) == 0 {
			return nil, map[int64]string{}, nil
		}
	}
	jobs, _, err := s.d.Jobs.FindJobs(ctx, f)
	if err != nil {
		return nil, nil, err
	}
	opts := make([]templates.Option, 0, len(jobs))
	names := map[int64]string{}
	for _, j := range jobs {
		opts = append(opts, templates.Option{Value: strconv.FormatInt(j.ID, 10), Label: "#" + strconv.FormatInt(j.ID, 10) + " " + j.Desc})
		names[j.ID] = j.Desc
	}
	return opts, names, nil
}

func (s *Server) logRow(l *domain.JobLog, desc string) templates.LogRow {
	return templates.LogRow{
		ID: l.ID, JobID: l.JobID, JobDesc: desc, ExecutorAddress: l.ExecutorAddress,
		TriggerTime: s.formatTime(l.TriggerTime), TriggerCode: l.TriggerCode, TriggerMsg: l.TriggerMsg,
		HandleTime: s.formatTime(l.HandleTime), HandleCode: l.HandleCode, HandleMsg: l.HandleMsg,
		Status: l.Status(),
	}
}

func (s *Server) handleLogList(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u := userFrom(ctx)
	groups, err := s.permittedGroups(ctx, u)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	page, size := logPageParams(r)
	f := ports.LogFilter{
		GroupID:  parseInt64(q.Get("jobGroup")),
		JobID:    parseInt64(q.Get("jobId")),
		Status:   domain.LogStatus(atoiDefault(q.Get("logStatus"), -1)),
		Limit:    size,
		BeforeID: max(parseInt64(q.Get("before")), 0),
	}
	if f.BeforeID == 0 {
		f.AfterID = max(parseInt64(q.Get("after")), 0)
	}
	if f.Status != domain.LogStatusSuccess && f.Status != domain.LogStatusFail && f.Status != domain.LogStatusRunning {
		f.Status = domain.LogStatusAll
	}
	if f.GroupID > 0 && !u.CanAccessGroup(f.GroupID) {
		s.fail(w, r, &domain.Error{Code: domain.EFORBIDDEN, Key: "ui_err_permission", Message: "No permission for this group."})
		return
	}
	if f.GroupID < 0 {
		f.GroupID = 0
	}
	if f.JobID > 0 {
		// The job's stored group decides, whatever group was asked for.
		if _, err := s.d.JobsUC.Load(ctx, u, f.JobID); err != nil {
			s.fail(w, r, err)
			return
		}
	} else {
		f.JobID = 0
	}
	if !u.IsAdmin() {
		f.GroupIDs = groupIDs(groups)
	}
	from, to := q.Get("from"), q.Get("to")
	if t, ok := s.parseLocal(from); ok {
		f.From = t
	} else if from == "" && q.Get("range") != "all" {
		y, m, d := s.d.Clock.Now().In(s.opts.Location).Date()
		f.From = time.Date(y, m, d, 0, 0, 0, 0, s.opts.Location).AddDate(0, 0, -6)
		from = f.From.Format(datetimeLocal)
	}
	if t, ok := s.parseLocal(to); ok {
		f.To = t
	}
	var res ports.LogPage
	if u.IsAdmin() || len(groups) > 0 {
		if res, page, err = s.findLogPage(ctx, &f, page); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	logs := res.Logs
	jobs, names, err := s.jobOptions(ctx, u, f.GroupID, groups)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	missing := []int64{}
	for _, l := range logs {
		if _, ok := names[l.JobID]; !ok {
			missing = append(missing, l.JobID)
		}
	}
	if len(missing) > 0 {
		if found, err := s.d.Jobs.FindJobsByIDs(ctx, missing); err == nil {
			for _, j := range found {
				names[j.ID] = j.Desc
			}
		}
	}
	filterQuery := url.Values{}
	for k, v := range map[string]string{"jobGroup": q.Get("jobGroup"), "jobId": q.Get("jobId"), "logStatus": q.Get("logStatus"), "from": from, "to": to, "size": q.Get("size"), "range": q.Get("range")} {
		if v != "" {
			filterQuery.Set(k, v)
		}
	}
	v := templates.LogListView{
		Groups: append([]templates.Option{{Value: "0", Label: i18n.T(ctx, "ui_all")}}, groupOptions(groups)...),
		Jobs:   jobs,
		Filter: templates.LogFilterView{GroupID: strconv.FormatInt(f.GroupID, 10), JobID: strconv.FormatInt(f.JobID, 10),
			Status: strconv.Itoa(int(f.Status)), From: from, To: to},
		Pager: templates.LogPager{Page: page, Size: size, Total: res.Total, TotalCapped: res.TotalCapped,
			Older: res.Older, Newer: res.Newer, Query: filterQuery.Encode(), Path: "/joblog", Target: "log-results"},
		// Fewer logs than a page and a link on in the paging direction:
		// the store searched part of the log only (LogPage).
		Partial: len(logs) < size && ((f.AfterID == 0 && res.Older != 0) || (f.AfterID > 0 && res.Newer != 0)),
	}
	v.ReturnTo = s.base + "/joblog?" + logPageQuery(filterQuery, f, page)
	for _, l := range logs {
		v.Rows = append(v.Rows, s.logRow(l, names[l.JobID]))
	}
	if isFragment(r) && hxTarget(r) == "log-results" {
		s.fragment(w, r, http.StatusOK, templates.LogResults(v))
		return
	}
	s.page(w, r, http.StatusOK, "logs", templates.LogListPage(v))
}

// logPageParams reads the log list's page number and size. The page number
// only labels a page reached by cursor (before/after): without one the list
// starts at page 1, the newest logs.
func logPageParams(r *http.Request) (page, size int) {
	page, size = pageParams(r)
	q := r.URL.Query()
	switch {
	case parseInt64(q.Get("before")) > 0:
		page = max(page, 2)
	case parseInt64(q.Get("after")) <= 0:
		page = 1
	}
	return page, size
}

// findLogPage reads one page of the log list and returns it with its page
// number. A page of newer logs that reaches the newest ones is shown as the
// first page, as it is now (f then no longer pages).
func (s *Server) findLogPage(ctx context.Context, f *ports.LogFilter, page int) (ports.LogPage, int, error) {
	res, err := s.d.Logs.FindLogs(ctx, *f)
	if err != nil || f.AfterID == 0 {
		return res, page, err
	}
	if res.Newer == 0 {
		f.AfterID = 0
		res, err = s.d.Logs.FindLogs(ctx, *f)
		return res, 1, err
	}
	return res, max(page, 2), nil
}

// logPageQuery is the query string of the log list page f shows.
func logPageQuery(filter url.Values, f ports.LogFilter, page int) string {
	c := url.Values{}
	for k, v := range filter {
		c[k] = v
	}
	switch {
	case f.BeforeID > 0:
		c.Set("before", strconv.FormatInt(f.BeforeID, 10))
	case f.AfterID > 0:
		c.Set("after", strconv.FormatInt(f.AfterID, 10))
	}
	if page > 1 {
		c.Set("page", strconv.Itoa(page))
	}
	return c.Encode()
}

func (s *Server) loadLog(w http.ResponseWriter, r *http.Request) (*domain.JobLog, bool) {
	id, err := pathID(r, chi.URLParam(r, "id"))
	if err == nil {
		var l *domain.JobLog
		if l, err = s.d.JobsUC.LoadLog(r.Context(), userFrom(r.Context()), id); err == nil {
			return l, true
		}
	}
	s.fail(w, r, err)
	return nil, false
}

// readChunk reads the executor log from line `from` on. Failed reads are
// counted; after maxLogReadFailures in a row the console stops polling.
func (s *Server) readChunk(ctx context.Context, l *domain.JobLog, from, fails int) templates.LogChunkView {
	c := templates.LogChunkView{LogID: l.ID, NextLine: from, Fails: fails}
	if l.TriggerCode != domain.CodeSuccess {
		c.End = true
		if l.TriggerCode != domain.CodeNone {
			c.Error = i18n.T(ctx, "ui_log_trigger_failed")
		} else {
			c.End = false // still being triggered: poll again
		}
		return c
	}
	res, err := s.d.Reader.Read(ctx, l.ID, from)
	if err != nil {
		c.Fails++
		c.Error = errorText(ctx, err)
		if c.Fails > maxLogReadFailures || domain.ErrorCode(err) == domain.EINVALID || domain.ErrorCode(err) == domain.ENOTFOUND {
			c.End = true
			if c.Fails > maxLogReadFailures {
				c.Error = i18n.T(ctx, "ui_log_fail_often")
			}
		}
		return c
	}
	c.Fails = 0
	// ReadLog escapes the content except <br>/<b>; undo that and let the
	// template's sanitizer do the same job, so nothing is escaped twice
	// and nothing unsafe can come through either way.
	c.Content = html.UnescapeString(res.LogContent)
	if res.ToLineNum >= from {
		c.NextLine = res.ToLineNum + 1
	}
	c.End = res.IsEnd
	return c
}

func (s *Server) handleLogDetail(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	l, ok := s.loadLog(w, r)
	if !ok {
		return
	}
	desc, handler, param := "", l.ExecutorHandler, l.ExecutorParam
	if job, err := s.d.Jobs.FindJobByID(ctx, l.JobID); err == nil {
		desc = job.Desc
	}
	v := templates.LogDetailView{
		Row: s.logRow(l, desc), GroupID: l.GroupID, Chunk: s.readChunk(ctx, l, 1, 0),
		CanKill: l.Running(), Shard: l.ExecutorShardingParam, Param: param, Handler: handler, Finished: l.Finished(),
	}
	s.page(w, r, http.StatusOK, "logs", templates.LogDetailPage(v))
}

// handleLogCat returns the next piece of the rolling log plus the run's
// current status (out of band) for the detail page's poller.
func (s *Server) handleLogCat(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	l, ok := s.loadLog(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	from := atoiDefault(q.Get("from"), 1)
	if from < 1 {
		from = 1
	}
	c := s.readChunk(ctx, l, from, atoiDefault(q.Get("fails"), 0))
	s.fragment(w, r, http.StatusOK, templates.LogCatFragment(c, l.Status(), l.HandleCode, s.formatTime(l.HandleTime)))
}

func (s *Server) handleLogKill(w http.ResponseWriter, r *http.Request) {
	l, ok := s.loadLog(w, r)
	if !ok {
		return
	}
	if _, err := s.d.Killer.Kill(r.Context(), l.ID); err != nil {
		if domain.ErrorCode(err) == domain.EINVALID {
			s.flash(w, r, true, "ui_err_kill_not_running")
			s.back(w, r, "/joblog/"+strconv.FormatInt(l.ID, 10))
			return
		}
		s.fail(w, r, err)
		return
	}
	s.flash(w, r, false, "ui_flash_killed")
	s.back(w, r, "/joblog/"+strconv.FormatInt(l.ID, 10))
}

func (s *Server) clearView(ctx context.Context, u *domain.User, groupID, jobID int64, typ string) (templates.ClearLogView, error) {
	groups, err := s.permittedGroups(ctx, u)
	if err != nil {
		return templates.ClearLogView{}, err
	}
	opts := groupOptions(groups)
	if u.IsAdmin() {
		opts = append([]templates.Option{{Value: "0", Label: i18n.T(ctx, "ui_all")}}, opts...)
	} else if groupID == 0 && len(groups) > 0 {
		groupID = groups[0].ID
	}
	jobs, _, err := s.jobOptions(ctx, u, groupID, groups)
	if err != nil {
		return templates.ClearLogView{}, err
	}
	return templates.ClearLogView{Groups: opts, Jobs: jobs, GroupID: strconv.FormatInt(groupID, 10),
		JobID: strconv.FormatInt(jobID, 10), Type: typ}, nil
}

func (s *Server) handleClearPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := r.URL.Query()
	v, err := s.clearView(ctx, userFrom(ctx), parseInt64(q.Get("jobGroup")), parseInt64(q.Get("jobId")), "1")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.page(w, r, http.StatusOK, "logs", templates.ClearLogPage(v))
}

func (s *Server) handleClear(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u := userFrom(ctx)
	groupID, jobID := parseInt64(r.PostFormValue("jobGroup")), parseInt64(r.PostFormValue("jobId"))
	typ := r.PostFormValue("type")
	_, err := s.d.JobsUC.ClearLogs(ctx, u, groupID, jobID, application.ClearRule(atoiDefault(typ, 0)))
	if domain.ErrorCode(err) == domain.EINVALID {
		v, verr := s.clearView(ctx, u, groupID, jobID, typ)
		if verr != nil {
			s.fail(w, r, verr)
			return
		}
		v.Error = errorText(ctx, err)
		s.page(w, r, http.StatusUnprocessableEntity, "logs", templates.ClearLogPage(v))
		return
	} else if err != nil {
		s.fail(w, r, err)
		return
	}
	s.flash(w, r, false, "ui_flash_logs_cleared")
	s.redirect(w, r, "/joblog?jobGroup="+strconv.FormatInt(groupID, 10)+"&jobId="+strconv.FormatInt(jobID, 10))
}
