package alarm

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/xjob-dev/xjob/domain"
)

// Webhook kinds.
const (
	KindJSON     = "json"
	KindDingTalk = "dingtalk"
	KindWeCom    = "wecom"
	KindFeishu   = "feishu"
	KindSlack    = "slack"
)

// WebhookConfig is one named webhook channel.
type WebhookConfig struct {
	Name string // what jobs list in their alarm webhooks
	Kind string // json, dingtalk, wecom, feishu or slack
	URL  string
	// Secret signs DingTalk and Feishu requests; for json it is sent as
	// the X-Xjob-Signature header (hex HMAC-SHA256 of the body).
	Secret  string
	Timeout time.Duration // default 10 s
}

// Webhook posts alarms to one chat or HTTP endpoint.
type Webhook struct {
	cfg    WebhookConfig
	client *http.Client
	now    func() time.Time
}

// NewWebhook returns the channel; EINVALID for an unknown kind, a bad URL
// or a missing name.
func NewWebhook(cfg WebhookConfig) (*Webhook, error) {
	switch cfg.Kind {
	case KindJSON, KindDingTalk, KindWeCom, KindFeishu, KindSlack:
	default:
		return nil, domain.Errorf(domain.EINVALID, "Webhook %q: unknown kind %q (want json, dingtalk, wecom, feishu or slack).", cfg.Name, cfg.Kind)
	}
	if cfg.Name == "" || strings.ContainsAny(cfg.Name, ", ") {
		return nil, domain.Errorf(domain.EINVALID, "Webhook name %q must be non-empty, without commas or spaces.", cfg.Name)
	}
	if u, err := url.Parse(cfg.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, domain.Errorf(domain.EINVALID, "Webhook %q: URL %q must be http(s)://host/...", cfg.Name, cfg.URL)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	return &Webhook{cfg: cfg, client: &http.Client{Timeout: cfg.Timeout}, now: time.Now}, nil
}

// ParseWebhooks parses the --webhooks setting: comma separated
// NAME=KIND:URL[#SECRET] entries, each with the given timeout.
func ParseWebhooks(spec string, timeout time.Duration) ([]*Webhook, error) {
	var out []*Webhook
	seen := map[string]bool{}
	for _, item := range strings.Split(spec, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		name, rest, ok1 := strings.Cut(item, "=")
		kind, target, ok2 := strings.Cut(rest, ":")
		if !ok1 || !ok2 {
			return nil, domain.Errorf(domain.EINVALID, "Webhook %q: want NAME=KIND:URL[#SECRET].", item)
		}
		target, secret, _ := strings.Cut(target, "#")
		w, err := NewWebhook(WebhookConfig{Name: strings.TrimSpace(name), Kind: strings.TrimSpace(kind),
			URL: strings.TrimSpace(target), Secret: secret, Timeout: timeout})
		if err != nil {
			return nil, err
		}
		if seen[w.cfg.Name] {
			return nil, domain.Errorf(domain.EINVALID, "Webhook name %q is used twice.", w.cfg.Name)
		}
		seen[w.cfg.Name] = true
		out = append(out, w)
	}
	return out, nil
}

// Name is the channel's configured name.
func (w *Webhook) Name() string { return w.cfg.Name }

// send posts c in the kind's format and checks the reply.
func (w *Webhook) send(ctx context.Context, c content) error {
	target, body, err := w.request(c)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, w.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("webhook %s: %w", w.cfg.Name, err)
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	if w.cfg.Kind == KindJSON && w.cfg.Secret != "" {
		mac := hmac.New(sha256.New, []byte(w.cfg.Secret))
		mac.Write(body)
		req.Header.Set("X-Xjob-Signature", fmt.Sprintf("%x", mac.Sum(nil)))
	}
	resp, err := w.client.Do(req)
	if err != nil {
		return fmt.Errorf("webhook %s: %w", w.cfg.Name, err)
	}
	defer resp.Body.Close()
	reply, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("webhook %s: HTTP %d: %s", w.cfg.Name, resp.StatusCode, strings.TrimSpace(string(reply)))
	}
	return checkReply(w.cfg.Name, reply)
}

// checkReply reads the error code chat platforms return with HTTP 200:
// DingTalk and WeCom {"errcode":0,...}, Feishu {"code":0,...}.
func checkReply(name string, reply []byte) error {
	var r struct {
		ErrCode *int   `json:"errcode"`
		ErrMsg  string `json:"errmsg"`
		Code    *int   `json:"code"`
		Msg     string `json:"msg"`
	}
	if json.Unmarshal(reply, &r) != nil {
		return nil // not JSON (Slack answers "ok")
	}
	if r.ErrCode != nil && *r.ErrCode != 0 {
		return fmt.Errorf("webhook %s: errcode %d: %s", name, *r.ErrCode, r.ErrMsg)
	}
	if r.Code != nil && *r.Code != 0 {
		return fmt.Errorf("webhook %s: code %d: %s", name, *r.Code, r.Msg)
	}
	return nil
}

// request returns the URL and JSON body for the channel's kind.
func (w *Webhook) request(c content) (string, []byte, error) {
	var payload any
	target := w.cfg.URL
	switch w.cfg.Kind {
	case KindDingTalk:
		payload = map[string]any{"msgtype": "markdown",
			"markdown": map[string]string{"title": c.Subject, "text": c.Markdown()}}
		if w.cfg.Secret != "" {
			target = dingTalkSign(target, w.cfg.Secret, w.now())
		}
	case KindWeCom:
		payload = map[string]any{"msgtype": "markdown", "markdown": map[string]string{"content": c.Markdown()}}
	case KindFeishu:
		p := map[string]any{"msg_type": "text", "content": map[string]string{"text": c.Subject + "\n\n" + c.Text()}}
		if w.cfg.Secret != "" {
			ts := strconv.FormatInt(w.now().Unix(), 10)
			p["timestamp"], p["sign"] = ts, feishuSign(ts, w.cfg.Secret)
		}
		payload = p
	case KindSlack:
		payload = map[string]string{"text": "*" + c.Subject + "*\n" + c.Text()}
	default:
		payload = jsonPayload(c)
	}
	body, err := json.Marshal(payload)
	if err != nil {
		return "", nil, fmt.Errorf("webhook %s: encode: %w", w.cfg.Name, err)
	}
	return target, body, nil
}

// jsonPayload is the generic webhook's body: the alarm's facts, for
// receivers that format it themselves.
func jsonPayload(c content) map[string]any {
	p := map[string]any{
		"subject": c.Subject, "jobId": c.JobID, "jobDesc": c.JobDesc, "group": c.GroupTitle,
		"logId": c.LogID, "triggerCode": c.TriggerCode, "handleCode": c.HandleCode,
		"kind": c.Kind, "detail": c.DetailText, "text": c.Text(), "suppressed": c.Count,
	}
	if !c.TriggerTime.IsZero() {
		p["triggerTime"] = c.TriggerTime.UnixMilli()
	}
	return p
}

// dingTalkSign appends DingTalk's signature: base64(HMAC-SHA256(secret,
// timestamp+"\n"+secret)), URL-encoded, with the timestamp in ms.
func dingTalkSign(target, secret string, now time.Time) string {
	ts := strconv.FormatInt(now.UnixMilli(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "\n" + secret))
	sign := url.QueryEscape(base64.StdEncoding.EncodeToString(mac.Sum(nil)))
	sep := "?"
	if strings.Contains(target, "?") {
		sep = "&"
	}
	return target + sep + "timestamp=" + ts + "&sign=" + sign
}

// feishuSign is Feishu's signature: base64(HMAC-SHA256 keyed with
// timestamp+"\n"+secret over an empty message), timestamp in seconds.
func feishuSign(ts, secret string) string {
	mac := hmac.New(sha256.New, []byte(ts+"\n"+secret))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}
