package executor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// HTTPJobName is the handler name of upstream's built-in HTTP job, under
// which HTTPJobHandler is usually registered.
const HTTPJobName = "httpJobHandler"

// maxHTTPJobLog bounds how much of a response body is copied to the log.
const maxHTTPJobLog = 64 << 10

// httpJobParam is the JSON form of an HTTP job's param. Upstream 3.x calls
// the body "data"; both names are accepted.
type httpJobParam struct {
	URL         string `json:"url"`
	Method      string `json:"method"`
	Body        string `json:"body"`
	Data        string `json:"data"`
	ContentType string `json:"contentType"`
}

// HTTPJobHandler returns a Handler that makes one HTTP request and fails
// unless the answer is 2xx. The job's param is a URL, or JSON
// {"url": ..., "method": "POST", "body": ..., "contentType": ...} (method
// defaults to GET, or POST when there is a body).
//
// Only URLs that start with one of allow are requested, redirects included,
// so the admin cannot turn the executor into a proxy to internal services
// (upstream's CVE-2025-7787). A prefix that does not end in "/" must be
// followed by "/", "?", "#" or nothing, so "https://api.example.com" does
// not allow "https://api.example.com.evil.net". With no prefix every
// request is refused.
func HTTPJobHandler(allow []string) Handler {
	allow = trimAll(allow)
	client := &http.Client{CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		if !urlAllowed(req.URL.String(), allow) {
			return fmt.Errorf("redirect to %s is not allowed", req.URL.Redacted())
		}
		return nil
	}}
	return func(ctx context.Context, job *Job) error {
		req, err := httpJobRequest(ctx, job.Param, allow)
		if err != nil {
			return err
		}
		job.Log("%s %s", req.Method, req.URL.Redacted())
		resp, err := client.Do(req)
		if err != nil {
			return fmt.Errorf("http request: %w", err)
		}
		defer resp.Body.Close()
		job.Log("response: %s", resp.Status)
		_, _ = io.Copy(job.Logger(), io.LimitReader(resp.Body, maxHTTPJobLog))
		_, _ = io.WriteString(job.Logger(), "\n")
		if resp.StatusCode/100 != 2 {
			return fmt.Errorf("http status %d", resp.StatusCode)
		}
		return nil
	}
}

// httpJobRequest builds the request described by param, or refuses it.
func httpJobRequest(ctx context.Context, param string, allow []string) (*http.Request, error) {
	p, err := parseHTTPJobParam(param)
	if err != nil {
		return nil, err
	}
	u, err := url.Parse(p.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("url %q is not an http(s) URL", p.URL)
	}
	if !urlAllowed(p.URL, allow) {
		return nil, fmt.Errorf("url %s is not allowed on this executor (see --http-allow)", u.Redacted())
	}
	req, err := http.NewRequestWithContext(ctx, p.Method, p.URL, strings.NewReader(p.Body))
	if err != nil {
		return nil, err
	}
	if p.Body != "" {
		req.Header.Set("Content-Type", p.ContentType)
	}
	return req, nil
}

// parseHTTPJobParam accepts a bare URL or the JSON form and fills defaults.
func parseHTTPJobParam(param string) (httpJobParam, error) {
	param = strings.TrimSpace(param)
	p := httpJobParam{URL: param}
	if strings.HasPrefix(param, "{") {
		p = httpJobParam{}
		if err := json.Unmarshal([]byte(param), &p); err != nil {
			return p, fmt.Errorf("param is not valid JSON: %w", err)
		}
	}
	if p.URL == "" {
		return p, errors.New(`param must be a URL or {"url": ...}`)
	}
	if p.Body == "" {
		p.Body = p.Data
	}
	p.Method = strings.ToUpper(strings.TrimSpace(p.Method))
	if p.Method == "" {
		p.Method = http.MethodGet
		if p.Body != "" {
			p.Method = http.MethodPost
		}
	}
	if p.ContentType == "" {
		p.ContentType = "text/plain;charset=UTF-8"
		if b := strings.TrimSpace(p.Body); strings.HasPrefix(b, "{") || strings.HasPrefix(b, "[") {
			p.ContentType = "application/json;charset=UTF-8"
		}
	}
	return p, nil
}

// urlAllowed reports whether raw starts with one of the allowed prefixes at
// a path boundary.
func urlAllowed(raw string, allow []string) bool {
	for _, prefix := range allow {
		rest, ok := strings.CutPrefix(raw, prefix)
		if !ok {
			continue
		}
		if strings.HasSuffix(prefix, "/") || rest == "" || strings.ContainsRune("/?#", rune(rest[0])) {
			return true
		}
	}
	return false
}
