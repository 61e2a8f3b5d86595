package executor

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/xjob-dev/xjob/domain"
)

// maxRequestBody is the largest request the executor reads (upstream's
// Netty aggregator limit).
const maxRequestBody = 5 << 20

// replyContentType is what the Java executor answers with, JSON or not.
const replyContentType = "text/html;charset=UTF-8"

// Replies to malformed requests, worded as upstream's embedded server.
const (
	msgMethodNotSupported = "invalid request, HttpMethod not support."
	msgURINotFound        = "invalid request, uri-mapping(%s) not found."
	msgTooLarge           = "invalid request, request body larger than 5 MiB."
	msgRequestError       = "request error:"
)

// server is the executor's HTTP API, called by the admin.
type server struct {
	ex    *Executor
	token string // blank: accept any request
}

// endpoint handles one API path; it returns the reply envelope.
type endpoint func(s *server, body []byte) any

var endpoints = map[string]endpoint{
	"/beat":     (*server).beat,
	"/idleBeat": (*server).idleBeat,
	"/run":      (*server).run,
	"/kill":     (*server).kill,
	"/log":      (*server).log,
}

// ServeHTTP checks method, token and path in upstream's order, then reads
// the body and dispatches. Logical failures are HTTP 200 with code 500.
func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		writeReply(w, http.StatusOK, fail(msgMethodNotSupported))
		return
	}
	if !s.tokenOK(r.Header.Get(domain.AccessTokenHeader)) {
		writeReply(w, http.StatusOK, fail(domain.MsgAccessTokenWrong))
		return
	}
	path := r.URL.Path
	ep, ok := endpoints[path]
	if !ok {
		writeReply(w, http.StatusOK, fail(fmt.Sprintf(msgURINotFound, path)))
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequestBody))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		writeReply(w, http.StatusRequestEntityTooLarge, fail(msgTooLarge))
		return
	} else if err != nil {
		writeReply(w, http.StatusOK, fail(msgRequestError+err.Error()))
		return
	}
	writeReply(w, http.StatusOK, ep(s, body))
}

// tokenOK compares in constant time; a blank executor token accepts all.
func (s *server) tokenOK(got string) bool {
	if strings.TrimSpace(s.token) == "" {
		return true
	}
	return subtle.ConstantTimeCompare([]byte(s.token), []byte(got)) == 1
}

func (s *server) beat(_ []byte) any { return ok() }

func (s *server) idleBeat(body []byte) any {
	var p domain.JobIDParam
	if err := decode(body, &p); err != nil {
		return fail(msgRequestError + err.Error())
	}
	if !s.ex.jobs.idleBeat(p.JobID) {
		return fail(msgIdleBusy)
	}
	return ok()
}

func (s *server) run(body []byte) any {
	var p domain.TriggerParam
	if err := decode(body, &p); err != nil {
		return fail(msgRequestError + err.Error())
	}
	if msg := s.ex.trigger(p); msg != "" {
		return fail(msg)
	}
	return ok()
}

func (s *server) kill(body []byte) any {
	var p domain.JobIDParam
	if err := decode(body, &p); err != nil {
		return fail(msgRequestError + err.Error())
	}
	if !s.ex.jobs.kill(p.JobID, reasonAdminKill) {
		msg := msgAlreadyKilled
		return domain.ReturnT[string]{Code: domain.CodeSuccess, Msg: domain.MsgSuccess, Data: &msg}
	}
	return ok()
}

func (s *server) log(body []byte) any {
	var p domain.LogParam
	if err := decode(body, &p); err != nil {
		return fail(msgRequestError + err.Error())
	}
	res := readRunLog(s.ex.opts.LogDir, p, !s.ex.jobs.isActive(p.LogID))
	return domain.ReturnT[domain.LogResult]{Code: domain.CodeSuccess, Msg: domain.MsgSuccess, Data: &res}
}

// decode parses a JSON request body; an empty body is an error.
func decode(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return errors.New("empty request body")
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("invalid JSON: %w", err)
	}
	return nil
}

// reply is the envelope without payload.
type reply = domain.ReturnT[struct{}]

func ok() reply             { return reply{Code: domain.CodeSuccess, Msg: domain.MsgSuccess} }
func fail(msg string) reply { return reply{Code: domain.CodeFail, Msg: msg} }

// writeReply writes v as compact JSON without HTML escaping (like Gson in
// upstream 3.x, so "<br>" stays readable) and without a trailing newline.
func writeReply(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		buf.Reset()
		buf.WriteString(`{"code":500,"msg":"encode reply failed"}`)
	}
	w.Header()["Content-Type"] = []string{replyContentType}
	w.WriteHeader(status)
	_, _ = w.Write(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
}
