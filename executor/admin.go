package executor

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/xjob-dev/xjob/domain"
)

// maxAdminReply bounds how much of an admin's reply is read.
const maxAdminReply = 1 << 20

// adminClient calls {admin}/api/{uri} on the configured admins, in order,
// until one answers code 200.
type adminClient struct {
	addrs []string
	token string
	http  *http.Client
}

func newAdminClient(addrs []string, token string, timeout time.Duration) *adminClient {
	return &adminClient{addrs: addrs, token: token, http: &http.Client{Timeout: timeout}}
}

// call posts body to every admin in turn and returns nil as soon as one
// answers code 200, or all the failures joined.
func (c *adminClient) call(ctx context.Context, uri string, body []byte) error {
	var errs []error
	for _, addr := range c.addrs {
		err := c.post(ctx, adminURL(addr, uri), body)
		if err == nil {
			return nil
		}
		errs = append(errs, fmt.Errorf("%s: %w", addr, err))
		if ctx.Err() != nil {
			break
		}
	}
	return errors.Join(errs...)
}

// adminURL joins an admin base address and an /api/ uri.
func adminURL(addr, uri string) string {
	return strings.TrimRight(addr, "/") + "/api/" + uri
}

func (c *adminClient) post(ctx context.Context, url string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	// Set the headers verbatim, as the Java client spells them.
	req.Header["Content-Type"] = []string{"application/json;charset=UTF-8"}
	if c.token != "" {
		req.Header[domain.AccessTokenHeader] = []string{c.token}
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAdminReply))
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("http status %d", resp.StatusCode)
	}
	var rt domain.ReturnT[json.RawMessage]
	if err := json.Unmarshal(data, &rt); err != nil {
		return fmt.Errorf("bad reply %.200q: %w", data, err)
	}
	if rt.Code != domain.CodeSuccess {
		return fmt.Errorf("code %d: %s", rt.Code, rt.Msg)
	}
	return nil
}

// registrar keeps the executor registered with the admins.
type registrar struct {
	admin    *adminClient
	param    domain.RegistryParam
	interval time.Duration
	log      *slog.Logger
}

// loop registers now and then every interval until ctx is done. Failures
// are logged, once per outage, and retried on the next beat.
func (r *registrar) loop(ctx context.Context) {
	t := time.NewTicker(r.interval)
	defer t.Stop()
	failing := false
	for {
		err := r.send(ctx, "registry")
		switch {
		case err != nil && ctx.Err() == nil && !failing:
			r.log.Warn("executor registry failed; retrying every beat", "err", err)
			failing = true
		case err == nil && failing:
			r.log.Info("executor registry succeeded again")
			failing = false
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// remove deregisters the executor (on Stop).
func (r *registrar) remove(ctx context.Context) error {
	return r.send(ctx, "registryRemove")
}

func (r *registrar) send(ctx context.Context, uri string) error {
	body, err := json.Marshal(r.param)
	if err != nil {
		return err
	}
	return r.admin.call(ctx, uri, body)
}
