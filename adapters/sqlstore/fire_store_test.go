package sqlstore_test

import (
	"context"
	"testing"

	"github.com/xjob-dev/xjob/adapters/sqlstore"
	"github.com/xjob-dev/xjob/adapters/sqlstore/sqltest"
	"github.com/xjob-dev/xjob/domain"
	"github.com/xjob-dev/xjob/ports"
)

// recordFires records fires in a schedule-lock transaction, as a scan does.
func recordFires(t *testing.T, db *sqlstore.DB, fires ...ports.Fire) []ports.Fire {
	t.Helper()
	var fresh []ports.Fire
	err := db.WithScheduleLock(context.Background(), func(ctx context.Context, tx ports.ScheduleTx) error {
		rec, ok := tx.(ports.FireRecorder)
		if !ok {
			t.Fatal("the schedule transaction does not record fires")
		}
		var err error
		fresh, err = rec.RecordFires(ctx, fires)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return fresh
}

func TestFireStore(t *testing.T) {
	sqltest.Engines(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		s := sqlstore.NewFireStore(db)
		pending := func(job, at int64) ports.Fire {
			return ports.Fire{JobID: job, FireTime: at, Type: domain.TriggerCron, State: ports.FirePending,
				Node: "a", LeaseUntil: at + 2000, UpdatedAt: 1}
		}

		t.Run("RecordOnce", func(t *testing.T) {
			fresh := recordFires(t, db, pending(1, 1000), pending(1, 2000), pending(2, 1000), pending(1, 1000))
			if len(fresh) != 3 {
				t.Fatalf("recorded %d, want 3 (one listed twice)", len(fresh))
			}
			again := recordFires(t, db, pending(1, 2000), pending(1, 3000))
			if len(again) != 1 || again[0].FireTime != 3000 {
				t.Fatalf("re-record returned %+v, want only the new instant", again)
			}
		})

		t.Run("RollbackForgets", func(t *testing.T) {
			err := db.WithScheduleLock(ctx, func(ctx context.Context, tx ports.ScheduleTx) error {
				if _, err := tx.(ports.FireRecorder).RecordFires(ctx, []ports.Fire{pending(9, 1000)}); err != nil {
					return err
				}
				return domain.Errorf(domain.EINTERNAL, "scan failed")
			})
			if err == nil {
				t.Fatal("want the scan's error")
			}
			if fresh := recordFires(t, db, pending(9, 1000)); len(fresh) != 1 {
				t.Fatal("a fire recorded in a rolled back scan survived")
			}
		})

		t.Run("MoveIsCompareAndSet", func(t *testing.T) {
			to := pending(1, 1000)
			to.State, to.Node, to.LeaseUntil, to.UpdatedAt = ports.FireClaimed, "b", 99_000, 5
			if won, err := s.MoveFire(ctx, ports.FirePending, "a", to); err != nil || !won {
				t.Fatalf("claim = %v, %v", won, err)
			}
			to.Node = "c"
			if won, _ := s.MoveFire(ctx, ports.FirePending, "a", to); won {
				t.Fatal("a second claim from the same state won")
			}
			done := to
			done.Node, done.State, done.LogID, done.Type = "b", ports.FireDelivered, 42, domain.TriggerMisfire
			if won, err := s.MoveFire(ctx, ports.FireClaimed, "c", done); err != nil || won {
				t.Fatalf("move by a node that does not own it = %v, %v", won, err)
			}
			if won, err := s.MoveFire(ctx, ports.FireClaimed, "b", done); err != nil || !won {
				t.Fatalf("deliver = %v, %v", won, err)
			}
		})

		t.Run("Expired", func(t *testing.T) {
			// (1,1000) delivered; (1,2000) lease 4000; (2,1000) lease 3000; (1,3000) lease 5000; (9,1000) lease 3000.
			got, err := s.ExpiredFires(ctx, 4500, 10)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 3 || got[0].JobID != 2 || got[1].JobID != 9 || got[2].FireTime != 2000 {
				t.Fatalf("expired %+v", got)
			}
			if got[0].State != ports.FirePending || got[0].Node != "a" || got[0].Type != domain.TriggerCron || got[0].LeaseUntil != 3000 {
				t.Fatalf("row %+v", got[0])
			}
			if got, _ := s.ExpiredFires(ctx, 4500, 1); len(got) != 1 {
				t.Fatalf("limit ignored: %d", len(got))
			}
		})

		t.Run("DeleteSettled", func(t *testing.T) {
			skip := pending(2, 1000)
			skip.State, skip.UpdatedAt = ports.FireSkipped, 10
			if won, _ := s.MoveFire(ctx, ports.FirePending, "a", skip); !won {
				t.Fatal("skip")
			}
			n, err := s.DeleteSettledFires(ctx, 8, 10)
			if err != nil || n != 1 { // the delivered (updated 5), not the skipped (updated 10)
				t.Fatalf("DeleteSettledFires = %d, %v", n, err)
			}
			if n, _ := s.DeleteSettledFires(ctx, 100, 10); n != 1 {
				t.Fatalf("second delete = %d", n)
			}
			if got, _ := s.ExpiredFires(ctx, 1<<40, 10); len(got) != 3 {
				t.Fatalf("pending fires were deleted: %+v", got)
			}
		})
	})
}

func TestFireStoreMoveFires(t *testing.T) {
	sqltest.Engines(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		s := sqlstore.NewFireStore(db)
		var fires []ports.Fire
		for job := int64(1); job <= 5; job++ {
			fires = append(fires, ports.Fire{JobID: job, FireTime: 5000, Type: domain.TriggerCron,
				State: ports.FirePending, Node: "a", LeaseUntil: 7000, UpdatedAt: 1})
		}
		recordFires(t, db, fires...)
		// Another node takes job 3's fire over first.
		stolen := fires[2]
		stolen.State, stolen.Node, stolen.UpdatedAt = ports.FireClaimed, "b", 2
		if won, err := s.MoveFire(ctx, ports.FirePending, "a", stolen); err != nil || !won {
			t.Fatalf("steal: %v %v", won, err)
		}

		to := ports.Fire{State: ports.FireClaimed, Node: "a", LeaseUntil: 9000, UpdatedAt: 3}
		moved, err := s.MoveFires(ctx, ports.FirePending, "a", fires, to)
		if err != nil {
			t.Fatal(err)
		}
		got := map[int64]ports.Fire{}
		for _, f := range moved {
			got[f.JobID] = f
		}
		if len(moved) != 4 || got[3].JobID != 0 {
			t.Fatalf("moved %+v, want jobs 1,2,4,5", moved)
		}
		if f := got[4]; f.State != ports.FireClaimed || f.Node != "a" || f.LeaseUntil != 9000 || f.Type != domain.TriggerCron {
			t.Fatalf("moved fire %+v", f)
		}

		// All of a batch moving takes the fast path; a repeat moves nothing.
		done := ports.Fire{State: ports.FireDelivered, Node: "a", UpdatedAt: 4}
		settled, err := s.MoveFires(ctx, ports.FireClaimed, "a", moved, done)
		if err != nil || len(settled) != 4 {
			t.Fatalf("settle: %d %v", len(settled), err)
		}
		again, err := s.MoveFires(ctx, ports.FireClaimed, "a", moved, ports.Fire{State: ports.FireDelivered, Node: "a", UpdatedAt: 5})
		if err != nil || len(again) != 0 {
			t.Fatalf("second settle moved %d, %v", len(again), err)
		}
	})
}
