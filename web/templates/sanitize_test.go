package templates

import (
	"context"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

func TestSanitize(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"Plain", "a & b", "a &amp; b"},
		{"Br", "a<br>b<br/>c<BR />d", "a<br>b<br>c<br>d"},
		{"Bold", "<b>x</b>", "<b>x</b>"},
		{"UpstreamSpan", `<span style="color:#00c0ef;" > >>>Trigger<<< </span>`, `<span style="color:#00c0ef"> &gt;&gt;&gt;Trigger&lt;&lt;&lt; </span>`},
		{"NamedColor", `<span style="color: red">x</span>`, `<span style="color:red">x</span>`},
		{"SpanOtherStyle", `<span style="background:url(x)">x</span>`, `&lt;span style=&#34;background:url(x)&#34;&gt;x`},
		{"SpanColorInjection", `<span style="color:red;position:fixed">x</span>`, `&lt;span style=&#34;color:red;position:fixed&#34;&gt;x`},
		{"Script", `<script>alert(1)</script>`, `&lt;script&gt;alert(1)&lt;/script&gt;`},
		{"Img", `<img src=x onerror=alert(1)>`, `&lt;img src=x onerror=alert(1)&gt;`},
		{"BoldWithAttr", `<b onclick="x">y</b>`, `&lt;b onclick=&#34;x&#34;&gt;y`},
		{"UnclosedClosed", "<b>x", "<b>x</b>"},
		{"StrayClose", "x</b></span>y", "xy"},
		{"Nested", `<b><span style="color:#fff">x</b>y`, `<b><span style="color:#fff">x</span></b>y`},
		{"Entity", "&lt;script&gt;", "&amp;lt;script&amp;gt;"},
		{"LoneLt", "a < b", "a &lt; b"},
		{"Empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Sanitize(tt.in); got != tt.want {
				t.Fatalf("Sanitize(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}

// FuzzSanitize checks that no input ever yields an element other than the
// allowed ones, or an attribute other than a colour style.
func FuzzSanitize(f *testing.F) {
	for _, s := range []string{"<b>x</b>", `<span style="color:red">`, "<script>", "<<br>>", "<img/src=x>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Sanitize(s)
		doc, err := goquery.NewDocumentFromReader(strings.NewReader("<div id=root>" + out + "</div>"))
		if err != nil {
			t.Skip()
		}
		doc.Find("#root *").Each(func(_ int, sel *goquery.Selection) {
			tag := goquery.NodeName(sel)
			if tag != "br" && tag != "b" && tag != "span" {
				t.Fatalf("Sanitize(%q) = %q has <%s>", s, out, tag)
			}
			for _, a := range sel.Nodes[0].Attr {
				if a.Key != "style" || !strings.HasPrefix(a.Val, "color:") || strings.ContainsAny(a.Val, ";()") {
					t.Fatalf("Sanitize(%q) = %q has attribute %s=%q", s, out, a.Key, a.Val)
				}
			}
		})
	})
}

func TestCharts(t *testing.T) {
	days := []DayView{{Label: "01-01", Date: "2026-01-01", Success: 7, Fail: 2, Running: 1}, {Label: "01-02", Date: "2026-01-02"}}
	c := buildBarChart(days, func(d DayView) string { return d.Date })
	if c.Empty || len(c.Bars) != 2 || len(c.Bars[0].Segments) != 3 || len(c.Bars[1].Segments) != 0 {
		t.Fatalf("chart = %+v", c)
	}
	top := c.Bars[0].Segments[2]
	if top.Y < plotT || top.Y > plotB {
		t.Fatalf("bar outside plot: %+v", top)
	}
	if niceMax(10) != 12 && niceMax(10) != 20 {
		t.Fatalf("niceMax(10) = %d", niceMax(10))
	}
	segs, total := buildDonut(7, 2, 1)
	if total != 10 || len(segs) != 3 {
		t.Fatalf("donut = %v %d", segs, total)
	}
	if _, total := buildDonut(0, 0, 0); total != 0 {
		t.Fatal("empty donut")
	}
}

func TestDashboardRenders(t *testing.T) {
	ctx := WithPageInfo(context.Background(), PageInfo{Base: "/x", CSRF: "tok", Lang: "en", User: &UserInfo{Username: "alice", Admin: true}})
	var b strings.Builder
	v := DashboardView{Jobs: 3, Runs: 10, Successes: 7, Executors: 2, Days: []DayView{{Label: "01-01", Success: 7, Fail: 2, Running: 1}}}
	if err := DashboardPage(v).Render(ctx, &b); err != nil {
		t.Fatal(err)
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	if doc.Find(`[data-testid="stat-jobs"] .stat-value`).Text() != "3" || doc.Find(`[data-testid="bar-chart"] rect.c-success`).Length() != 1 {
		t.Fatalf("dashboard: %s", b.String())
	}
	if doc.Find(`[data-testid="donut-chart"] circle.donut-seg`).Length() != 3 {
		t.Fatal("donut segments")
	}
	if href, _ := doc.Find(`[data-testid="nav-jobs"]`).Attr("href"); href != "/x/jobinfo" {
		t.Fatalf("nav link %q", href)
	}
}
