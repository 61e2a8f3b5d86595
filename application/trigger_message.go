package application

import (
	"strconv"
	"strings"

	"github.com/xjob-dev/xjob/domain"
	"github.com/xjob-dev/xjob/ports"
)

// The trigger message (xxl_job_log.trigger_msg) is HTML in the admin's
// language with upstream's layout: "label：value" lines (full-width colon)
// joined by <br>, and a highlighted header before the executor's part.
// Values are stored as they are, like upstream's, so rows written by the
// Java admin and by xjob look alike; pages must sanitise on output.
const (
	msgColon     = "："
	msgBreak     = "<br>"
	msgSpanOpen  = `<br><br><span style="color:#00c0ef;" > >>>>>>>>>>>`
	msgSpanClose = "<<<<<<<<<<< </span><br>"
)

// triggerMsg renders the message of one shard's trigger.
func (uc *TriggerJob) triggerMsg(p *triggerPlan, s domain.Shard, addr, routeMsg string, res ports.ExecutorResult) string {
	var b strings.Builder
	uc.writeHead(&b, p, s)
	b.WriteString(header(uc.msgs, "jobconf_trigger_run"))
	uc.line(&b, "joblog_field_executorAddress", uc.addressLine(addr, routeMsg))
	if strings.TrimSpace(p.job.ExecutorHandler) != "" {
		b.WriteString(msgBreak + "JobHandler" + msgColon + p.job.ExecutorHandler)
	}
	uc.line(&b, "jobinfo_field_executorparam", p.param)
	uc.line(&b, "joblog_field_triggerMsg", uc.resultLine(res))
	return b.String()
}

// writeHead writes the lines describing the job and the trigger.
func (uc *TriggerJob) writeHead(b *strings.Builder, p *triggerPlan, s domain.Shard) {
	b.WriteString(uc.msgs.T("jobconf_trigger_type", nil) + msgColon + uc.msgs.T(p.req.Type.MessageID(), nil))
	uc.line(b, "jobconf_trigger_admin_adress", uc.adminAddr)
	uc.line(b, "jobconf_trigger_exe_regtype", uc.msgs.T(p.addrType.MessageID(), nil))
	uc.line(b, "jobconf_trigger_exe_regaddress", javaList(p.addrs))
	route := uc.msgs.T(p.route.MessageID(), nil)
	if p.broadcast {
		route += "(" + s.String() + ")"
	}
	uc.line(b, "jobinfo_field_executorRouteStrategy", route)
	uc.line(b, "jobinfo_field_executorBlockStrategy", uc.msgs.T(p.job.BlockStrategy.MessageID(), nil))
	uc.line(b, "jobinfo_field_timeout", strconv.Itoa(p.job.ExecutorTimeout))
	uc.line(b, "jobinfo_field_executorFailRetryCount", strconv.Itoa(p.retry))
}

// line writes "<br>label：value".
func (uc *TriggerJob) line(b *strings.Builder, labelID, value string) {
	b.WriteString(msgBreak + uc.msgs.T(labelID, nil) + msgColon + value)
}

func (uc *TriggerJob) addressLine(addr, routeMsg string) string {
	switch {
	case addr != "":
		return addr
	case routeMsg != "":
		return uc.msgs.T("jobconf_trigger_route_fail_msg", map[string]any{"Msg": routeMsg})
	}
	return uc.msgs.T("jobconf_trigger_route_fail", nil)
}

func (uc *TriggerJob) resultLine(res ports.ExecutorResult) string {
	switch {
	case res.OK():
		return uc.msgs.T("jobconf_trigger_result_success", nil)
	case res.Msg != "":
		return uc.msgs.T("jobconf_trigger_result_error", map[string]any{"Msg": res.Msg})
	}
	return uc.msgs.T("jobconf_trigger_result_fail", nil)
}

// runMsg describes the executor's answer to /run.
func (uc *TriggerJob) runMsg(addr string, res ports.ExecutorResult) string {
	return uc.msgs.T("jobconf_trigger_run", nil) + msgColon + answer(addr, res)
}

// probeMsg describes one executor's answer to /beat or /idleBeat.
func (uc *TriggerJob) probeMsg(titleID, addr string, res ports.ExecutorResult) string {
	return uc.msgs.T(titleID, nil) + msgColon + answer(addr, res)
}

// rejectMsg is the message of a trigger the pool could not run.
func (uc *TriggerJob) rejectMsg(p *triggerPlan, reasonID string) string {
	return uc.msgs.T("jobconf_trigger_type", nil) + msgColon + uc.msgs.T(p.req.Type.MessageID(), nil) +
		msgBreak + uc.msgs.T(reasonID, nil)
}

func answer(addr string, res ports.ExecutorResult) string {
	return msgBreak + "address" + msgColon + addr + msgBreak + "code" + msgColon + strconv.Itoa(res.Code) +
		msgBreak + "msg" + msgColon + res.Msg
}

// header renders the highlighted section title.
func header(msgs ports.Messages, id string) string {
	return msgSpanOpen + msgs.T(id, nil) + msgSpanClose
}

// javaList renders addresses as upstream prints a Java list: "[a, b]", or
// "null" when there are none.
func javaList(addrs []string) string {
	if len(addrs) == 0 {
		return "null"
	}
	return "[" + strings.Join(addrs, ", ") + "]"
}
