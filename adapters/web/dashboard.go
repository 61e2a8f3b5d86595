package web

import (
	"net/http"
	"time"

	"github.com/xjob-dev/xjob/web/templates"
)

func (s *Server) handleDashboard(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	sum, err := s.d.Board.Summary(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	from, to := s.d.Board.DefaultRange()
	if t, err := time.ParseInLocation(time.DateOnly, r.URL.Query().Get("from"), s.opts.Location); err == nil {
		from = t
	}
	if t, err := time.ParseInLocation(time.DateOnly, r.URL.Query().Get("to"), s.opts.Location); err == nil {
		to = t
	}
	days, err := s.d.Board.Chart(ctx, from, to)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := templates.DashboardView{Jobs: sum.Jobs, Runs: sum.Runs, Successes: sum.Successes, Executors: sum.Executors}
	for _, d := range days {
		v.Days = append(v.Days, templates.DayView{Label: d.Day.Format("01-02"), Date: d.Day.Format(time.DateOnly),
			Success: d.Success, Fail: d.Fail, Running: d.Running})
	}
	if len(days) > 0 {
		v.From, v.To = days[0].Day.Format(time.DateOnly), days[len(days)-1].Day.Format(time.DateOnly)
	}
	if isFragment(r) && hxTarget(r) == "charts" {
		s.fragment(w, r, http.StatusOK, templates.Charts(v))
		return
	}
	s.page(w, r, http.StatusOK, "dashboard", templates.DashboardPage(v))
}
