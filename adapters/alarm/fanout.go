package alarm

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/xjob-dev/xjob/domain"
	"github.com/xjob-dev/xjob/ports"
)

var _ ports.Alarmer = (*Fanout)(nil)

// ChannelMetrics counts alarms per channel; *metrics.Registry implements it.
type ChannelMetrics interface {
	AlarmSent(channel string, ok bool)
}

// Config is every alarm setting of the admin.
type Config struct {
	Email EmailConfig // Email.Host "" = no mail channel
	// Webhooks is the --webhooks setting (see ParseWebhooks).
	Webhooks string
	// WebhookTimeout bounds one webhook call (default 10 s).
	WebhookTimeout time.Duration
	// Location is the zone times are shown in (the admin's zone).
	Location *time.Location
	Metrics  ChannelMetrics // may be nil
	Logger   *slog.Logger   // nil = slog.Default()
}

// New builds the fan-out from the configuration; EINVALID for bad settings.
func New(cfg Config, msgs ports.Messages) (*Fanout, error) {
	var email *Email
	if cfg.Email.Host != "" {
		e, err := NewEmail(cfg.Email)
		if err != nil {
			return nil, err
		}
		email = e
	}
	hooks, err := ParseWebhooks(cfg.Webhooks, cfg.WebhookTimeout)
	if err != nil {
		return nil, err
	}
	return NewFanout(email, hooks, msgs, cfg), nil
}

// Fanout is the admin's Alarmer: it sends one alarm on every channel that
// applies to the job, concurrently, and fails if any of them failed.
//
// Channels that apply: mail when the job has alarm addresses and a mail
// server is configured; the webhooks named in the job's alarm webhooks
// ("" = every configured webhook; unknown names are ignored and logged).
type Fanout struct {
	email *Email // nil = no mail
	hooks []*Webhook
	msgs  ports.Messages
	cfg   Config
}

// NewFanout returns a fan-out over the given channels; email may be nil.
// Only cfg's Location, Metrics and Logger are used.
func NewFanout(email *Email, hooks []*Webhook, msgs ports.Messages, cfg Config) *Fanout {
	if msgs == nil {
		panic("alarm: NewFanout: nil messages")
	}
	if cfg.Location == nil {
		cfg.Location = time.Local
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Fanout{email: email, hooks: hooks, msgs: msgs, cfg: cfg}
}

// HasAlarmTargets reports whether any channel applies to the job; the fail
// monitor marks a failure of a job without one "no alarm needed".
func (f *Fanout) HasAlarmTargets(job *domain.JobInfo) bool {
	return (f.email != nil && f.email.applies(job)) || len(f.webhooksOf(job)) > 0
}

// Alarm implements ports.Alarmer. The error names every channel that failed.
func (f *Fanout) Alarm(ctx context.Context, a ports.Alarm) error {
	if a.Job == nil || a.Log == nil {
		return domain.Errorf(domain.EINVALID, "Alarm needs a job and a log.")
	}
	c := render(f.msgs, a, f.cfg.Location)
	type channel struct {
		name string
		send func(context.Context) error
	}
	var chans []channel
	if f.email != nil && f.email.applies(a.Job) {
		sender := f.msgs.T("alarm_sender_name", nil)
		chans = append(chans, channel{f.email.Name(), func(ctx context.Context) error { return f.email.send(ctx, a.Job, c, sender) }})
	}
	for _, w := range f.webhooksOf(a.Job) {
		chans = append(chans, channel{w.Name(), func(ctx context.Context) error { return w.send(ctx, c) }})
	}
	errs := make([]error, len(chans))
	var wg sync.WaitGroup
	for i, ch := range chans {
		wg.Go(func() {
			err := ch.send(ctx)
			if f.cfg.Metrics != nil {
				f.cfg.Metrics.AlarmSent(ch.name, err == nil)
			}
			if err != nil {
				errs[i] = fmt.Errorf("%s: %w", ch.name, err)
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// webhooksOf returns the job's webhook channels, each once.
func (f *Fanout) webhooksOf(job *domain.JobInfo) []*Webhook {
	if strings.TrimSpace(job.AlarmWebhooks) == "" {
		return f.hooks
	}
	var out []*Webhook
	seen := map[string]bool{}
	for _, name := range strings.Split(job.AlarmWebhooks, ",") {
		name = strings.TrimSpace(name)
		if name == "" || seen[name] {
			continue
		}
		seen[name] = true
		found := false
		for _, w := range f.hooks {
			if w.Name() == name {
				out, found = append(out, w), true
				break
			}
		}
		if !found {
			f.cfg.Logger.Warn("job names an unknown alarm webhook", "job_id", job.ID, "webhook", name)
		}
	}
	return out
}
