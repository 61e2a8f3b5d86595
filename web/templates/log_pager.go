package templates

import (
	"context"
	"strconv"
)

// LogPager is the log list's pager. It pages by cursor (the logs older or
// newer than a log id, LogPage.Older/Newer), so a deep page costs what the
// first one does; Page is the page's number along the way. Its total may
// be a lower bound (TotalCapped), shown as "10,000+".
type LogPager struct {
	Page, Size  int
	Total       int
	TotalCapped bool
	// Older and Newer are the cursors of the neighbour pages; 0 = none.
	Older, Newer int64
	// Query is the filter query string without paging; Path the list path.
	Query, Path string
	// Target is the id of the element the htmx links update.
	Target string
}

// Pages is the number of pages an exact total makes (at least Page).
func (p LogPager) Pages() int {
	n := 1
	if p.Size > 0 {
		n = (p.Total + p.Size - 1) / p.Size
	}
	return max(n, p.Page, 1)
}

func (p LogPager) visible() bool {
	return p.Total > 0 || p.TotalCapped || p.Older != 0 || p.Page > 1
}

// link is the list's URL with the filter and the paging parameters in
// extra (e.g. "before=123&page=4").
func (p LogPager) link(ctx context.Context, extra string) string {
	q := p.Query
	if q != "" && extra != "" {
		q += "&"
	}
	return Path(ctx, p.Path) + "?" + q + extra
}

// newestLink leads to the first page.
func (p LogPager) newestLink(ctx context.Context) string { return p.link(ctx, "") }

// prevLink leads to the next newer page (the first page for page 2).
func (p LogPager) prevLink(ctx context.Context) string {
	if p.Page <= 2 || p.Newer == 0 {
		return p.newestLink(ctx)
	}
	return p.link(ctx, "after="+strconv.FormatInt(p.Newer, 10)+"&page="+itoa(p.Page-1))
}

// nextLink leads to the next older page.
func (p LogPager) nextLink(ctx context.Context) string {
	return p.link(ctx, "before="+strconv.FormatInt(p.Older, 10)+"&page="+itoa(p.Page+1))
}

// groupDigits writes n with a comma between groups of three digits
// (10,000), as all three console languages do.
func groupDigits(n int) string {
	s := strconv.Itoa(n)
	neg := n < 0
	if neg {
		s = s[1:]
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		return "-" + s
	}
	return s
}
