// Package api serves the executor-facing endpoints of the admin:
// POST /api/registry, /api/registryRemove and /api/callback, with the
// replies of upstream XXL-JOB 3.4.2 (HTTP 200 and a {"code","msg"}
// envelope, also for errors), so unmodified Java and Go executors work.
//
// The handler is mounted by the composition root under the configured
// context path and under /xxl-job-admin. It needs no login; the shared
// access token guards it. Allowed imports: domain, the standard library and chi.
package api

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/xjob-dev/xjob/domain"
)

// MaxBodyBytes caps a request body. A Java executor sends every queued
// result in one callback and retries a rejected batch from disk forever,
// so the cap is generous: thousands of results with long messages fit.
const MaxBodyBytes = 8 << 20

// Registerer records an executor heartbeat (application.RegisterExecutor).
type Registerer interface {
	Register(ctx context.Context, p domain.RegistryParam) error
}

// Remover forgets an executor (application.RemoveExecutor).
type Remover interface {
	Remove(ctx context.Context, p domain.RegistryParam) error
}

// CallbackHandler records run results (application.HandleCallback).
type CallbackHandler interface {
	Handle(ctx context.Context, params []domain.CallbackParam) error
}

// Upstream's error texts, which executors log verbatim.
const (
	msgMethod     = "invalid request, HttpMethod not support."
	msgURIEmpty   = "invalid request, uri-mapping empty."
	msgBodyEmpty  = "invalid request, requestBody empty."
	msgNotFound   = "invalid request, uri-mapping(%s) not found."
	msgInvokeFail = "openapi invoke error: %s"
)

type handler struct {
	token  []byte
	reg    Registerer
	rm     Remover
	cb     CallbackHandler
	logger *slog.Logger
}

// NewHandler returns the executor API. token is the shared access token;
// empty disables the check, as upstream. logger may be nil.
func NewHandler(token string, reg Registerer, rm Remover, cb CallbackHandler, logger *slog.Logger) http.Handler {
	if reg == nil || rm == nil || cb == nil {
		panic("api.NewHandler: nil dependency")
	}
	if logger == nil {
		logger = slog.Default()
	}
	h := &handler{token: []byte(token), reg: reg, rm: rm, cb: cb, logger: logger}
	r := chi.NewRouter()
	r.HandleFunc("/api", h.serve)
	r.HandleFunc("/api/*", h.serve)
	r.NotFound(func(w http.ResponseWriter, r *http.Request) {
		h.write(w, domain.CodeFail, fmt.Sprintf(msgNotFound, r.URL.Path))
	})
	return r
}

// reply is the 3.x envelope; executors read only code (and msg to log).
type reply struct {
	Code int    `json:"code"`
	Msg  string `json:"msg"`
}

// serve applies upstream's checks in upstream's order, then dispatches.
func (h *handler) serve(w http.ResponseWriter, r *http.Request) {
	// The router may be mounted under a context path: take the part after
	// /api from chi's wildcard, not from the full URL path.
	uri := strings.Trim(chi.URLParam(r, "*"), "/")
	switch {
	case r.Method != http.MethodPost:
		h.write(w, domain.CodeFail, msgMethod)
	case uri == "":
		h.write(w, domain.CodeFail, msgURIEmpty)
	default:
		h.serveBody(w, r, uri)
	}
}

func (h *handler) serveBody(w http.ResponseWriter, r *http.Request, uri string) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		h.write(w, domain.CodeFail, fmt.Sprintf("invalid request, requestBody larger than %d bytes.", MaxBodyBytes))
	case err != nil:
		h.write(w, domain.CodeFail, fmt.Sprintf(msgInvokeFail, "reading the request body failed"))
	case strings.TrimSpace(string(body)) == "":
		h.write(w, domain.CodeFail, msgBodyEmpty)
	case !h.tokenOK(r):
		h.write(w, domain.CodeFail, domain.MsgAccessTokenWrong)
	default:
		h.dispatch(w, r.Context(), uri, body)
	}
}

func (h *handler) tokenOK(r *http.Request) bool {
	if len(h.token) == 0 {
		return true
	}
	return subtle.ConstantTimeCompare([]byte(r.Header.Get(domain.AccessTokenHeader)), h.token) == 1
}

func (h *handler) dispatch(w http.ResponseWriter, ctx context.Context, uri string, body []byte) {
	var err error
	switch uri {
	case "callback":
		err = h.callback(ctx, body)
	case "registry":
		err = h.registry(ctx, body, h.reg.Register)
	case "registryRemove":
		err = h.registry(ctx, body, h.rm.Remove)
	default:
		h.write(w, domain.CodeFail, fmt.Sprintf(msgNotFound, uri))
		return
	}
	if err != nil {
		h.write(w, domain.CodeFail, h.errorMsg(uri, err))
		return
	}
	h.write(w, domain.CodeSuccess, domain.MsgSuccess)
}

// callback records the results before replying, so a store failure is
// answered with code 500 and the executor sends the batch again (the first
// result wins, so a repeat is harmless). The work does not stop when the
// executor gives up waiting: its retry then finds the results recorded.
func (h *handler) callback(ctx context.Context, body []byte) error {
	var params []domain.CallbackParam
	if err := json.Unmarshal(body, &params); err != nil {
		return invokeError{err}
	}
	return h.cb.Handle(context.WithoutCancel(ctx), params)
}

func (h *handler) registry(ctx context.Context, body []byte, do func(context.Context, domain.RegistryParam) error) error {
	var p domain.RegistryParam
	if err := json.Unmarshal(body, &p); err != nil {
		return invokeError{err}
	}
	return do(context.WithoutCancel(ctx), p)
}

// invokeError marks a request the admin could not parse.
type invokeError struct{ err error }

func (e invokeError) Error() string { return e.err.Error() }

// errorMsg turns a failure into the reply's msg: domain errors such as
// "Illegal Argument." verbatim, parse errors as upstream words them, and
// anything else as a short text (details go to the log, not the executor).
func (h *handler) errorMsg(uri string, err error) string {
	var ie invokeError
	if errors.As(err, &ie) {
		return fmt.Sprintf(msgInvokeFail, ie.err.Error())
	}
	if code := domain.ErrorCode(err); code != domain.EINTERNAL {
		return domain.ErrorMessage(err)
	}
	h.logger.Error("executor api request failed", "uri", uri, "err", err)
	return fmt.Sprintf(msgInvokeFail, "the admin could not record the request; send it again")
}

func (h *handler) write(w http.ResponseWriter, code int, msg string) {
	b, _ := json.Marshal(reply{Code: code, Msg: msg})
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(http.StatusOK)
	w.Write(b)
}
