package executor

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/xjob-dev/xjob/domain"
)

// glueSourceDir is the directory under LogDir where GLUE scripts are written.
const glueSourceDir = "gluesource"

// scriptRuntime is how a GLUE script type is run (upstream 3.4.2's table).
type scriptRuntime struct {
	command string
	ext     string
}

var scriptRuntimes = map[domain.GlueType]scriptRuntime{
	domain.GlueShell:      {"bash", ".sh"},
	domain.GluePython:     {"python3", ".py"},
	domain.GluePython2:    {"python", ".py"},
	domain.GlueNodeJS:     {"node", ".js"},
	domain.GluePHP:        {"php", ".php"},
	domain.GluePowerShell: {"pwsh", ".ps1"},
}

// glueTypeOf returns p's GLUE type; a missing one means BEAN.
func glueTypeOf(p domain.TriggerParam) domain.GlueType {
	if p.GlueType == "" {
		return domain.GlueBean
	}
	return domain.GlueType(p.GlueType)
}

// resolve finds what runs p: the handler, the key identifying it (a worker
// running another key is replaced) or, if p cannot run here, the refusal.
func (e *Executor) resolve(p domain.TriggerParam) (h Handler, key, refusal string) {
	g := glueTypeOf(p)
	switch {
	case g == domain.GlueBean:
		if h = e.handler(p.ExecutorHandler); h == nil {
			return nil, "", fmt.Sprintf("job handler [%s] not found.", p.ExecutorHandler)
		}
		return h, "BEAN:" + p.ExecutorHandler, ""
	case g == domain.GlueGroovy:
		return nil, "", "glueType[GLUE_GROOVY] is not supported: GLUE(Java) needs a Java executor."
	case !g.IsScript():
		return nil, "", fmt.Sprintf("glueType[%s] is not valid.", p.GlueType)
	case !slices.Contains(e.opts.EnableGlue, g):
		return nil, "", fmt.Sprintf("glueType[%s] is not enabled on this executor.", g)
	}
	return e.scriptHandler(g, p), fmt.Sprintf("%s:%d", g, p.GlueUpdatetime), ""
}

// scriptHandler runs p's GLUE source as a script with the arguments
// "param shardIndex shardTotal", like upstream's ScriptJobHandler.
func (e *Executor) scriptHandler(g domain.GlueType, p domain.TriggerParam) Handler {
	rt := scriptRuntimes[g]
	return func(ctx context.Context, job *Job) error {
		path, err := writeGlueSource(e.opts.LogDir, p, rt.ext)
		if err != nil {
			return fmt.Errorf("write glue source: %w", err)
		}
		job.Log("----------- script file:%s -----------", path)
		args := []string{path, job.Param, strconv.Itoa(job.ShardIndex), strconv.Itoa(job.ShardTotal)}
		return runProcess(ctx, job, "script", rt.command, args)
	}
}

// writeGlueSource writes LogDir/gluesource/{jobId}_{glueUpdatetime}{ext}.
// It replaces the file by rename so that a script still running from an
// older copy (bash reads as it goes) is not changed under its feet.
func writeGlueSource(logDir string, p domain.TriggerParam, ext string) (string, error) {
	dir := filepath.Join(logDir, glueSourceDir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	path := filepath.Join(dir, fmt.Sprintf("%d_%d%s", p.JobID, p.GlueUpdatetime, ext))
	tmp, err := os.CreateTemp(dir, "tmp-*"+ext)
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	if _, err := tmp.WriteString(p.GlueSource); err != nil {
		tmp.Close()
		return "", err
	}
	if err := tmp.Close(); err != nil {
		return "", err
	}
	return path, os.Rename(tmp.Name(), path)
}
