package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/xjob-dev/xjob/adapters/i18n"
	"github.com/xjob-dev/xjob/application"
	"github.com/xjob-dev/xjob/domain"
	"github.com/xjob-dev/xjob/ports"
	"github.com/xjob-dev/xjob/web/templates"
)

func (s *Server) jobRoutes(r chi.Router) {
	r.Get("/jobinfo", s.handleJobList)
	r.Post("/jobinfo", s.handleJobCreate)
	r.Get("/jobinfo/new", s.handleJobNew)
	r.Get("/jobinfo/nexttimes", s.handleNextTimes)
	r.Post("/jobinfo/{id}", s.handleJobUpdate)
	r.Get("/jobinfo/{id}/edit", s.handleJobEdit)
	r.Get("/jobinfo/{id}/copy", s.handleJobCopy)
	r.Post("/jobinfo/{id}/start", s.handleJobStart)
	r.Post("/jobinfo/{id}/stop", s.handleJobStop)
	r.Post("/jobinfo/{id}/delete", s.handleJobDelete)
	r.Get("/jobinfo/{id}/trigger", s.handleRunPage)
	r.Post("/jobinfo/{id}/trigger", s.handleRun)
	r.Get("/jobinfo/{id}/registry", s.handleJobRegistry)
	r.Get("/jobcode", s.handleGlueLegacy)
	r.Get("/jobcode/{id}", s.handleGluePage)
	r.Post("/jobcode/{id}", s.handleGlueSave)
}

// permittedGroups returns the groups the user may access (all for admins).
func (s *Server) permittedGroups(ctx context.Context, u *domain.User) ([]*domain.Group, error) {
	all, err := s.d.Groups.AllGroups(ctx)
	if err != nil {
		return nil, err
	}
	if u.IsAdmin() {
		return all, nil
	}
	var out []*domain.Group
	for _, g := range all {
		if u.CanAccessGroup(g.ID) {
			out = append(out, g)
		}
	}
	return out, nil
}

func groupOptions(groups []*domain.Group) []templates.Option {
	out := make([]templates.Option, 0, len(groups))
	for _, g := range groups {
		out = append(out, templates.Option{Value: strconv.FormatInt(g.ID, 10), Label: g.Title + " (" + g.AppName + ")"})
	}
	return out
}

func groupIDs(groups []*domain.Group) []int64 {
	out := make([]int64, 0, len(groups))
	for _, g := range groups {
		out = append(out, g.ID)
	}
	return out
}

func (s *Server) handleJobList(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u := userFrom(ctx)
	groups, err := s.permittedGroups(ctx, u)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	page, size := pageParams(r)
	f := ports.JobFilter{
		GroupID:       parseInt64(q.Get("jobGroup")),
		TriggerStatus: atoiDefault(q.Get("triggerStatus"), -1),
		Desc:          strings.TrimSpace(q.Get("jobDesc")),
		Handler:       strings.TrimSpace(q.Get("executorHandler")),
		Author:        strings.TrimSpace(q.Get("author")),
		Offset:        (page - 1) * size,
		Limit:         size,
	}
	if f.TriggerStatus != 0 && f.TriggerStatus != 1 {
		f.TriggerStatus = -1
	}
	if f.GroupID > 0 && !u.CanAccessGroup(f.GroupID) {
		s.fail(w, r, &domain.Error{Code: domain.EFORBIDDEN, Key: "ui_err_permission", Message: "No permission for this group."})
		return
	}
	if f.GroupID <= 0 {
		f.GroupID = 0
		if !u.IsAdmin() {
			f.GroupIDs = append([]int64{}, groupIDs(groups)...)
		}
	}
	var jobs []*domain.JobInfo
	total := 0
	if u.IsAdmin() || len(groups) > 0 {
		if jobs, total, err = s.d.Jobs.FindJobs(ctx, f); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	titles := map[int64]string{}
	for _, g := range groups {
		titles[g.ID] = g.Title
	}
	filterQuery := url.Values{}
	for _, k := range []string{"jobGroup", "triggerStatus", "jobDesc", "executorHandler", "author", "size"} {
		if v := q.Get(k); v != "" {
			filterQuery.Set(k, v)
		}
	}
	v := templates.JobListView{
		Groups: groupOptions(groups),
		Filter: templates.JobFilterView{GroupID: q.Get("jobGroup"), TriggerStatus: q.Get("triggerStatus"),
			Desc: f.Desc, Handler: f.Handler, Author: f.Author},
		Pager: templates.Pager{Page: page, Size: size, Total: total, Query: filterQuery.Encode(), Path: "/jobinfo", Target: "job-results"},
	}
	v.ReturnTo = s.base + "/jobinfo?" + withPage(filterQuery, page)
	for _, j := range jobs {
		v.Rows = append(v.Rows, templates.JobRow{
			ID: j.ID, GroupID: j.GroupID, GroupTitle: titles[j.GroupID], Desc: j.Desc,
			ScheduleType: j.ScheduleType, ScheduleConf: j.ScheduleConf, TimeZone: j.TimeZone,
			Handler: strings.TrimSpace(j.ExecutorHandler), GlueType: j.GlueType, Author: j.Author,
			Running: j.TriggerStatus == domain.TriggerRunning, NextTime: s.formatMillis(j.TriggerNextTime),
			ChildJobIDs: j.ChildJobIDs,
		})
	}
	if isFragment(r) && hxTarget(r) == "job-results" {
		s.fragment(w, r, http.StatusOK, templates.JobResults(v))
		return
	}
	s.page(w, r, http.StatusOK, "jobs", templates.JobListPage(v))
}

func withPage(q url.Values, page int) string {
	c := url.Values{}
	for k, v := range q {
		c[k] = v
	}
	c.Set("page", strconv.Itoa(page))
	return c.Encode()
}

// jobInput reads the job form.
func jobInput(r *http.Request) application.JobInput {
	f := func(k string) string { return r.PostFormValue(k) }
	return application.JobInput{
		GroupID:                parseInt64(f("jobGroup")),
		Desc:                   f("jobDesc"),
		Author:                 f("author"),
		AlarmEmail:             f("alarmEmail"),
		ScheduleType:           domain.ScheduleType(f("scheduleType")),
		ScheduleConf:           f("scheduleConf"),
		TimeZone:               f("timeZone"),
		MisfireStrategy:        domain.MisfireStrategy(f("misfireStrategy")),
		RouteStrategy:          domain.RouteStrategy(f("executorRouteStrategy")),
		ExecutorHandler:        f("executorHandler"),
		ExecutorParam:          f("executorParam"),
		BlockStrategy:          domain.BlockStrategy(f("executorBlockStrategy")),
		ExecutorTimeout:        f("executorTimeout"),
		ExecutorFailRetryCount: f("executorFailRetryCount"),
		ChildJobIDs:            f("childJobId"),
		GlueType:               domain.GlueType(f("glueType")),
		GlueRemark:             f("glueRemark"),
	}
}

func formValues(in application.JobInput) templates.JobFormValues {
	group := ""
	if in.GroupID > 0 {
		group = strconv.FormatInt(in.GroupID, 10)
	}
	return templates.JobFormValues{
		JobGroup: group, JobDesc: in.Desc, Author: in.Author, AlarmEmail: in.AlarmEmail,
		ScheduleType: string(in.ScheduleType), ScheduleConf: in.ScheduleConf, TimeZone: in.TimeZone,
		MisfireStrategy: string(in.MisfireStrategy), ExecutorRouteStrategy: string(in.RouteStrategy),
		ChildJobID: in.ChildJobIDs, ExecutorHandler: in.ExecutorHandler, ExecutorParam: in.ExecutorParam,
		ExecutorBlockStrategy: string(in.BlockStrategy), ExecutorTimeout: in.ExecutorTimeout,
		ExecutorFailRetryCount: in.ExecutorFailRetryCount, GlueType: string(in.GlueType), GlueRemark: in.GlueRemark,
	}
}

// renderJobForm renders the job form with the preview of next fire times.
func (s *Server) renderJobForm(w http.ResponseWriter, r *http.Request, status int, mode string, id int64, in application.JobInput, errs map[string]string) {
	groups, err := s.permittedGroups(r.Context(), userFrom(r.Context()))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := templates.JobFormView{Mode: mode, ID: id, Values: formValues(in), Errors: errs, Groups: groupOptions(groups),
		Next: s.nextTimes(r.Context(), in.ScheduleType, in.ScheduleConf, in.TimeZone)}
	s.page(w, r, status, "jobs", templates.JobFormPage(v))
}

func (s *Server) handleJobNew(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u := userFrom(ctx)
	in := application.JobInput{
		Author: u.Username, ScheduleType: domain.ScheduleCron, MisfireStrategy: domain.MisfireDoNothing,
		RouteStrategy: domain.RouteFirst, BlockStrategy: domain.BlockSerial, GlueType: domain.GlueBean,
		ExecutorTimeout: "0", ExecutorFailRetryCount: "0", GlueRemark: i18n.T(ctx, "ui_glue_init_remark"),
	}
	if groups, err := s.permittedGroups(ctx, u); err == nil && len(groups) > 0 {
		in.GroupID = groups[0].ID
		if g := parseInt64(r.URL.Query().Get("jobGroup")); g > 0 && u.CanAccessGroup(g) {
			in.GroupID = g
		}
	}
	s.renderJobForm(w, r, http.StatusOK, "new", 0, in, nil)
}

func (s *Server) handleJobCreate(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	in := jobInput(r)
	mode, copyFrom := "new", parseInt64(r.PostFormValue("copyFrom"))
	if copyFrom > 0 {
		// A copy takes the GLUE source of the job it copies, when the
		// operator may read that job and kept its GLUE type.
		mode = "copy"
		if src, err := s.d.JobsUC.Load(ctx, userFrom(ctx), copyFrom); err == nil && src.GlueType == in.GlueType {
			in.GlueSource = src.GlueSource
		}
	}
	job, err := s.d.JobsUC.Create(ctx, userFrom(ctx), in)
	if errs, ok := fieldErrors(ctx, err); ok {
		s.renderJobForm(w, r, http.StatusUnprocessableEntity, mode, copyFrom, in, errs)
		return
	} else if err != nil {
		s.fail(w, r, err)
		return
	}
	s.flash(w, r, false, "ui_flash_job_created")
	s.redirect(w, r, "/jobinfo?jobGroup="+strconv.FormatInt(job.GroupID, 10))
}

func (s *Server) loadJob(w http.ResponseWriter, r *http.Request) (*domain.JobInfo, bool) {
	id, err := pathID(r, chi.URLParam(r, "id"))
	if err == nil {
		var job *domain.JobInfo
		if job, err = s.d.JobsUC.Load(r.Context(), userFrom(r.Context()), id); err == nil {
			return job, true
		}
	}
	s.fail(w, r, err)
	return nil, false
}

func (s *Server) handleJobEdit(w http.ResponseWriter, r *http.Request) {
	job, ok := s.loadJob(w, r)
	if !ok {
		return
	}
	s.renderJobForm(w, r, http.StatusOK, "edit", job.ID, application.InputFromJob(job), nil)
}

func (s *Server) handleJobCopy(w http.ResponseWriter, r *http.Request) {
	job, ok := s.loadJob(w, r)
	if !ok {
		return
	}
	in := application.InputFromJob(job)
	in.Desc = job.Desc + " " + i18n.T(r.Context(), "ui_copy_suffix")
	in.GlueRemark = i18n.T(r.Context(), "ui_glue_init_remark")
	s.renderJobForm(w, r, http.StatusOK, "copy", job.ID, in, nil)
}

func (s *Server) handleJobUpdate(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, err := pathID(r, chi.URLParam(r, "id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	in := jobInput(r)
	job, err := s.d.JobsUC.Update(ctx, userFrom(ctx), id, in)
	if errs, ok := fieldErrors(ctx, err); ok {
		s.renderJobForm(w, r, http.StatusUnprocessableEntity, "edit", id, in, errs)
		return
	} else if err != nil {
		s.fail(w, r, err)
		return
	}
	s.flash(w, r, false, "ui_flash_job_saved")
	s.redirect(w, r, "/jobinfo?jobGroup="+strconv.FormatInt(job.GroupID, 10))
}

// jobAction runs start, stop or delete and returns to the list.
func (s *Server) jobAction(do func(ctx context.Context, u *domain.User, id int64) error, flashKey string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := pathID(r, chi.URLParam(r, "id"))
		if err == nil {
			err = do(r.Context(), userFrom(r.Context()), id)
		}
		if err != nil {
			if domain.ErrorCode(err) == domain.EINVALID {
				s.flashText(w, r, err)
				s.back(w, r, "/jobinfo")
				return
			}
			s.fail(w, r, err)
			return
		}
		s.flash(w, r, false, flashKey)
		s.back(w, r, "/jobinfo")
	}
}

// flashText shows a refusal (with its localised text) on the next page.
// Only errors with a console message id fit in the flash cookie; others
// fall back to a generic text.
func (s *Server) flashText(w http.ResponseWriter, r *http.Request, err error) {
	key := domain.ErrorKey(err)
	if fe, ok := application.AsFieldErrors(err); ok && len(fe) > 0 {
		key = fe[0].Key
	}
	if !flashKey.MatchString(key) {
		key = "ui_err_action_refused"
	}
	s.flash(w, r, true, key)
}

func (s *Server) handleJobStart(w http.ResponseWriter, r *http.Request) {
	s.jobAction(func(ctx context.Context, u *domain.User, id int64) error {
		_, err := s.d.JobsUC.Start(ctx, u, id)
		return err
	}, "ui_flash_job_started")(w, r)
}

func (s *Server) handleJobStop(w http.ResponseWriter, r *http.Request) {
	s.jobAction(func(ctx context.Context, u *domain.User, id int64) error {
		_, err := s.d.JobsUC.Stop(ctx, u, id)
		return err
	}, "ui_flash_job_stopped")(w, r)
}

func (s *Server) handleJobDelete(w http.ResponseWriter, r *http.Request) {
	s.jobAction(s.d.JobsUC.Delete, "ui_flash_job_deleted")(w, r)
}

// nextTimes builds the preview of the next five fire times.
func (s *Server) nextTimes(ctx context.Context, t domain.ScheduleType, conf, zone string) templates.NextTimesView {
	if t == domain.ScheduleNone || strings.TrimSpace(conf) == "" {
		return templates.NextTimesView{Empty: true}
	}
	times, err := s.d.JobsUC.NextFireTimes(t, conf, zone, 5)
	if err != nil {
		return templates.NextTimesView{Error: errorText(ctx, err)}
	}
	v := templates.NextTimesView{Zone: strings.TrimSpace(zone), FixDelay: t == domain.ScheduleFixDelay}
	if v.Zone == "" {
		v.Zone = s.opts.Location.String()
	}
	for _, t := range times {
		v.Times = append(v.Times, t.Format("2006-01-02 15:04:05 MST"))
	}
	return v
}

func (s *Server) handleNextTimes(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	v := s.nextTimes(r.Context(), domain.ScheduleType(q.Get("scheduleType")), q.Get("scheduleConf"), q.Get("timeZone"))
	s.fragment(w, r, http.StatusOK, templates.NextTimes(v))
}

func (s *Server) runView(ctx context.Context, job *domain.JobInfo) templates.RunView {
	v := templates.RunView{JobID: job.ID, JobDesc: job.Desc, Param: job.ExecutorParam}
	if g, err := s.d.Groups.FindGroupByID(ctx, job.GroupID); err == nil {
		v.Registered = g.Addresses()
	}
	return v
}

func (s *Server) handleRunPage(w http.ResponseWriter, r *http.Request) {
	job, ok := s.loadJob(w, r)
	if !ok {
		return
	}
	s.page(w, r, http.StatusOK, "jobs", templates.RunPage(s.runView(r.Context(), job)))
}

// handleRun triggers the job once (manual trigger) with the given
// parameter and optional addresses, then shows its logs.
func (s *Server) handleRun(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, err := pathID(r, chi.URLParam(r, "id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	param := r.PostFormValue("executorParam")
	job, list, err := s.d.JobsUC.PrepareRun(ctx, userFrom(ctx), id, r.PostFormValue("addressList"))
	if errs, ok := fieldErrors(ctx, err); ok {
		j, lerr := s.d.JobsUC.Load(ctx, userFrom(ctx), id)
		if lerr != nil {
			s.fail(w, r, lerr)
			return
		}
		v := s.runView(ctx, j)
		v.Param, v.AddressList, v.Errors = param, r.PostFormValue("addressList"), errs
		s.page(w, r, http.StatusUnprocessableEntity, "jobs", templates.RunPage(v))
		return
	} else if err != nil {
		s.fail(w, r, err)
		return
	}
	req := application.NewTriggerRequest(job.ID, domain.TriggerManual)
	req.ExecutorParam = &param
	req.AddressList = list
	if err := s.d.Trigger.Trigger(ctx, req); err != nil {
		s.fail(w, r, err)
		return
	}
	s.flash(w, r, false, "ui_flash_triggered")
	s.redirect(w, r, "/joblog?jobGroup="+strconv.FormatInt(job.GroupID, 10)+"&jobId="+strconv.FormatInt(job.ID, 10))
}

func (s *Server) handleJobRegistry(w http.ResponseWriter, r *http.Request) {
	job, ok := s.loadJob(w, r)
	if !ok {
		return
	}
	g, err := s.d.Groups.FindGroupByID(r.Context(), job.GroupID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	live, err := s.d.GroupsUC.Registered(r.Context(), g.AppName)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.page(w, r, http.StatusOK, "jobs", templates.RegistryPage(templates.RegistryView{
		GroupID: g.ID, AppName: g.AppName, Title: g.Title, AddressType: g.AddressType,
		Addresses: g.Addresses(), Registered: live,
	}))
}

// handleGlueLegacy serves upstream's /jobcode?jobId=N.
func (s *Server) handleGlueLegacy(w http.ResponseWriter, r *http.Request) {
	id := parseInt64(r.URL.Query().Get("jobId"))
	s.redirect(w, r, "/jobcode/"+strconv.FormatInt(id, 10))
}

func (s *Server) glueView(ctx context.Context, job *domain.JobInfo, versions []*domain.LogGlue) templates.GlueView {
	v := templates.GlueView{JobID: job.ID, JobDesc: job.Desc, GlueType: job.GlueType, Source: job.GlueSource,
		Updated: s.formatTime(job.GlueUpdatetime)}
	for _, g := range versions {
		v.Versions = append(v.Versions, templates.GlueVersionView{ID: g.ID, Remark: g.GlueRemark, Updated: s.formatTime(g.UpdateTime), Source: g.GlueSource})
	}
	return v
}

func (s *Server) handleGluePage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, err := pathID(r, chi.URLParam(r, "id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	job, versions, err := s.d.JobsUC.GlueVersions(ctx, userFrom(ctx), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.page(w, r, http.StatusOK, "jobs", templates.GluePage(s.glueView(ctx, job, versions)))
}

func (s *Server) handleGlueSave(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, err := pathID(r, chi.URLParam(r, "id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	source, remark := r.PostFormValue("glueSource"), r.PostFormValue("glueRemark")
	_, err = s.d.JobsUC.SaveGlue(ctx, userFrom(ctx), id, source, remark)
	if errs, ok := fieldErrors(ctx, err); ok {
		job, versions, lerr := s.d.JobsUC.GlueVersions(ctx, userFrom(ctx), id)
		if lerr != nil {
			s.fail(w, r, lerr)
			return
		}
		v := s.glueView(ctx, job, versions)
		v.Source, v.Remark, v.Errors = source, remark, errs
		s.page(w, r, http.StatusUnprocessableEntity, "jobs", templates.GluePage(v))
		return
	} else if err != nil {
		s.fail(w, r, err)
		return
	}
	s.flash(w, r, false, "ui_flash_glue_saved")
	s.redirect(w, r, "/jobcode/"+strconv.FormatInt(id, 10))
}
