package web

import (
	"context"
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
	for lang, want := range map[string]string{
		"en":    "day-of-week: “8” is outside 1–7.",
		"zh-CN": "周：“8”超出 1–7 的范围。",
		"zh-TW": "週：「8」超出 1–7 的範圍。",
	} {
		ctx := i18n.WithLocalizer(context.Background(), b.Localizer(lang))
		if got := fieldErrorText(ctx, fe); got != want {
			t.Errorf("%s: %q, want %q", lang, got, want)
		}
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
