package sqlstore_test

import (
	"context"
	"testing"

	"github.com/xjob-dev/xjob/adapters/sqlstore"
	"github.com/xjob-dev/xjob/adapters/sqlstore/sqltest"
)

func TestUserFlags(t *testing.T) {
	sqltest.Engines(t, func(t *testing.T, db *sqlstore.DB) {
		f := sqlstore.NewUserFlagStore(db)
		ctx := context.Background()
		yes, no := true, false
		for _, step := range []struct {
			id   int64
			set  *bool
			want bool
		}{
			{id: 1, want: false},
			{id: 1, set: &yes, want: true},
			{id: 1, set: &yes, want: true}, // twice is fine
			{id: 2, want: false},
			{id: 1, set: &no, want: false},
			{id: 3, set: &no, want: false}, // clearing an unflagged user
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
	})
}
