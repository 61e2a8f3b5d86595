package web

import (
	"embed"
	"io/fs"
	"net/http"
	"strings"
)

// static holds the console's browser assets: app.css and favicon.svg
// (hand-written), htmx.min.js and editor.js (built by web/assets from npm
// packages; the output is committed so go build never needs node).
//
//go:embed static
var static embed.FS

func staticFS() fs.FS {
	f, err := fs.Sub(static, "static")
	if err != nil {
		panic(err) // embedded directory; cannot happen
	}
	return f
}

// staticHandler serves /static/*. URLs carry ?v=<asset version>, so they
// can be cached for long.
func (s *Server) staticHandler() http.Handler {
	files := http.FileServer(http.FS(s.static))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, "/static/")
		if name == "" || strings.HasSuffix(name, "/") {
			http.NotFound(w, r)
			return
		}
		if r.URL.Query().Get("v") == s.assetVer {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			w.Header().Set("Cache-Control", "public, max-age=300")
		}
		r2 := r.Clone(r.Context())
		r2.URL.Path = "/" + name
		files.ServeHTTP(w, r2)
	})
}
