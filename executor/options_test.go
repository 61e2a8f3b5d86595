package executor_test

import (
	"strings"
	"testing"

	"github.com/xjob-dev/xjob/domain"
	"github.com/xjob-dev/xjob/executor"
)

func TestNew_Validation(t *testing.T) {
	t.Parallel()
	valid := func(t *testing.T) executor.Options {
		return executor.Options{AdminAddresses: []string{"http://127.0.0.1:8080"}, AppName: "app", LogDir: t.TempDir()}
	}
	tests := []struct {
		name    string
		change  func(o *executor.Options)
		wantErr string
	}{
		{"OK", func(o *executor.Options) {}, ""},
		{"OKGlueWithToken", func(o *executor.Options) {
			o.AccessToken, o.EnableGlue = "s3cret", []domain.GlueType{domain.GlueShell, domain.GluePython}
		}, ""},
		{"OKRetentionOff", func(o *executor.Options) { o.LogRetentionDays = -1 }, ""},
		{"ErrNoAdmin", func(o *executor.Options) { o.AdminAddresses = []string{" "} }, "admin address"},
		{"ErrAdminNotURL", func(o *executor.Options) { o.AdminAddresses = []string{"127.0.0.1:8080"} }, "not an http(s) URL"},
		{"ErrNoAppName", func(o *executor.Options) { o.AppName = "" }, "AppName"},
		{"ErrLongAppName", func(o *executor.Options) { o.AppName = strings.Repeat("a", 65) }, "AppName"},
		{"ErrRetention2", func(o *executor.Options) { o.LogRetentionDays = 2 }, "LogRetentionDays"},
		{"ErrPort", func(o *executor.Options) { o.Port = 70000 }, "port"},
		{"ErrGlueNoToken", func(o *executor.Options) { o.EnableGlue = []domain.GlueType{domain.GlueShell} }, "AccessToken"},
		{"ErrGlueDefaultToken", func(o *executor.Options) {
			o.AccessToken, o.EnableGlue = "default_token", []domain.GlueType{domain.GlueShell}
		}, "AccessToken"},
		{"ErrGlueGroovy", func(o *executor.Options) {
			o.AccessToken, o.EnableGlue = "s3cret", []domain.GlueType{domain.GlueGroovy}
		}, "cannot be enabled"},
		{"ErrGlueBean", func(o *executor.Options) { o.AccessToken, o.EnableGlue = "s3cret", []domain.GlueType{"BEAN"} }, "cannot be enabled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := valid(t)
			tt.change(&o)
			_, err := executor.New(o)
			if tt.wantErr == "" && err != nil {
				t.Fatalf("New: %v", err)
			}
			if tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("New error %v, want %q", err, tt.wantErr)
			}
		})
	}
}

func TestRegister_Panics(t *testing.T) {
	t.Parallel()
	ex, err := executor.New(executor.Options{AdminAddresses: []string{"http://127.0.0.1:8080"}, AppName: "app", LogDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	ex.Register("a", quick)
	for name, f := range map[string]func(){
		"Duplicate": func() { ex.Register("a", quick) },
		"NoName":    func() { ex.Register("", quick) },
		"NilFunc":   func() { ex.Register("b", nil) },
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			f()
		})
	}
}
