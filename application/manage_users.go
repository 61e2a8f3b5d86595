package application

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xjob-dev/xjob/domain"
	"github.com/xjob-dev/xjob/ports"
)

// Password and username bounds. Upstream allows 4..20 character passwords;
// xjob asks for at least 8 and stops at bcrypt's 72-byte limit.
const (
	MinPasswordLen = 8
	MaxPasswordLen = 72
	MinUsernameLen = 4
	MaxUsernameLen = 20
)

// UserInput is a submitted user form. Password may be blank on update
// (unchanged). Permission lists group ids.
type UserInput struct {
	Username   string
	Password   string
	Role       domain.Role
	Permission []int64
}

// ManageUsers holds the decisions behind the user pages (admins only).
type ManageUsers struct {
	users  ports.UserStore
	groups ports.GroupStore
	hasher ports.PasswordHasher
	flags  PasswordFlags
}

// NewManageUsers returns the user management use case.
func NewManageUsers(users ports.UserStore, groups ports.GroupStore, hasher ports.PasswordHasher, flags PasswordFlags) *ManageUsers {
	if users == nil || groups == nil || hasher == nil || flags == nil {
		panic("application.NewManageUsers: nil dependency")
	}
	return &ManageUsers{users: users, groups: groups, hasher: hasher, flags: flags}
}

// Load returns a user for editing; ENOTFOUND for an unknown id.
func (uc *ManageUsers) Load(ctx context.Context, actor *domain.User, id int64) (*domain.User, error) {
	if err := requireAdmin(actor); err != nil {
		return nil, err
	}
	u, err := uc.users.FindUserByID(ctx, id)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return nil, &domain.Error{Code: domain.ENOTFOUND, Key: "ui_err_user_not_found", Message: fmt.Sprintf("User %d does not exist.", id)}
	}
	return u, err
}

// Create validates and inserts a user. The password an admin chose is
// temporary: the new user must change it at first sign-in.
func (uc *ManageUsers) Create(ctx context.Context, actor *domain.User, in UserInput) (*domain.User, error) {
	if err := requireAdmin(actor); err != nil {
		return nil, err
	}
	var fe FieldErrors
	name := strings.TrimSpace(in.Username)
	if n := utf8.RuneCountInString(name); n == 0 {
		fe.add("username", "ui_err_required", "This field is required.", nil)
	} else if n < MinUsernameLen || n > MaxUsernameLen {
		fe.add("username", "ui_err_length", "Use 4 to 20 characters.", map[string]any{"Min": MinUsernameLen, "Max": MaxUsernameLen})
	} else if strings.ContainsAny(name, " ,<>\"'&/\\") {
		fe.add("username", "ui_err_username_chars", "The username may not contain spaces, commas or markup.", nil)
	}
	checkPassword(&fe, "password", in.Password)
	perm := uc.checkRoleAndGroups(ctx, &fe, in)
	if err := fe.err(); err != nil {
		return nil, err
	}
	if _, err := uc.users.FindUserByUsername(ctx, name); err == nil {
		return nil, FieldErrors{{Field: "username", Key: "ui_err_username_taken", Message: "This username is taken."}}
	}
	hash, err := uc.hasher.Hash(strings.TrimSpace(in.Password))
	if err != nil {
		return nil, fmt.Errorf("hash password: %w", err)
	}
	u := &domain.User{Username: name, Password: hash, Role: in.Role, Permission: perm}
	if err := uc.users.CreateUser(ctx, u); err != nil {
		if domain.ErrorCode(err) == domain.ECONFLICT {
			return nil, FieldErrors{{Field: "username", Key: "ui_err_username_taken", Message: "This username is taken."}}
		}
		return nil, fmt.Errorf("create user: %w", err)
	}
	if err := uc.flags.SetMustChangePassword(ctx, u.ID, true); err != nil {
		return nil, fmt.Errorf("flag user %d: %w", u.ID, err)
	}
	return u, nil
}

// Update changes role, group permissions and, when given, the password of
// another user. Admins cannot edit their own account here (the change
// password page is for that). A new password signs the user out and must be
// changed at the next sign-in.
func (uc *ManageUsers) Update(ctx context.Context, actor *domain.User, id int64, in UserInput) (*domain.User, error) {
	u, err := uc.Load(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if u.ID == actor.ID {
		return nil, &domain.Error{Code: domain.EINVALID, Key: "ui_err_user_self", Message: "You cannot change or delete your own account here."}
	}
	var fe FieldErrors
	pw := strings.TrimSpace(in.Password)
	if pw != "" {
		checkPassword(&fe, "password", pw)
	}
	perm := uc.checkRoleAndGroups(ctx, &fe, in)
	if err := fe.err(); err != nil {
		return nil, err
	}
	u.Role, u.Permission = in.Role, perm
	if pw != "" {
		hash, err := uc.hasher.Hash(pw)
		if err != nil {
			return nil, fmt.Errorf("hash password: %w", err)
		}
		u.Password = hash
	}
	if err := uc.users.UpdateUser(ctx, u); err != nil {
		return nil, fmt.Errorf("update user %d: %w", id, err)
	}
	if pw != "" {
		if err := uc.users.UpdateUserToken(ctx, u.ID, ""); err != nil {
			return nil, fmt.Errorf("sign out user %d: %w", id, err)
		}
		if err := uc.flags.SetMustChangePassword(ctx, u.ID, true); err != nil {
			return nil, fmt.Errorf("flag user %d: %w", id, err)
		}
	}
	return u, nil
}

// Delete removes another user.
func (uc *ManageUsers) Delete(ctx context.Context, actor *domain.User, id int64) error {
	u, err := uc.Load(ctx, actor, id)
	if err != nil {
		return err
	}
	if u.ID == actor.ID {
		return &domain.Error{Code: domain.EINVALID, Key: "ui_err_user_self", Message: "You cannot change or delete your own account here."}
	}
	if err := uc.users.DeleteUser(ctx, id); err != nil {
		return fmt.Errorf("delete user %d: %w", id, err)
	}
	if err := uc.flags.SetMustChangePassword(ctx, id, false); err != nil {
		return fmt.Errorf("unflag user %d: %w", id, err)
	}
	return nil
}

func (uc *ManageUsers) checkRoleAndGroups(ctx context.Context, fe *FieldErrors, in UserInput) string {
	if in.Role != domain.RoleUser && in.Role != domain.RoleAdmin {
		fe.add("role", "ui_err_choice", "Choose a valid option.", nil)
	}
	if len(in.Permission) == 0 {
		return ""
	}
	all, err := uc.groups.AllGroups(ctx)
	if err != nil {
		fe.add("permission", "ui_err_internal", "The groups could not be checked.", nil)
		return ""
	}
	exists := map[int64]bool{}
	for _, g := range all {
		exists[g.ID] = true
	}
	seen := map[int64]bool{}
	var ids []int64
	for _, id := range in.Permission {
		if !exists[id] {
			fe.add("permission", "ui_err_group_not_found", "Executor group "+strconv.FormatInt(id, 10)+" does not exist.", nil)
			return ""
		}
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	return domain.JoinIDs(ids)
}

func checkPassword(fe *FieldErrors, field, pw string) {
	pw = strings.TrimSpace(pw)
	if pw == "" {
		fe.add(field, "ui_err_required", "This field is required.", nil)
	} else if utf8.RuneCountInString(pw) < MinPasswordLen || len(pw) > MaxPasswordLen {
		fe.add(field, "ui_err_length", "Use 8 to 72 characters.", map[string]any{"Min": MinPasswordLen, "Max": MaxPasswordLen})
	}
}
