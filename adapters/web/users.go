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

// userRoutes are the user pages (admins only).
func (s *Server) userRoutes(r chi.Router) {
	r.Get("/user", s.handleUserList)
	r.Post("/user", s.handleUserCreate)
	r.Get("/user/new", s.handleUserNew)
	r.Post("/user/{id}", s.handleUserUpdate)
	r.Get("/user/{id}/edit", s.handleUserEdit)
	r.Post("/user/{id}/delete", s.handleUserDelete)
}

func (s *Server) handleUserList(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	me := userFrom(ctx)
	q := r.URL.Query()
	page, size := pageParams(r)
	f := ports.UserFilter{Username: strings.TrimSpace(q.Get("username")), Role: atoiDefault(q.Get("role"), -1),
		Offset: (page - 1) * size, Limit: size}
	if f.Role != 0 && f.Role != 1 {
		f.Role = -1
	}
	users, total, err := s.d.Users.FindUsers(ctx, f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	groups, err := s.d.Groups.AllGroups(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	titles := map[int64]string{}
	for _, g := range groups {
		titles[g.ID] = g.Title
	}
	filterQuery := url.Values{}
	if f.Username != "" {
		filterQuery.Set("username", f.Username)
	}
	if f.Role >= 0 {
		filterQuery.Set("role", strconv.Itoa(f.Role))
	}
	if v := q.Get("size"); v != "" { // the pager keeps the page size
		filterQuery.Set("size", v)
	}
	v := templates.UserListView{Username: f.Username, Role: q.Get("role"),
		Pager: templates.Pager{Page: page, Size: size, Total: total, Query: filterQuery.Encode(), Path: "/user", Target: "user-results"}}
	for _, u := range users {
		row := templates.UserRow{ID: u.ID, Username: u.Username, Admin: u.IsAdmin(), Self: u.ID == me.ID}
		for _, id := range u.GroupIDs() {
			if t, ok := titles[id]; ok {
				row.Groups = append(row.Groups, t)
			}
		}
		row.MustChange, _ = s.d.Login.MustChangePassword(ctx, u.ID)
		v.Rows = append(v.Rows, row)
	}
	s.page(w, r, http.StatusOK, "users", templates.UserListPage(v))
}

func userInput(r *http.Request) application.UserInput {
	_ = r.ParseForm()
	in := application.UserInput{
		Username: r.PostFormValue("username"),
		Password: r.PostFormValue("password"),
		Role:     domain.Role(atoiDefault(r.PostFormValue("role"), -1)),
	}
	for _, p := range r.PostForm["permission"] {
		if id := parseInt64(p); id > 0 {
			in.Permission = append(in.Permission, id)
		}
	}
	return in
}

func (s *Server) renderUserForm(w http.ResponseWriter, r *http.Request, status int, id int64, in application.UserInput, errs map[string]string) {
	groups, err := s.d.Groups.AllGroups(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := templates.UserFormView{ID: id, Username: in.Username, Role: strconv.Itoa(int(in.Role)),
		Permission: map[int64]bool{}, Groups: groupOptions(groups), Errors: errs}
	for _, p := range in.Permission {
		v.Permission[p] = true
	}
	s.page(w, r, status, "users", templates.UserFormPage(v))
}

func (s *Server) handleUserNew(w http.ResponseWriter, r *http.Request) {
	s.renderUserForm(w, r, http.StatusOK, 0, application.UserInput{Role: domain.RoleUser}, nil)
}

func (s *Server) handleUserCreate(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	in := userInput(r)
	_, err := s.d.UsersUC.Create(ctx, userFrom(ctx), in)
	if errs, ok := fieldErrors(ctx, err); ok {
		s.renderUserForm(w, r, http.StatusUnprocessableEntity, 0, in, errs)
		return
	} else if err != nil {
		s.fail(w, r, err)
		return
	}
	s.flash(w, r, false, "ui_flash_user_saved")
	s.redirect(w, r, "/user")
}

func (s *Server) handleUserEdit(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, err := pathID(r, chi.URLParam(r, "id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	u, err := s.d.UsersUC.Load(ctx, userFrom(ctx), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if u.ID == userFrom(ctx).ID {
		s.fail(w, r, &domain.Error{Code: domain.EINVALID, Key: "ui_err_user_self", Message: "You cannot change your own account here."})
		return
	}
	s.renderUserForm(w, r, http.StatusOK, id, application.UserInput{Username: u.Username, Role: u.Role, Permission: u.GroupIDs()}, nil)
}

func (s *Server) handleUserUpdate(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, err := pathID(r, chi.URLParam(r, "id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	in := userInput(r)
	_, err = s.d.UsersUC.Update(ctx, userFrom(ctx), id, in)
	if errs, ok := fieldErrors(ctx, err); ok {
		if old, lerr := s.d.Users.FindUserByID(ctx, id); lerr == nil {
			in.Username = old.Username
		}
		s.renderUserForm(w, r, http.StatusUnprocessableEntity, id, in, errs)
		return
	} else if err != nil {
		s.fail(w, r, err)
		return
	}
	s.flash(w, r, false, "ui_flash_user_saved")
	s.redirect(w, r, "/user")
}

func (s *Server) handleUserDelete(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, err := pathID(r, chi.URLParam(r, "id"))
	if err == nil {
		err = s.d.UsersUC.Delete(ctx, userFrom(ctx), id)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.flash(w, r, false, "ui_flash_user_deleted")
	s.redirect(w, r, "/user")
}
