package executor_test

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"
)

func TestRegistry_HeartbeatFailoverAndRemove(t *testing.T) {
	t.Parallel()
	admin := newTestAdmin(t, testToken)
	dead := httptest.NewServer(nil)
	dead.Close() // connection refused
	opts := testOptions(t, admin)
	// A 2.x-style context path with a trailing slash on the live admin.
	opts.AdminAddresses = []string{dead.URL, admin.URL() + "/xxl-job-admin/"}
	ex, _ := startExecutor(t, opts, nil)

	want := `{"registryGroup":"EXECUTOR","registryKey":"test-app","registryValue":"` + ex.Address() + `"}`
	waitFor(t, 5*time.Second, "two heartbeats", func() bool {
		_, reg, _, _ := admin.snapshot()
		return len(reg) >= 2
	})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := ex.Stop(ctx); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	_, reg, removes, bad := admin.snapshot()
	if reg[0] != want {
		t.Errorf("registry body %s\nwant %s", reg[0], want)
	}
	if len(removes) != 1 || removes[0] != want {
		t.Errorf("registryRemove %v", removes)
	}
	if len(bad) != 0 {
		t.Errorf("bad headers %v", bad)
	}
	time.Sleep(3 * opts.BeatInterval)
	if _, after, _, _ := admin.snapshot(); len(after) != len(reg) {
		t.Error("heartbeat after Stop")
	}
}

func TestRegistry_WrongAdminToken(t *testing.T) {
	t.Parallel()
	admin := newTestAdmin(t, "admin-token")
	ex, _ := startExecutor(t, testOptions(t, admin), nil) // sends testToken
	time.Sleep(300 * time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := ex.Stop(ctx); err == nil {
		t.Error("Stop reported a successful registryRemove with a wrong token")
	}
	if _, reg, _, _ := admin.snapshot(); len(reg) != 0 {
		t.Errorf("registered with wrong token: %v", reg)
	}
}
