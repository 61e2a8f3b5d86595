package alarm

import (
	"context"
	"crypto/tls"
	"fmt"
	"time"

	"github.com/wneessen/go-mail"

	"github.com/xjob-dev/xjob/domain"
)

// EmailConfig is the SMTP server alarm mails go through.
type EmailConfig struct {
	Host     string // empty = no mail channel
	Port     int    // default 587 (starttls/none) or 465 (tls)
	Username string // empty = no SMTP AUTH
	Password string
	From     string
	// TLS is "starttls" (default; STARTTLS is required), "tls" (implicit
	// TLS, usually port 465) or "none" (plain text; only for a local relay).
	TLS string
	// Timeout bounds one mail session (default 30 s).
	Timeout time.Duration
	// TLSConfig overrides the TLS settings (e.g. a private CA); nil = the
	// system roots and Host as server name.
	TLSConfig *tls.Config
}

// Email sends one mail per distinct address of a job's alarm_email, with an
// HTML and a plain text part.
type Email struct {
	cfg EmailConfig
}

// NewEmail returns the mail channel; it returns EINVALID for an unknown TLS
// mode or a missing sender.
func NewEmail(cfg EmailConfig) (*Email, error) {
	switch cfg.TLS {
	case "":
		cfg.TLS = "starttls"
	case "starttls", "tls", "none":
	default:
		return nil, domain.Errorf(domain.EINVALID, "SMTP TLS mode %q is not starttls, tls or none.", cfg.TLS)
	}
	if cfg.Host == "" || cfg.From == "" {
		return nil, domain.Errorf(domain.EINVALID, "SMTP host and sender address are required for alarm mails.")
	}
	if cfg.Port == 0 {
		cfg.Port = 587
		if cfg.TLS == "tls" {
			cfg.Port = 465
		}
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	return &Email{cfg: cfg}, nil
}

// Name is the channel's name in metrics and error messages.
func (e *Email) Name() string { return "email" }

// applies reports whether the job has any alarm address.
func (e *Email) applies(job *domain.JobInfo) bool { return len(job.AlarmEmails()) > 0 }

// send mails c to every alarm address of the job over one SMTP session.
func (e *Email) send(ctx context.Context, job *domain.JobInfo, c content, sender string) error {
	var msgs []*mail.Msg
	for _, to := range job.AlarmEmails() {
		m := mail.NewMsg()
		if err := m.FromFormat(sender, e.cfg.From); err != nil {
			return fmt.Errorf("sender %q: %w", e.cfg.From, err)
		}
		if err := m.To(to); err != nil {
			return fmt.Errorf("recipient %q: %w", to, err)
		}
		m.Subject(c.Subject)
		m.SetBodyString(mail.TypeTextPlain, c.Text())
		m.AddAlternativeString(mail.TypeTextHTML, c.HTML())
		msgs = append(msgs, m)
	}
	client, err := mail.NewClient(e.cfg.Host, e.options()...)
	if err != nil {
		return fmt.Errorf("smtp client: %w", err)
	}
	if err := client.DialAndSendWithContext(ctx, msgs...); err != nil {
		return fmt.Errorf("send mail via %s:%d: %w", e.cfg.Host, e.cfg.Port, err)
	}
	return nil
}

func (e *Email) options() []mail.Option {
	opts := []mail.Option{mail.WithPort(e.cfg.Port), mail.WithTimeout(e.cfg.Timeout)}
	switch e.cfg.TLS {
	case "tls":
		opts = append(opts, mail.WithSSL())
	case "none":
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	default:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	}
	if e.cfg.TLSConfig != nil {
		opts = append(opts, mail.WithTLSConfig(e.cfg.TLSConfig))
	}
	if e.cfg.Username != "" {
		auth := mail.SMTPAuthAutoDiscover
		if e.cfg.TLS == "none" {
			auth = mail.SMTPAuthPlainNoEnc // the operator chose plain text explicitly
		}
		opts = append(opts, mail.WithSMTPAuth(auth), mail.WithUsername(e.cfg.Username), mail.WithPassword(e.cfg.Password))
	}
	return opts
}
