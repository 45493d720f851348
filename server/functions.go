package server

import (
	"math"
	"net/http"
	"runtime"
	"strconv"

	"github.com/lambda-harness/lambda-harness/invoke"
)

// functionConfiguration is Lambda's FunctionConfiguration, with the fields
// a local function has.
// https://docs.aws.amazon.com/lambda/latest/api/API_FunctionConfiguration.html
type functionConfiguration struct {
	FunctionName     string
	FunctionArn      string
	Runtime          string `json:",omitempty"`
	Role             string
	Handler          string `json:",omitempty"`
	CodeSize         int64
	Description      string
	Timeout          int
	MemorySize       int
	LastModified     string
	CodeSha256       string
	Version          string
	Environment      *environment `json:",omitempty"`
	TracingConfig    struct{ Mode string }
	State            string
	LastUpdateStatus string
	PackageType      string
	Architectures    []string
	EphemeralStorage struct{ Size int }
	LoggingConfig    struct{ LogFormat, LogGroup string }
}

type environment struct {
	Variables map[string]string
}

// lastModifiedLayout is the time format of LastModified.
const lastModifiedLayout = "2006-01-02T15:04:05.000-0700"

// configuration returns f's FunctionConfiguration.
func (s *Server) configuration(f invoke.Function) functionConfiguration {
	f = f.WithDefaults()
	c := functionConfiguration{
		FunctionName:     f.Name,
		FunctionArn:      invoke.ARN(s.region, s.account, f.Name, ""),
		Runtime:          f.Runtime,
		Role:             "arn:aws:iam::" + s.account + ":role/lambda-harness",
		Handler:          f.Handler,
		Description:      f.Description,
		Timeout:          int(math.Ceil(f.Timeout.Seconds())),
		MemorySize:       f.MemoryMB,
		LastModified:     s.started.UTC().Format(lastModifiedLayout),
		Version:          invoke.LatestVersion,
		State:            "Active",
		LastUpdateStatus: "Successful",
		PackageType:      "Zip",
		Architectures:    []string{architecture()},
	}
	if len(f.Env) > 0 {
		// The function's own variables, as AWS returns them; never the
		// harness's environment.
		c.Environment = &environment{Variables: f.Env}
	}
	c.TracingConfig.Mode = "PassThrough"
	c.EphemeralStorage.Size = 512
	c.LoggingConfig.LogFormat = "Text"
	c.LoggingConfig.LogGroup = "/aws/lambda/" + f.Name
	return c
}

// architecture is the Lambda name of the machine's architecture.
func architecture() string {
	if runtime.GOARCH == "arm64" {
		return "arm64"
	}
	return "x86_64"
}

// Paging of ListFunctions, as on AWS.
const (
	defaultMaxItems = 50
	maxMaxItems     = 10_000
)

// handleListFunctions serves ListFunctions. The marker is the name of the
// last function of the previous page.
// https://docs.aws.amazon.com/lambda/latest/api/API_ListFunctions.html
func (s *Server) handleListFunctions(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	max := defaultMaxItems
	if v := q.Get(queryMaxItems); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxMaxItems {
			s.fail(w, r, "", invoke.Errorf(invoke.Validation,
				"1 validation error detected: Value '%s' at 'maxItems' failed to satisfy constraint: "+
					"Member must have value between 1 and %d", v, maxMaxItems))
			return
		}
		max = n
	}
	marker := q.Get(queryMarker)
	page := struct {
		Functions  []functionConfiguration
		NextMarker *string
	}{Functions: []functionConfiguration{}}
	for _, f := range s.catalog.Functions() {
		if marker != "" && f.Name <= marker {
			continue
		}
		if len(page.Functions) == max {
			last := page.Functions[max-1].FunctionName
			page.NextMarker = &last
			break
		}
		page.Functions = append(page.Functions, s.configuration(f))
	}
	writeJSON(w, http.StatusOK, page)
}

// handleGetFunction serves GetFunction. A local function has no code
// package to download, so Code.Location is empty.
// https://docs.aws.amazon.com/lambda/latest/api/API_GetFunction.html
func (s *Server) handleGetFunction(w http.ResponseWriter, r *http.Request) {
	f, ok := s.lookup(w, r)
	if !ok {
		return
	}
	type code struct{ RepositoryType, Location string }
	type concurrency struct{ ReservedConcurrentExecutions int }
	writeJSON(w, http.StatusOK, struct {
		Configuration functionConfiguration
		Code          code
		Concurrency   concurrency
	}{
		Configuration: s.configuration(f),
		Code:          code{RepositoryType: "S3"},
		Concurrency:   concurrency{f.WithDefaults().Concurrency},
	})
}

// handleGetFunctionConfiguration serves GetFunctionConfiguration.
// https://docs.aws.amazon.com/lambda/latest/api/API_GetFunctionConfiguration.html
func (s *Server) handleGetFunctionConfiguration(w http.ResponseWriter, r *http.Request) {
	f, ok := s.lookup(w, r)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, s.configuration(f))
}

// lookup finds the function a control-plane request names, or answers the
// error. A local function has one version, $LATEST; any other qualifier is
// not found.
func (s *Server) lookup(w http.ResponseWriter, r *http.Request) (invoke.Function, bool) {
	name, qualifier, err := functionName(r)
	if err != nil {
		s.fail(w, r, "", err)
		return invoke.Function{}, false
	}
	f, ok := s.resolve(name)
	if !ok || (qualifier != "" && qualifier != invoke.LatestVersion) {
		s.fail(w, r, name, s.notFound(name, qualifier))
		return invoke.Function{}, false
	}
	return f, true
}
