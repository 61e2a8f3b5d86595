package templates

import (
	"context"
	"html"
	"io"
	"regexp"
	"strings"

	"github.com/a-h/templ"
)

// Stored trigger and handle messages (and executor logs) contain a little
// intended HTML: line breaks, bold text and coloured section titles such as
// <span style="color:#00c0ef;" >. Sanitize keeps exactly these, rewritten to
// a canonical form, and escapes everything else, so a job parameter or an
// executor's message can never inject markup or script.
var (
	reBr        = regexp.MustCompile(`(?i)^<br\s*/?>`)
	reB         = regexp.MustCompile(`(?i)^<b\s*>`)
	reBEnd      = regexp.MustCompile(`(?i)^</b\s*>`)
	reSpan      = regexp.MustCompile(`(?i)^<span\s+style\s*=\s*"\s*color\s*:\s*(#[0-9a-f]{3,8}|[a-z]{3,20})\s*;?\s*"\s*>`)
	reSpanEnd   = regexp.MustCompile(`(?i)^</span\s*>`)
	maxTagBytes = 80
)

// Sanitize returns s as HTML in which only <br>, <b>…</b> and
// <span style="color:…">…</span> are markup; every other character is
// escaped. Tags are balanced: stray closing tags are dropped and open ones
// closed at the end.
func Sanitize(s string) string {
	var b strings.Builder
	b.Grow(len(s) + len(s)/8)
	var open []string // stack of "b" / "span"
	for {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			b.WriteString(html.EscapeString(s))
			break
		}
		b.WriteString(html.EscapeString(s[:i]))
		s = s[i:]
		head := s
		if len(head) > maxTagBytes {
			head = head[:maxTagBytes]
		}
		if m := reBr.FindString(head); m != "" {
			b.WriteString("<br>")
			s = s[len(m):]
		} else if m := reB.FindString(head); m != "" {
			b.WriteString("<b>")
			open = append(open, "b")
			s = s[len(m):]
		} else if m := reSpan.FindStringSubmatch(head); m != nil {
			b.WriteString(`<span style="color:` + strings.ToLower(m[1]) + `">`)
			open = append(open, "span")
			s = s[len(m[0]):]
		} else if m := reBEnd.FindString(head); m != "" {
			open = closeTag(&b, open, "b")
			s = s[len(m):]
		} else if m := reSpanEnd.FindString(head); m != "" {
			open = closeTag(&b, open, "span")
			s = s[len(m):]
		} else {
			b.WriteString("&lt;")
			s = s[1:]
		}
	}
	for i := len(open) - 1; i >= 0; i-- {
		b.WriteString("</" + open[i] + ">")
	}
	return b.String()
}

// closeTag closes tag if it is open, closing the tags opened after it too;
// a closing tag with nothing to close is dropped.
func closeTag(b *strings.Builder, open []string, tag string) []string {
	for i := len(open) - 1; i >= 0; i-- {
		if open[i] == tag {
			for j := len(open) - 1; j >= i; j-- {
				b.WriteString("</" + open[j] + ">")
			}
			return open[:i]
		}
	}
	return open
}

// Sanitized renders a stored message through Sanitize.
func Sanitized(s string) templ.Component {
	return templ.ComponentFunc(func(_ context.Context, w io.Writer) error {
		_, err := io.WriteString(w, Sanitize(s))
		return err
	})
}

// logText renders a piece of executor log through Sanitize, in a span with
// no whitespace around it: the console is a <pre>, where every space shows.
func logText(s string) templ.Component {
	return templ.ComponentFunc(func(_ context.Context, w io.Writer) error {
		if s == "" {
			return nil
		}
		_, err := io.WriteString(w, `<span class="chunk">`+Sanitize(s)+`</span>`)
		return err
	})
}
