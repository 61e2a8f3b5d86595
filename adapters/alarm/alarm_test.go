package alarm

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/xjob-dev/xjob/domain"
	"github.com/xjob-dev/xjob/ports"
)

// msgs renders "id" plus its data, so tests see which keys were used.
type msgs struct{}

func (msgs) T(id string, data map[string]any) string {
	if len(data) == 0 {
		return id
	}
	return fmt.Sprintf("%s%v", id, data)
}

func testAlarm() ports.Alarm {
	return ports.Alarm{
		Job:   &domain.JobInfo{ID: 7, GroupID: 1, Desc: "nightly <report>", AlarmEmail: "a@example.com, b@example.com,a@example.com"},
		Group: &domain.Group{ID: 1, Title: "sample"},
		Log: &domain.JobLog{ID: 42, JobID: 7, TriggerTime: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC),
			TriggerCode: 500, TriggerMsg: "Trigger type：Cron<br>address route fail &amp; more"},
		Suppressed: 3,
	}
}

// mailbox is a real SMTP server (go-smtp) with AUTH PLAIN that keeps what it receives.
type mailbox struct {
	mu    sync.Mutex
	mails []received
	auths []string
}

type received struct {
	from string
	to   []string
	data string
}

type session struct {
	box      *mailbox
	authed   bool
	from     string
	to       []string
	needAuth bool
}

func (b *mailbox) NewSession(*smtp.Conn) (smtp.Session, error) {
	return &session{box: b, needAuth: true}, nil
}

func (s *session) AuthMechanisms() []string { return []string{sasl.Plain} }
func (s *session) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, user, pass string) error {
		s.box.mu.Lock()
		s.box.auths = append(s.box.auths, user+":"+pass)
		s.box.mu.Unlock()
		if user != "alarm" || pass != "s3cret" {
			return errors.New("bad credentials")
		}
		s.authed = true
		return nil
	}), nil
}
func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if s.needAuth && !s.authed {
		return &smtp.SMTPError{Code: 530, Message: "auth required"}
	}
	s.from = from
	return nil
}
func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error { s.to = append(s.to, to); return nil }
func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.box.mu.Lock()
	s.box.mails = append(s.box.mails, received{s.from, s.to, string(b)})
	s.box.mu.Unlock()
	return nil
}
func (s *session) Reset()        { s.from, s.to = "", nil }
func (s *session) Logout() error { return nil }

// startSMTP serves a mailbox on loopback; implicit starts TLS at connect.
func startSMTP(t *testing.T, tlsConf *tls.Config, implicit bool) (*mailbox, int) {
	t.Helper()
	box := &mailbox{}
	srv := smtp.NewServer(box)
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = tlsConf == nil
	srv.TLSConfig = tlsConf
	var l net.Listener
	var err error
	if implicit {
		l, err = tls.Listen("tcp", "127.0.0.1:0", tlsConf)
	} else {
		l, err = net.Listen("tcp", "127.0.0.1:0")
	}
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return box, l.Addr().(*net.TCPAddr).Port
}

// selfSigned returns a server config and a client config trusting it.
func selfSigned(t *testing.T) (server, client *tls.Config) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}},
		&tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}
}

func TestEmail(t *testing.T) {
	for _, mode := range []string{"none", "starttls", "tls"} {
		t.Run(mode, func(t *testing.T) {
			var srvTLS, cliTLS *tls.Config
			if mode != "none" {
				srvTLS, cliTLS = selfSigned(t)
			}
			box, port := startSMTP(t, srvTLS, mode == "tls")
			f, err := New(Config{Email: EmailConfig{Host: "127.0.0.1", Port: port, Username: "alarm", Password: "s3cret",
				From: "xjob@example.com", TLS: mode, TLSConfig: cliTLS, Timeout: 5 * time.Second}, Location: time.UTC}, msgs{})
			if err != nil {
				t.Fatal(err)
			}
			if err := f.Alarm(context.Background(), testAlarm()); err != nil {
				t.Fatalf("Alarm: %v", err)
			}
			box.mu.Lock()
			defer box.mu.Unlock()
			if len(box.mails) != 2 {
				t.Fatalf("got %d mails, want one per distinct address (2)", len(box.mails))
			}
			for i, want := range []string{"a@example.com", "b@example.com"} {
				m := box.mails[i]
				if len(m.to) != 1 || m.to[0] != want || m.from != "xjob@example.com" {
					t.Errorf("mail %d: from %q to %v, want to [%s]", i, m.from, m.to, want)
				}
				for _, s := range []string{"multipart/alternative", "text/plain", "text/html", "Subject:",
					"alarm_sender_name", "alarm_type_trigger_fail", "address route fail"} {
					if !strings.Contains(m.data, s) {
						t.Errorf("mail %d lacks %q:\n%s", i, s, m.data)
					}
				}
			}
		})
	}
	t.Run("ErrAuth", func(t *testing.T) {
		_, port := startSMTP(t, nil, false)
		f, _ := New(Config{Email: EmailConfig{Host: "127.0.0.1", Port: port, Username: "alarm", Password: "wrong",
			From: "xjob@example.com", TLS: "none", Timeout: 5 * time.Second}}, msgs{})
		if err := f.Alarm(context.Background(), testAlarm()); err == nil || !strings.Contains(err.Error(), "email") {
			t.Fatalf("Alarm with a wrong password = %v, want an email error", err)
		}
	})
	t.Run("ErrStartTLSMissing", func(t *testing.T) {
		_, port := startSMTP(t, nil, false) // server without TLS: starttls is mandatory
		f, _ := New(Config{Email: EmailConfig{Host: "127.0.0.1", Port: port, From: "xjob@example.com", Timeout: 5 * time.Second}}, msgs{})
		if err := f.Alarm(context.Background(), testAlarm()); err == nil {
			t.Fatal("sent in plain text although STARTTLS is required")
		}
	})
}

// receiver is a real HTTP endpoint on loopback recording requests.
type receiver struct {
	mu    sync.Mutex
	reqs  []*http.Request
	body  [][]byte
	reply string
	delay time.Duration
}

func startReceiver(t *testing.T, reply string) (*receiver, string) {
	r := &receiver{reply: reply}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.reqs, r.body = append(r.reqs, req), append(r.body, b)
		d := r.delay
		r.mu.Unlock()
		time.Sleep(d)
		io.WriteString(w, r.reply)
	}))
	t.Cleanup(srv.Close)
	return r, srv.URL
}

func TestWebhooks(t *testing.T) {
	now := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	ding, dingURL := startReceiver(t, `{"errcode":0,"errmsg":"ok"}`)
	wecom, wecomURL := startReceiver(t, `{"errcode":0,"errmsg":"ok"}`)
	feishu, feishuURL := startReceiver(t, `{"code":0,"msg":"success"}`)
	slack, slackURL := startReceiver(t, `ok`)
	generic, genericURL := startReceiver(t, ``)
	spec := fmt.Sprintf("ding=dingtalk:%s/robot/send?access_token=abc#dsecret, wc=wecom:%s, fs=feishu:%s#fsecret, sl=slack:%s, js=json:%s#jsecret",
		dingURL, wecomURL, feishuURL, slackURL, genericURL)
	f, err := New(Config{Webhooks: spec, Location: time.UTC}, msgs{})
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range f.hooks {
		w.now = func() time.Time { return now }
	}
	a := testAlarm()
	a.Job.AlarmEmail = ""
	if err := f.Alarm(context.Background(), a); err != nil {
		t.Fatalf("Alarm: %v", err)
	}

	t.Run("DingTalk", func(t *testing.T) {
		q := ding.reqs[0].URL.Query()
		if q.Get("access_token") != "abc" || q.Get("timestamp") != fmt.Sprint(now.UnixMilli()) {
			t.Fatalf("query %v", q)
		}
		mac := hmac.New(sha256.New, []byte("dsecret"))
		mac.Write([]byte(q.Get("timestamp") + "\ndsecret"))
		if want := base64.StdEncoding.EncodeToString(mac.Sum(nil)); q.Get("sign") != want {
			t.Fatalf("sign %q, want %q", q.Get("sign"), want)
		}
		var body struct {
			MsgType  string            `json:"msgtype"`
			Markdown map[string]string `json:"markdown"`
		}
		mustJSON(t, ding.body[0], &body)
		if body.MsgType != "markdown" || !strings.Contains(body.Markdown["text"], "address route fail & more") {
			t.Fatalf("body %+v", body)
		}
	})
	t.Run("WeCom", func(t *testing.T) {
		var body struct {
			MsgType  string            `json:"msgtype"`
			Markdown map[string]string `json:"markdown"`
		}
		mustJSON(t, wecom.body[0], &body)
		if body.MsgType != "markdown" || !strings.Contains(body.Markdown["content"], "alarm_suppressed") {
			t.Fatalf("body %+v", body)
		}
	})
	t.Run("Feishu", func(t *testing.T) {
		var body struct {
			MsgType   string            `json:"msg_type"`
			Content   map[string]string `json:"content"`
			Timestamp string            `json:"timestamp"`
			Sign      string            `json:"sign"`
		}
		mustJSON(t, feishu.body[0], &body)
		mac := hmac.New(sha256.New, []byte(fmt.Sprint(now.Unix())+"\nfsecret"))
		if body.Timestamp != fmt.Sprint(now.Unix()) || body.Sign != base64.StdEncoding.EncodeToString(mac.Sum(nil)) {
			t.Fatalf("timestamp %q sign %q", body.Timestamp, body.Sign)
		}
		if body.MsgType != "text" || !strings.Contains(body.Content["text"], "alarm_subject") {
			t.Fatalf("body %+v", body)
		}
	})
	t.Run("Slack", func(t *testing.T) {
		var body map[string]string
		mustJSON(t, slack.body[0], &body)
		if !strings.HasPrefix(body["text"], "*alarm_subject") {
			t.Fatalf("body %+v", body)
		}
	})
	t.Run("JSON", func(t *testing.T) {
		var body map[string]any
		mustJSON(t, generic.body[0], &body)
		if body["jobId"] != float64(7) || body["logId"] != float64(42) || body["suppressed"] != float64(3) || body["kind"] != "trigger" {
			t.Fatalf("body %+v", body)
		}
		mac := hmac.New(sha256.New, []byte("jsecret"))
		mac.Write(generic.body[0])
		if got := generic.reqs[0].Header.Get("X-Xjob-Signature"); got != fmt.Sprintf("%x", mac.Sum(nil)) {
			t.Fatalf("signature %q", got)
		}
	})
}

func TestFanoutSelection(t *testing.T) {
	one, oneURL := startReceiver(t, `{"errcode":0}`)
	two, twoURL := startReceiver(t, `{"errcode":0}`)
	f, err := New(Config{Webhooks: "one=wecom:" + oneURL + ",two=wecom:" + twoURL}, msgs{})
	if err != nil {
		t.Fatal(err)
	}
	a := testAlarm()
	a.Job.AlarmEmail = "" // no mail server configured anyway
	a.Job.AlarmWebhooks = "two, two,unknown"
	if err := f.Alarm(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	if len(one.reqs) != 0 || len(two.reqs) != 1 {
		t.Fatalf("one got %d, two got %d; want 0 and 1", len(one.reqs), len(two.reqs))
	}
	if !f.HasAlarmTargets(a.Job) {
		t.Fatal("HasAlarmTargets = false for a job naming a webhook")
	}
	if none, _ := New(Config{}, msgs{}); none.HasAlarmTargets(a.Job) {
		t.Fatal("HasAlarmTargets = true without any channel")
	}
}

func TestFanoutFailures(t *testing.T) {
	bad, badURL := startReceiver(t, `{"errcode":310000,"errmsg":"sign not match"}`)
	slow, slowURL := startReceiver(t, `{"errcode":0}`)
	ok, okURL := startReceiver(t, `{"errcode":0}`)
	slow.delay = 2 * time.Second
	_ = bad
	f, err := New(Config{Webhooks: "bad=dingtalk:" + badURL + ",slow=wecom:" + slowURL + ",ok=wecom:" + okURL,
		WebhookTimeout: 200 * time.Millisecond}, msgs{})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	err = f.Alarm(context.Background(), testAlarm())
	if err == nil || !strings.Contains(err.Error(), "bad") || !strings.Contains(err.Error(), "slow") || strings.Contains(err.Error(), "ok:") {
		t.Fatalf("err = %v, want bad and slow to fail", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("a slow channel held the alarm for %v despite its timeout", d)
	}
	if len(ok.reqs) != 1 {
		t.Fatal("the healthy channel was not called")
	}
}

func TestParseWebhooksErrors(t *testing.T) {
	for _, spec := range []string{"x", "a=dingtalk", "a=irc:http://h/", "a=json:ftp://h/", "a=json:http://h/,a=json:http://h/"} {
		if _, err := ParseWebhooks(spec, 0); domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("ParseWebhooks(%q) = %v, want EINVALID", spec, err)
		}
	}
}

func TestHTMLToText(t *testing.T) {
	got := htmlToText(`a<br>b<BR/><span style="x">c</span> &lt;d&gt;<br><br><br><br>e`)
	if want := "a\nb\nc <d>\n\ne"; got != want {
		t.Fatalf("htmlToText = %q, want %q", got, want)
	}
}

func mustJSON(t *testing.T, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
}
