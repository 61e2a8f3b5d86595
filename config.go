// Package xjob is the composition root: configuration, the Wire provider
// sets and the App that runs the scheduling center. Only cmd/xjob imports it.
package xjob

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
)

// Config is every setting of `xjob serve`. Precedence, highest first:
// command-line flags, XJOB_* environment variables, the --config file,
// built-in defaults.
type Config struct {
	ConfigFile        string
	DB                string
	Listen            string
	ContextPath       string
	CompatContextPath bool
	AccessToken       string
	AllowDefaultToken bool
	AdminPassword     string
	Lang              string
	TimeZone          string
	DataDir           string
	ExecutorTimeout   time.Duration
	TriggerFastMax    int
	TriggerSlowMax    int
	TriggerQueueSize  int
	LogRetentionDays  int
	RegistryDead      time.Duration
	UpgradePasswords  bool
	SMTPHost          string
	SMTPPort          int
	SMTPUsername      string
	SMTPPassword      string
	SMTPFrom          string
	SMTPTLS           string
	Webhooks          string
	AlarmWindow       time.Duration
	AlarmHorizon      time.Duration
	Location          *time.Location `toml:"-"`
}

// setting describes one configuration entry: its flag name (also the key in
// the config file), the environment variable and how to bind it.
type setting struct {
	name  string
	usage string
	bind  func(fs *flag.FlagSet, c *Config, name, usage string)
}

func str(get func(*Config) *string, def string) func(*flag.FlagSet, *Config, string, string) {
	return func(fs *flag.FlagSet, c *Config, name, usage string) { fs.StringVar(get(c), name, def, usage) }
}

func num(get func(*Config) *int, def int) func(*flag.FlagSet, *Config, string, string) {
	return func(fs *flag.FlagSet, c *Config, name, usage string) { fs.IntVar(get(c), name, def, usage) }
}

func dur(get func(*Config) *time.Duration, def time.Duration) func(*flag.FlagSet, *Config, string, string) {
	return func(fs *flag.FlagSet, c *Config, name, usage string) { fs.DurationVar(get(c), name, def, usage) }
}

func boolean(get func(*Config) *bool, def bool) func(*flag.FlagSet, *Config, string, string) {
	return func(fs *flag.FlagSet, c *Config, name, usage string) { fs.BoolVar(get(c), name, def, usage) }
}

var settings = []setting{
	{"config", "optional TOML file whose keys are these flag names", str(func(c *Config) *string { return &c.ConfigFile }, "")},
	{"db", "database: sqlite:PATH, or mysql: followed by a go-sql-driver DSN such as mysql:root:pw@tcp(127.0.0.1:3306)/xxl_job", str(func(c *Config) *string { return &c.DB }, "sqlite:./data/xjob.db")},
	{"listen", "HTTP listen address", str(func(c *Config) *string { return &c.Listen }, ":8080")},
	{"context-path", "URL prefix of the admin and its executor API (3.x default /)", str(func(c *Config) *string { return &c.ContextPath }, "/")},
	{"compat-context-path", "also serve the executor API under /xxl-job-admin for executors configured for a 2.x admin", boolean(func(c *Config) *bool { return &c.CompatContextPath }, true)},
	{"access-token", "executor access token; empty = generate one on first start and keep it in the data directory", str(func(c *Config) *string { return &c.AccessToken }, "")},
	{"allow-default-token", "accept the well-known upstream token default_token (insecure)", boolean(func(c *Config) *bool { return &c.AllowDefaultToken }, false)},
	{"admin-password", "password of the admin user created on an empty database; empty = random, printed once", str(func(c *Config) *string { return &c.AdminPassword }, "")},
	{"lang", "language of stored messages and the UI default: en, zh_CN or zh_TC", str(func(c *Config) *string { return &c.Lang }, "en")},
	{"timezone", "IANA zone of DATETIME columns and the default zone of schedules; empty = the machine's", str(func(c *Config) *string { return &c.TimeZone }, "")},
	{"data-dir", "directory for the embedded database and generated secrets", str(func(c *Config) *string { return &c.DataDir }, "./data")},
	{"executor-timeout", "timeout of each call to an executor", dur(func(c *Config) *time.Duration { return &c.ExecutorTimeout }, 3*time.Second)},
	{"trigger-fast-max", "concurrent triggers in the fast lane", num(func(c *Config) *int { return &c.TriggerFastMax }, 300)},
	{"trigger-slow-max", "concurrent triggers in the slow lane", num(func(c *Config) *int { return &c.TriggerSlowMax }, 200)},
	{"trigger-queue-size", "queued triggers per lane before a trigger is recorded as failed", num(func(c *Config) *int { return &c.TriggerQueueSize }, 10000)},
	{"log-retention-days", "delete trigger logs older than this many days; 0 = keep forever", num(func(c *Config) *int { return &c.LogRetentionDays }, 30)},
	{"registry-dead-timeout", "an executor without a heartbeat this long is removed", dur(func(c *Config) *time.Duration { return &c.RegistryDead }, 90*time.Second)},
	{"upgrade-legacy-passwords", "re-hash MD5/SHA-256 passwords of an adopted database with bcrypt on login (the Java admin cannot read them afterwards)", boolean(func(c *Config) *bool { return &c.UpgradePasswords }, false)},
	{"smtp-host", "SMTP server for alarm mails; empty = no mail", str(func(c *Config) *string { return &c.SMTPHost }, "")},
	{"smtp-port", "SMTP port", num(func(c *Config) *int { return &c.SMTPPort }, 587)},
	{"smtp-username", "SMTP user", str(func(c *Config) *string { return &c.SMTPUsername }, "")},
	{"smtp-password", "SMTP password", str(func(c *Config) *string { return &c.SMTPPassword }, "")},
	{"smtp-from", "sender address of alarm mails", str(func(c *Config) *string { return &c.SMTPFrom }, "")},
	{"smtp-tls", "SMTP security: starttls, tls or none", str(func(c *Config) *string { return &c.SMTPTLS }, "starttls")},
	{"webhooks", "alarm webhooks, comma separated NAME=KIND:URL[#SECRET]; KIND is json, dingtalk, wecom, feishu or slack", str(func(c *Config) *string { return &c.Webhooks }, "")},
	{"alarm-window", "at most one alarm per job within this window", dur(func(c *Config) *time.Duration { return &c.AlarmWindow }, 5*time.Minute)},
	{"alarm-horizon", "failed runs older than this are not alarmed (no flood after a restart)", dur(func(c *Config) *time.Duration { return &c.AlarmHorizon }, 24*time.Hour)},
}

// EnvName returns the environment variable of a flag: XJOB_ and the name in
// upper case with underscores.
func EnvName(flagName string) string {
	return "XJOB_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// NewFlagSet returns the flag set of `xjob serve` bound to c, with defaults
// filled in and a usage text that lists every setting.
func NewFlagSet(name string, c *Config, out io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(out)
	for _, s := range settings {
		s.bind(fs, c, s.name, s.usage+" (env "+EnvName(s.name)+")")
	}
	fs.Usage = func() {
		fmt.Fprintf(out, "Usage: xjob %s [flags]\n\nSettings (flag > environment > --config file > default):\n", name)
		fs.PrintDefaults()
	}
	return fs
}

// LoadConfig parses args, the environment (getenv) and the config file into
// a validated Config. Errors name the setting at fault.
func LoadConfig(name string, args []string, getenv func(string) string, out io.Writer) (*Config, error) {
	c := &Config{}
	fs := NewFlagSet(name, c, out)
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if v := getenv(EnvName("config")); v != "" && !set["config"] {
		c.ConfigFile = v
	}
	file := map[string]any{}
	if c.ConfigFile != "" {
		if _, err := toml.DecodeFile(c.ConfigFile, &file); err != nil {
			return nil, fmt.Errorf("--config %s: %w", c.ConfigFile, err)
		}
	}
	for _, k := range sortedKeys(file) {
		if fs.Lookup(k) == nil {
			return nil, fmt.Errorf("--config %s: unknown setting %q", c.ConfigFile, k)
		}
	}
	for _, s := range settings {
		if set[s.name] || s.name == "config" {
			continue
		}
		v, ok := getenv(EnvName(s.name)), true
		if v == "" {
			var fv any
			if fv, ok = file[s.name]; ok {
				v = fmt.Sprint(fv)
			}
		}
		if ok && v != "" {
			if err := fs.Set(s.name, v); err != nil {
				return nil, fmt.Errorf("%s: %w", settingSource(s.name, getenv), err)
			}
		}
	}
	return c, c.validate()
}

func settingSource(name string, getenv func(string) string) string {
	if getenv(EnvName(name)) != "" {
		return EnvName(name)
	}
	return "--" + name + " (config file)"
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// validate checks values and fills derived fields.
func (c *Config) validate() error {
	switch c.Lang {
	case "en", "zh_CN", "zh_TC":
	default:
		return fmt.Errorf("--lang: unknown language %q (want en, zh_CN or zh_TC)", c.Lang)
	}
	c.Location = time.Local
	if c.TimeZone != "" {
		loc, err := time.LoadLocation(c.TimeZone)
		if err != nil {
			return fmt.Errorf("--timezone: unknown zone %q", c.TimeZone)
		}
		c.Location = loc
	}
	if !strings.HasPrefix(c.DB, "sqlite:") && !strings.HasPrefix(c.DB, "mysql:") {
		return fmt.Errorf("--db: %q must start with sqlite: or mysql:", c.DB)
	}
	if !strings.HasPrefix(c.ContextPath, "/") {
		return fmt.Errorf("--context-path: %q must start with /", c.ContextPath)
	}
	c.ContextPath = "/" + strings.Trim(c.ContextPath, "/")
	if c.AccessToken == "default_token" && !c.AllowDefaultToken {
		return errors.New("--access-token: default_token is the well-known upstream token; choose another or pass --allow-default-token")
	}
	if c.ExecutorTimeout <= 0 {
		return fmt.Errorf("--executor-timeout: must be positive, got %s", c.ExecutorTimeout)
	}
	for _, p := range []struct {
		name string
		v    int
	}{{"trigger-fast-max", c.TriggerFastMax}, {"trigger-slow-max", c.TriggerSlowMax}, {"trigger-queue-size", c.TriggerQueueSize}} {
		if p.v <= 0 {
			return fmt.Errorf("--%s: must be positive, got %s", p.name, strconv.Itoa(p.v))
		}
	}
	if c.LogRetentionDays < 0 {
		return fmt.Errorf("--log-retention-days: must be 0 or more, got %d", c.LogRetentionDays)
	}
	switch c.SMTPTLS {
	case "starttls", "tls", "none":
	default:
		return fmt.Errorf("--smtp-tls: %q is not starttls, tls or none", c.SMTPTLS)
	}
	return nil
}

// Getenv is os.Getenv, the default source of XJOB_* variables.
var Getenv = os.Getenv
