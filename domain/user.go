package domain

import (
	"strconv"
	"strings"
)

// User is an operator account (xxl_job_user).
type User struct {
	ID         int64
	Username   string
	Password   string // hash: bcrypt, or a legacy MD5/SHA-256 hex from an adopted database
	Token      string // current login signature (3.x column; empty on 2.4 schemas)
	Role       Role
	Permission string // comma separated group ids
}

// IsAdmin reports whether the user has the admin role.
func (u *User) IsAdmin() bool { return u.Role == RoleAdmin }

// GroupIDs parses Permission, ignoring malformed entries.
func (u *User) GroupIDs() []int64 {
	var out []int64
	for _, s := range splitList(u.Permission) {
		if id, err := strconv.ParseInt(s, 10, 64); err == nil {
			out = append(out, id)
		}
	}
	return out
}

// CanAccessGroup reports whether the user may see and change the group's
// jobs and logs: admins may access every group.
func (u *User) CanAccessGroup(groupID int64) bool {
	if u.IsAdmin() {
		return true
	}
	for _, id := range u.GroupIDs() {
		if id == groupID {
			return true
		}
	}
	return false
}

// JoinIDs renders ids as a comma separated list.
func JoinIDs(ids []int64) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(s, ",")
}
