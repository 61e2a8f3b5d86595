package web_test

import (
	"context"
	"testing"

	"github.com/xjob-dev/xjob/adapters/sqlstore"
	"github.com/xjob-dev/xjob/adapters/sqlstore/sqltest"
	"github.com/xjob-dev/xjob/adapters/web"
	"github.com/xjob-dev/xjob/application"
)

func TestUserFlags(t *testing.T) {
	check := func(t *testing.T, f application.PasswordFlags) {
		ctx := context.Background()
		for _, step := range []struct {
			id   int64
			set  *bool
			want bool
		}{
			{id: 1, want: false},
			{id: 1, set: ptr(true), want: true},
			{id: 1, set: ptr(true), want: true}, // twice is fine
			{id: 2, want: false},
			{id: 1, set: ptr(false), want: false},
			{id: 3, set: ptr(false), want: false}, // clearing an unflagged user
		} {
			if step.set != nil {
				if err := f.SetMustChangePassword(ctx, step.id, *step.set); err != nil {
					t.Fatal(err)
				}
			}
			if got, err := f.MustChangePassword(ctx, step.id); err != nil || got != step.want {
				t.Fatalf("user %d: %v, %v; want %v", step.id, got, err, step.want)
			}
		}
	}
	t.Run("memory", func(t *testing.T) { check(t, web.NewMemoryUserFlags()) })
	sqltest.Engines(t, func(t *testing.T, db *sqlstore.DB) { check(t, sqlstore.NewUserFlagStore(db)) })
}

func ptr[T any](v T) *T { return &v }
