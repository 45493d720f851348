package server

import (
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/lambda-harness/lambda-harness/invoke"
	"github.com/lambda-harness/lambda-harness/invoke/invoketest"
)

func TestGetFunction(t *testing.T) {
	fn := invoke.Function{
		Name: "my-fn", Command: []string{"./bootstrap"}, Handler: "bootstrap", Runtime: "provided.al2023",
		Description: "echo", Env: map[string]string{"GREETING": "hi"}, Timeout: 1500 * time.Millisecond,
		MemoryMB: 256, Concurrency: 4,
	}
	cat := invoketest.NewCatalog(fn, invoke.Function{Name: "plain", Command: []string{"x"}})
	s := newServer(t, &invoketest.Invoker{}, cat)

	t.Run("GetFunction", func(t *testing.T) {
		rec := serve(t, s, request{method: http.MethodGet, target: "/2015-03-31/functions/my-fn"})
		if rec.Code != 200 {
			t.Fatalf("status = %d %s", rec.Code, rec.Body)
		}
		var got struct {
			Configuration functionConfiguration
			Code          struct{ RepositoryType, Location string }
			Concurrency   struct{ ReservedConcurrentExecutions int }
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
			t.Fatal(err)
		}
		c := got.Configuration
		checks := []struct {
			field     string
			got, want any
		}{
			{"FunctionName", c.FunctionName, "my-fn"},
			{"FunctionArn", c.FunctionArn, "arn:aws:lambda:us-east-1:123456789012:function:my-fn"},
			{"Runtime", c.Runtime, "provided.al2023"},
			{"Role", c.Role, "arn:aws:iam::123456789012:role/lambda-harness"},
			{"Handler", c.Handler, "bootstrap"},
			{"Description", c.Description, "echo"},
			{"Timeout", c.Timeout, 2},
			{"MemorySize", c.MemorySize, 256},
			{"Version", c.Version, "$LATEST"},
			{"State", c.State, "Active"},
			{"LastUpdateStatus", c.LastUpdateStatus, "Successful"},
			{"PackageType", c.PackageType, "Zip"},
			{"GREETING", c.Environment.Variables["GREETING"], "hi"},
			{"Architectures", len(c.Architectures), 1},
			{"RepositoryType", got.Code.RepositoryType, "S3"},
			{"ReservedConcurrentExecutions", got.Concurrency.ReservedConcurrentExecutions, 4},
		}
		for _, ch := range checks {
			if ch.got != ch.want {
				t.Errorf("%s = %v; want %v", ch.field, ch.got, ch.want)
			}
		}
		if !regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$`).MatchString(c.LastModified) {
			t.Errorf("LastModified = %q; want AWS's format", c.LastModified)
		}
	})

	tests := []struct {
		name, target string
		wantStatus   int
		wantName     string
	}{
		{"configuration", "/2015-03-31/functions/my-fn/configuration", 200, "my-fn"},
		{"defaults", "/2015-03-31/functions/plain/configuration", 200, "plain"},
		{"by ARN", "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Amy-fn", 200, "my-fn"},
		{"$LATEST", "/2015-03-31/functions/my-fn?Qualifier=%24LATEST", 200, "my-fn"},
		{"other version", "/2015-03-31/functions/my-fn%3A3", 404, ""},
		{"unknown", "/2015-03-31/functions/nope", 404, ""},
		{"unknown configuration", "/2015-03-31/functions/nope/configuration", 404, ""},
		{"invalid name", "/2015-03-31/functions/no%20pe", 400, ""},
		{"generic name, two functions", "/2015-03-31/functions/function", 404, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := serve(t, s, request{method: http.MethodGet, target: tt.target})
			switch tt.wantStatus {
			case 404:
				wantError(t, rec, 404, "ResourceNotFoundException")
				return
			case 400:
				wantError(t, rec, 400, "ValidationException")
				return
			}
			var c functionConfiguration
			if rec.Code != 200 {
				t.Fatalf("status = %d %s", rec.Code, rec.Body)
			}
			// Both GetFunction and GetFunctionConfiguration carry a
			// configuration; take whichever this is.
			var wrapped struct{ Configuration *functionConfiguration }
			json.Unmarshal(rec.Body.Bytes(), &wrapped)
			if wrapped.Configuration != nil {
				c = *wrapped.Configuration
			} else if err := json.Unmarshal(rec.Body.Bytes(), &c); err != nil {
				t.Fatal(err)
			}
			if c.FunctionName != tt.wantName || c.Timeout < 1 || c.MemorySize < 128 {
				t.Errorf("configuration = %+v; want %s with defaults filled in", c, tt.wantName)
			}
		})
	}
}

func TestGetFunctionGenericName(t *testing.T) {
	s := newServer(t, &invoketest.Invoker{}, invoketest.Names("real"))
	rec := serve(t, s, request{method: http.MethodGet, target: "/2015-03-31/functions/function/configuration"})
	var c functionConfiguration
	if err := json.Unmarshal(rec.Body.Bytes(), &c); err != nil || c.FunctionName != "real" {
		t.Errorf("GetFunctionConfiguration(function) = %d %s; want real", rec.Code, rec.Body)
	}
}

func TestListFunctions(t *testing.T) {
	s := newServer(t, &invoketest.Invoker{}, invoketest.Names("c", "a", "d", "b", "e"))
	type page struct {
		Functions  []struct{ FunctionName string }
		NextMarker *string
	}
	tests := []struct {
		name       string
		target     string
		wantNames  []string
		wantMarker string
		wantStatus int
	}{
		{name: "all", target: "/2015-03-31/functions", wantNames: []string{"a", "b", "c", "d", "e"}},
		{name: "trailing slash", target: "/2015-03-31/functions/", wantNames: []string{"a", "b", "c", "d", "e"}},
		{name: "first page", target: "/2015-03-31/functions?MaxItems=2", wantNames: []string{"a", "b"}, wantMarker: "b"},
		{name: "middle page", target: "/2015-03-31/functions?MaxItems=2&Marker=b", wantNames: []string{"c", "d"}, wantMarker: "d"},
		{name: "last page", target: "/2015-03-31/functions?MaxItems=2&Marker=d", wantNames: []string{"e"}},
		{name: "exact fit", target: "/2015-03-31/functions?MaxItems=5", wantNames: []string{"a", "b", "c", "d", "e"}},
		{name: "past the end", target: "/2015-03-31/functions?Marker=zzz", wantNames: []string{}},
		{name: "MaxItems zero", target: "/2015-03-31/functions?MaxItems=0", wantStatus: 400},
		{name: "MaxItems not a number", target: "/2015-03-31/functions?MaxItems=x", wantStatus: 400},
		{name: "MaxItems too large", target: "/2015-03-31/functions?MaxItems=10001", wantStatus: 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := serve(t, s, request{method: http.MethodGet, target: tt.target})
			if tt.wantStatus == 400 {
				wantError(t, rec, 400, "ValidationException")
				return
			}
			if rec.Code != 200 {
				t.Fatalf("status = %d %s", rec.Code, rec.Body)
			}
			var p page
			if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, f := range p.Functions {
				names = append(names, f.FunctionName)
			}
			if !slices.Equal(names, tt.wantNames) {
				t.Errorf("names = %v; want %v", names, tt.wantNames)
			}
			marker := ""
			if p.NextMarker != nil {
				marker = *p.NextMarker
			}
			if marker != tt.wantMarker {
				t.Errorf("NextMarker = %q; want %q", marker, tt.wantMarker)
			}
		})
	}
	t.Run("empty catalog", func(t *testing.T) {
		s := newServer(t, &invoketest.Invoker{}, invoketest.Names())
		rec := serve(t, s, request{method: http.MethodGet, target: "/2015-03-31/functions"})
		if rec.Body.String() != `{"Functions":[],"NextMarker":null}` {
			t.Errorf("body = %s", rec.Body)
		}
	})
}
