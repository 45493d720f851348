package runner

import (
	"strconv"
	"strings"
	"time"

	"github.com/lambda-harness/lambda-harness/invoke"
)

// runtimeEnv returns the environment a runtime expects (lambda-api.md §2)
// merged with the function's own variables. The variables that tie the
// runtime to this instance are set last so a function cannot override
// them.
// https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime
func (r *Runner) runtimeEnv(fn invoke.Function, runtimeAPI, instanceID string, now time.Time) []string {
	taskRoot := fn.WorkingDir
	if taskRoot == "" {
		taskRoot = "/var/task"
	}
	env := make([]string, 0, len(fn.Env)+16)
	add := func(k, v string) { env = append(env, k+"="+v) }
	add("TZ", ":UTC")
	add("LAMBDA_TASK_ROOT", taskRoot)
	add("LAMBDA_RUNTIME_DIR", "/var/runtime")
	add("AWS_REGION", r.cfg.Region)
	add("AWS_DEFAULT_REGION", r.cfg.Region)
	add("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand")
	if fn.Runtime != "" {
		add("AWS_EXECUTION_ENV", "AWS_Lambda_"+fn.Runtime)
	}
	for k, v := range fn.Env {
		add(k, v)
	}
	if fn.Handler != "" {
		add("_HANDLER", fn.Handler)
	}
	add("AWS_LAMBDA_RUNTIME_API", runtimeAPI)
	add("AWS_LAMBDA_FUNCTION_NAME", fn.Name)
	add("AWS_LAMBDA_FUNCTION_VERSION", invoke.LatestVersion)
	add("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", strconv.Itoa(fn.MemoryMB))
	add("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/"+fn.Name)
	add("AWS_LAMBDA_LOG_STREAM_NAME", now.UTC().Format("2006/01/02")+"/[$LATEST]"+strings.ReplaceAll(instanceID, "-", ""))
	return dedupEnv(env)
}

// dedupEnv keeps the last value of each variable, in first-seen order.
func dedupEnv(env []string) []string {
	idx := make(map[string]int, len(env))
	out := env[:0]
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		if i, ok := idx[k]; ok {
			out[i] = kv
			continue
		}
		idx[k] = len(out)
		out = append(out, kv)
	}
	return out
}
