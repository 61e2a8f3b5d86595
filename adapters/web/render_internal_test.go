package web

import (
	"context"
	"strings"
	"testing"

	"github.com/xjob-dev/xjob/adapters/i18n"
	"github.com/xjob-dev/xjob/application"
)

// A cron syntax error is shown in the page's language, naming the field in
// that language too.
func TestFieldErrorTextCron(t *testing.T) {
	b, err := i18n.Default()
	if err != nil {
		t.Fatal(err)
	}
	fe := &application.FieldError{Field: "scheduleConf", Key: "cron_err_out_of_range", Message: "english fallback",
		Data: map[string]any{"Field": "day-of-week", "FieldID": "cron_field_day_of_week", "Value": "8", "Min": 1, "Max": 7}}
	en := i18n.WithLocalizer(context.Background(), b.Localizer("en"))
	zh := i18n.WithLocalizer(context.Background(), b.Localizer("zh-CN"))
	for ctx, want := range map[context.Context][]string{en: {"day-of-week", "8", "1", "7"}, zh: {"周", "8", "1", "7"}} {
		got := fieldErrorText(ctx, fe)
		if got == fe.Message || strings.Contains(got, "cron_") {
			t.Fatalf("not localised: %q", got)
		}
		for _, w := range want {
			if !strings.Contains(got, w) {
				t.Errorf("%q lacks %q", got, w)
			}
		}
	}
	if zhText := fieldErrorText(zh, fe); strings.Contains(zhText, "day-of-week") {
		t.Errorf("field name not translated: %q", zhText)
	}
	fe.Key = "no_such_key"
	if got := fieldErrorText(context.Background(), fe); got != "english fallback" {
		t.Errorf("unknown key: %q", got)
	}
}

func TestLocalPath(t *testing.T) {
	s := &Server{base: "/xxl-job-admin"}
	for raw, want := range map[string]string{
		"/xxl-job-admin/jobinfo?page=2": "/jobinfo?page=2",
		"/jobinfo":                      "",
		"//evil.example/x":              "",
		"https://evil.example/":         "",
		"/xxl-job-admin\\@evil":         "",
	} {
		got, ok := s.localPath(raw)
		if (want == "") == ok || got != want && ok {
			t.Errorf("localPath(%q) = %q, %v", raw, got, ok)
		}
	}
}
