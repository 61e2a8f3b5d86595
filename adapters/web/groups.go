package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/xjob-dev/xjob/application"
	"github.com/xjob-dev/xjob/domain"
	"github.com/xjob-dev/xjob/ports"
	"github.com/xjob-dev/xjob/web/templates"
)

// groupRoutes are the executor pages (admins only).
func (s *Server) groupRoutes(r chi.Router) {
	r.Get("/jobgroup", s.handleGroupList)
	r.Post("/jobgroup", s.handleGroupCreate)
	r.Get("/jobgroup/new", s.handleGroupNew)
	r.Post("/jobgroup/{id}", s.handleGroupUpdate)
	r.Get("/jobgroup/{id}/edit", s.handleGroupEdit)
	r.Post("/jobgroup/{id}/delete", s.handleGroupDelete)
}

func (s *Server) handleGroupList(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := r.URL.Query()
	page, size := pageParams(r)
	f := ports.GroupFilter{AppName: strings.TrimSpace(q.Get("appname")), Title: strings.TrimSpace(q.Get("title")),
		Offset: (page - 1) * size, Limit: size}
	groups, total, err := s.d.Groups.FindGroups(ctx, f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	filterQuery := url.Values{}
	if f.AppName != "" {
		filterQuery.Set("appname", f.AppName)
	}
	if f.Title != "" {
		filterQuery.Set("title", f.Title)
	}
	if v := q.Get("size"); v != "" { // the pager keeps the page size
		filterQuery.Set("size", v)
	}
	v := templates.GroupListView{AppName: f.AppName, Title: f.Title,
		Pager: templates.Pager{Page: page, Size: size, Total: total, Query: filterQuery.Encode(), Path: "/jobgroup", Target: "group-results"}}
	for _, g := range groups {
		live, err := s.d.GroupsUC.Registered(ctx, g.AppName)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		v.Rows = append(v.Rows, templates.GroupRow{ID: g.ID, AppName: g.AppName, Title: g.Title, AddressType: g.AddressType,
			Addresses: g.Addresses(), Registered: live, UpdateTime: s.formatTime(g.UpdateTime)})
	}
	s.page(w, r, http.StatusOK, "groups", templates.GroupListPage(v))
}

func groupInput(r *http.Request) application.GroupInput {
	return application.GroupInput{
		AppName:     r.PostFormValue("appname"),
		Title:       r.PostFormValue("title"),
		AddressType: domain.AddressType(atoiDefault(r.PostFormValue("addressType"), -1)),
		AddressList: r.PostFormValue("addressList"),
	}
}

func (s *Server) renderGroupForm(w http.ResponseWriter, r *http.Request, status int, id int64, in application.GroupInput, errs map[string]string) {
	v := templates.GroupFormView{ID: id, AppName: in.AppName, Title: in.Title,
		AddressType: strconv.Itoa(int(in.AddressType)), AddressList: in.AddressList, Errors: errs}
	if id != 0 && in.AppName != "" {
		live, err := s.d.GroupsUC.Registered(r.Context(), in.AppName)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		v.Registered = live
	}
	s.page(w, r, status, "groups", templates.GroupFormPage(v))
}

func (s *Server) handleGroupNew(w http.ResponseWriter, r *http.Request) {
	s.renderGroupForm(w, r, http.StatusOK, 0, application.GroupInput{AddressType: domain.AddressAuto}, nil)
}

func (s *Server) handleGroupCreate(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	in := groupInput(r)
	_, err := s.d.GroupsUC.Create(ctx, userFrom(ctx), in)
	if errs, ok := fieldErrors(ctx, err); ok {
		s.renderGroupForm(w, r, http.StatusUnprocessableEntity, 0, in, errs)
		return
	} else if err != nil {
		s.fail(w, r, err)
		return
	}
	s.flash(w, r, false, "ui_flash_group_saved")
	s.redirect(w, r, "/jobgroup")
}

func (s *Server) handleGroupEdit(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, err := pathID(r, chi.URLParam(r, "id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	g, err := s.d.GroupsUC.Load(ctx, userFrom(ctx), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	in := application.GroupInput{AppName: g.AppName, Title: g.Title, AddressType: g.AddressType, AddressList: g.AddressList}
	if g.AddressType == domain.AddressAuto {
		in.AddressList = ""
	}
	s.renderGroupForm(w, r, http.StatusOK, id, in, nil)
}

func (s *Server) handleGroupUpdate(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, err := pathID(r, chi.URLParam(r, "id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	in := groupInput(r)
	_, err = s.d.GroupsUC.Update(ctx, userFrom(ctx), id, in)
	if errs, ok := fieldErrors(ctx, err); ok {
		s.renderGroupForm(w, r, http.StatusUnprocessableEntity, id, in, errs)
		return
	} else if err != nil {
		s.fail(w, r, err)
		return
	}
	s.flash(w, r, false, "ui_flash_group_saved")
	s.redirect(w, r, "/jobgroup")
}

func (s *Server) handleGroupDelete(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, err := pathID(r, chi.URLParam(r, "id"))
	if err == nil {
		err = s.d.GroupsUC.Delete(ctx, userFrom(ctx), id)
	}
	if domain.ErrorCode(err) == domain.ECONFLICT {
		s.flashText(w, r, err)
		s.redirect(w, r, "/jobgroup")
		return
	} else if err != nil {
		s.fail(w, r, err)
		return
	}
	s.flash(w, r, false, "ui_flash_group_deleted")
	s.redirect(w, r, "/jobgroup")
}
