package sqlstore

import (
	"strings"

	"github.com/uptrace/bun"
)

// likeEscape is the escape character of every LIKE the stores build; it is
// not a backslash so the same SQL means the same on MySQL and SQLite.
const likeEscape = "!"

// whereLike adds "col LIKE %s%" with s's wildcards escaped, so a filter
// matches the literal substring (upstream passes % and _ through).
func whereLike(q *bun.SelectQuery, col, s string) *bun.SelectQuery {
	if s == "" {
		return q
	}
	r := strings.NewReplacer(likeEscape, likeEscape+likeEscape, "%", likeEscape+"%", "_", likeEscape+"_")
	return q.Where("? LIKE ? ESCAPE '"+likeEscape+"'", bun.Ident(col), "%"+r.Replace(s)+"%")
}

// chunks splits s into slices of at most n elements.
func chunks[T any](s []T, n int) [][]T {
	var out [][]T
	for len(s) > n {
		out = append(out, s[:n:n])
		s = s[n:]
	}
	if len(s) > 0 {
		out = append(out, s)
	}
	return out
}

// page applies offset and limit (0 = no limit).
func page(q *bun.SelectQuery, offset, limit int) *bun.SelectQuery {
	if limit > 0 {
		q = q.Limit(int64(limit))
	}
	if offset > 0 {
		if limit <= 0 {
			q = q.Limit(1 << 62) // MySQL wants a LIMIT before OFFSET
		}
		q = q.Offset(int64(offset))
	}
	return q
}
