// Package alarm sends the fail monitor's alarms: by mail (SMTP through
// go-mail) and to chat webhooks (generic JSON, DingTalk, WeCom, Feishu,
// Slack). Fanout is the ports.Alarmer the application uses: it picks the
// channels that apply to a job, sends on them concurrently, each under its
// own timeout, and reports which failed.
package alarm

import (
	"fmt"
	"html"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/xjob-dev/xjob/domain"
	"github.com/xjob-dev/xjob/ports"
)

// content is an alarm rendered once, in the configured language, and then
// shaped by each channel.
type content struct {
	Subject    string
	Heading    string
	Fields     []field
	DetailHTML string // trigger/handle messages as stored (HTML)
	DetailText string // the same as plain text
	Suppressed string // "" when nothing was suppressed

	JobID       int64
	JobDesc     string
	GroupTitle  string
	LogID       int64
	TriggerTime time.Time
	TriggerCode int
	HandleCode  int
	Kind        string // "trigger" or "handle"
	Count       int    // suppressed count
}

type field struct{ Label, Value string }

// render builds the alarm's text from the log the way upstream's mail does:
// the trigger message when triggering failed, the handle message when the
// run failed.
func render(msgs ports.Messages, a ports.Alarm, loc *time.Location) content {
	job, log := a.Job, a.Log
	c := content{
		JobID: job.ID, JobDesc: job.Desc, LogID: log.ID, TriggerTime: log.TriggerTime,
		TriggerCode: log.TriggerCode, HandleCode: log.HandleCode, Count: a.Suppressed, Kind: "handle",
	}
	typeKey := "alarm_type_handle_fail"
	if log.TriggerCode != domain.CodeSuccess && log.TriggerCode != domain.CodeNone {
		typeKey, c.Kind = "alarm_type_trigger_fail", "trigger"
	}
	group := strconv.FormatInt(job.GroupID, 10)
	if a.Group != nil {
		group = a.Group.Title
		c.GroupTitle = a.Group.Title
	}
	data := map[string]any{"JobID": job.ID, "JobDesc": job.Desc, "LogID": log.ID, "Count": a.Suppressed}
	c.Subject = msgs.T("alarm_subject", data)
	c.Heading = msgs.T("alarm_heading", data)
	trigger := ""
	if !log.TriggerTime.IsZero() {
		trigger = log.TriggerTime.In(loc).Format(time.DateTime)
	}
	c.Fields = []field{
		{msgs.T("alarm_field_group", nil), group},
		{msgs.T("alarm_field_job", nil), fmt.Sprintf("%d - %s", job.ID, job.Desc)},
		{msgs.T("alarm_field_type", nil), msgs.T(typeKey, nil)},
		{msgs.T("alarm_field_log", nil), strconv.FormatInt(log.ID, 10)},
		{msgs.T("alarm_field_trigger_time", nil), trigger},
	}
	var detail []string
	if c.Kind == "trigger" {
		detail = append(detail, log.TriggerMsg)
	}
	if log.HandleCode > 0 && log.HandleCode != domain.CodeSuccess {
		detail = append(detail, fmt.Sprintf("HandleCode=%d<br>%s", log.HandleCode, log.HandleMsg))
	}
	c.DetailHTML = strings.Join(detail, "<br><br>")
	c.DetailText = htmlToText(c.DetailHTML)
	if a.Suppressed > 0 {
		c.Suppressed = msgs.T("alarm_suppressed", data)
	}
	return c
}

// Text is the alarm as plain text: heading, one "label: value" line per
// field, the details and the suppressed note.
func (c content) Text() string {
	var b strings.Builder
	b.WriteString(c.Heading + "\n\n")
	for _, f := range c.Fields {
		fmt.Fprintf(&b, "%s: %s\n", f.Label, f.Value)
	}
	if c.DetailText != "" {
		b.WriteString("\n" + c.DetailText + "\n")
	}
	if c.Suppressed != "" {
		b.WriteString("\n" + c.Suppressed + "\n")
	}
	return b.String()
}

// Markdown is the alarm for chat channels that render markdown.
func (c content) Markdown() string {
	var b strings.Builder
	b.WriteString("### " + c.Heading + "\n\n")
	for _, f := range c.Fields {
		fmt.Fprintf(&b, "- **%s**: %s\n", f.Label, f.Value)
	}
	if c.DetailText != "" {
		b.WriteString("\n> " + strings.ReplaceAll(c.DetailText, "\n", "\n> ") + "\n")
	}
	if c.Suppressed != "" {
		b.WriteString("\n" + c.Suppressed + "\n")
	}
	return b.String()
}

// HTML is the alarm as the body of a mail: a table like upstream's, whose
// details keep the stored messages' markup (they are the admin's own HTML).
func (c content) HTML() string {
	var b strings.Builder
	b.WriteString("<h3>" + html.EscapeString(c.Heading) + "</h3>\n")
	b.WriteString(`<table border="1" cellpadding="4" style="border-collapse:collapse">` + "\n")
	for _, f := range c.Fields {
		fmt.Fprintf(&b, "<tr><th align=\"left\">%s</th><td>%s</td></tr>\n", html.EscapeString(f.Label), html.EscapeString(f.Value))
	}
	b.WriteString("</table>\n")
	if c.DetailHTML != "" {
		b.WriteString("<p>" + c.DetailHTML + "</p>\n")
	}
	if c.Suppressed != "" {
		b.WriteString("<p><i>" + html.EscapeString(c.Suppressed) + "</i></p>\n")
	}
	return b.String()
}

var (
	brTag  = regexp.MustCompile(`(?i)<br\s*/?>`)
	anyTag = regexp.MustCompile(`<[^>]*>`)
	blanks = regexp.MustCompile(`\n{3,}`)
)

// htmlToText turns the admin's stored message HTML into plain text.
func htmlToText(s string) string {
	s = brTag.ReplaceAllString(s, "\n")
	s = anyTag.ReplaceAllString(s, "")
	s = html.UnescapeString(s)
	s = blanks.ReplaceAllString(s, "\n\n")
	return strings.TrimSpace(s)
}
