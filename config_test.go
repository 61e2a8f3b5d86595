package xjob

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestLoadConfigDefaults(t *testing.T) {
	c, err := LoadConfig("serve", nil, env(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.DB != "sqlite:./data/xjob.db" || c.Listen != ":8080" || c.ContextPath != "/" || c.Lang != "en" {
		t.Fatalf("defaults: %+v", c)
	}
	if c.ExecutorTimeout != 3*time.Second || !c.CompatContextPath || c.Location == nil {
		t.Fatalf("defaults: %+v", c)
	}
}

func TestLoadConfigPrecedence(t *testing.T) {
	file := filepath.Join(t.TempDir(), "xjob.toml")
	if err := os.WriteFile(file, []byte("listen = \":7000\"\nlang = \"zh_CN\"\ntimezone = \"Asia/Shanghai\"\ntrigger-fast-max = 50\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	e := env(map[string]string{"XJOB_CONFIG": file, "XJOB_LANG": "zh_TC", "XJOB_LISTEN": ":7100"})
	c, err := LoadConfig("serve", []string{"--listen", ":7200"}, e, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.Listen != ":7200" {
		t.Errorf("flag should win: listen = %q", c.Listen)
	}
	if c.Lang != "zh_TC" {
		t.Errorf("env should beat file: lang = %q", c.Lang)
	}
	if c.TimeZone != "Asia/Shanghai" || c.Location.String() != "Asia/Shanghai" || c.TriggerFastMax != 50 {
		t.Errorf("file values not applied: %+v", c)
	}
}

func TestLoadConfigErrorsNameTheSetting(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"lang", []string{"--lang", "fr"}, nil, "--lang"},
		{"envLang", nil, map[string]string{"XJOB_LANG": "de"}, "--lang"},
		{"zone", []string{"--timezone", "Mars/Olympus"}, nil, "--timezone"},
		{"db", []string{"--db", "postgres://x"}, nil, "--db"},
		{"defaultToken", []string{"--access-token", "default_token"}, nil, "--access-token"},
		{"timeout", []string{"--executor-timeout", "0s"}, nil, "--executor-timeout"},
		{"badEnvNumber", nil, map[string]string{"XJOB_TRIGGER_FAST_MAX": "many"}, "XJOB_TRIGGER_FAST_MAX"},
		{"contextPath", []string{"--context-path", "admin"}, nil, "--context-path"},
		{"smtpTLS", []string{"--smtp-tls", "maybe"}, nil, "--smtp-tls"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadConfig("serve", tt.args, env(tt.env), io.Discard)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want mention of %s", err, tt.want)
			}
		})
	}
}

func TestLoadConfigDefaultTokenAllowed(t *testing.T) {
	c, err := LoadConfig("serve", []string{"--access-token", "default_token", "--allow-default-token"}, env(nil), io.Discard)
	if err != nil || c.AccessToken != "default_token" {
		t.Fatalf("c=%v err=%v", c, err)
	}
}

func TestHelpListsEverySetting(t *testing.T) {
	var b strings.Builder
	fs := NewFlagSet("serve", &Config{}, &b)
	fs.Usage()
	for _, s := range settings {
		if !strings.Contains(b.String(), "-"+s.name) || !strings.Contains(b.String(), EnvName(s.name)) {
			t.Errorf("help lacks %s", s.name)
		}
	}
	for _, must := range []string{"XJOB_DB", "XJOB_LISTEN", "XJOB_CONTEXT_PATH", "XJOB_ACCESS_TOKEN", "XJOB_ADMIN_PASSWORD", "XJOB_LANG", "XJOB_TIMEZONE"} {
		if !strings.Contains(b.String(), must) {
			t.Errorf("help lacks %s", must)
		}
	}
}
