package web

import (
	"net/http"

	"github.com/xjob-dev/xjob/web/templates"
)

// handleHelp shows the static help page (upstream's /help). The executor
// examples use the address this request came in on, with the context path;
// behind a proxy that rewrites Host it is the proxy's address, which the
// page tells the reader to check.
func (s *Server) handleHelp(w http.ResponseWriter, r *http.Request) {
	scheme := "http"
	if isTLS(r) {
		scheme = "https"
	}
	s.page(w, r, http.StatusOK, "help", templates.HelpPage(templates.HelpView{AdminURL: scheme + "://" + r.Host + s.base}))
}
