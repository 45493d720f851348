package invoke

import (
	"errors"
	"strings"
	"testing"
)

func TestParseFunctionName(t *testing.T) {
	cases := []struct {
		in, name, qualifier string
		ok                  bool
	}{
		{"my-fn", "my-fn", "", true},
		{"my_fn.v2", "my_fn.v2", "", true},
		{"my-fn:live", "my-fn", "live", true},
		{"my-fn:$LATEST", "my-fn", "$LATEST", true},
		{"123456789012:function:my-fn", "my-fn", "", true},
		{"123456789012:function:my-fn:7", "my-fn", "7", true},
		{"arn:aws:lambda:us-east-1:123456789012:function:my-fn", "my-fn", "", true},
		{"arn:aws:lambda:eu-central-1:999999999999:function:my-fn:prod", "my-fn", "prod", true},
		{"arn:aws-cn:lambda:cn-north-1:123456789012:function:my-fn", "my-fn", "", true},
		{"", "", "", false},
		{strings.Repeat("a", 65), "", "", false},
		{strings.Repeat("a", 64), strings.Repeat("a", 64), "", true},
		{"my fn", "", "", false},
		{"my/fn", "", "", false},
		{"my-fn:", "", "", false},
		{"my-fn:bad qualifier", "", "", false},
		{"a:b:c", "", "", false},
		{"12345:function:my-fn", "", "", false},
		{"arn:aws:s3:us-east-1:123456789012:function:my-fn", "", "", false},
		{"arn:aws:lambda:us-east-1:123456789012:layer:my-fn", "", "", false},
		{"arn:aws:lambda:us-east-1:123456789012:function:my-fn:1:2", "", "", false},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			name, q, err := ParseFunctionName(tc.in)
			if (err == nil) != tc.ok {
				t.Fatalf("err = %v, want ok=%v", err, tc.ok)
			}
			if err != nil {
				if KindOf(err) != Validation || !strings.Contains(err.Error(), "failed to satisfy constraint") {
					t.Errorf("error %v: want a Validation error in AWS's words", err)
				}
				return
			}
			if name != tc.name || q != tc.qualifier {
				t.Errorf("got (%q, %q), want (%q, %q)", name, q, tc.name, tc.qualifier)
			}
		})
	}
}

func TestValidateQualifier(t *testing.T) {
	cases := []struct {
		name, fromName, fromQuery, want string
		kind                            Kind
		ok                              bool
	}{
		{"none", "", "", "", 0, true},
		{"query only", "", "live", "live", 0, true},
		{"name only", "live", "", "live", 0, true},
		{"agree", "live", "live", "live", 0, true},
		{"disagree", "live", "prod", "", InvalidParameter, false},
		{"bad query", "", "a b", "", Validation, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ValidateQualifier(tc.fromName, tc.fromQuery)
			if (err == nil) != tc.ok || got != tc.want {
				t.Fatalf("got (%q, %v), want (%q, ok=%v)", got, err, tc.want, tc.ok)
			}
			if err != nil && KindOf(err) != tc.kind {
				t.Errorf("kind %v, want %v", KindOf(err), tc.kind)
			}
		})
	}
	_, err := ValidateQualifier("live", "prod")
	if MessageOf(err) != "The derived qualifier from the function name does not match the specified qualifier." {
		t.Errorf("message %q", MessageOf(err))
	}
}

func TestARN(t *testing.T) {
	if got := ARN("us-east-1", "123456789012", "fn", ""); got != "arn:aws:lambda:us-east-1:123456789012:function:fn" {
		t.Error(got)
	}
	if got := ARN("eu-west-1", "111122223333", "fn", "live"); got != "arn:aws:lambda:eu-west-1:111122223333:function:fn:live" {
		t.Error(got)
	}
}

func TestValidName(t *testing.T) {
	for s, want := range map[string]bool{"a": true, "A-b_9": true, "": false, "a.b": false, "a:b": false,
		strings.Repeat("x", 64): true, strings.Repeat("x", 65): false, "../etc": false} {
		if ValidName(s) != want {
			t.Errorf("ValidName(%q) = %v", s, !want)
		}
	}
}

func TestErrors(t *testing.T) {
	err := Wrap(NotFound, "Function not found: x", errors.New("internal detail"))
	wrapped := errors.Join(errors.New("context"), err)
	if KindOf(wrapped) != NotFound || !errors.Is(wrapped, &Error{Kind: NotFound}) || errors.Is(wrapped, &Error{Kind: Throttled}) {
		t.Errorf("kind lost through wrapping: %v", wrapped)
	}
	if MessageOf(wrapped) != "Function not found: x" {
		t.Errorf("message %q", MessageOf(wrapped))
	}
	if KindOf(errors.New("plain")) != Internal || strings.Contains(MessageOf(errors.New("secret")), "secret") {
		t.Error("a plain error must be Internal and reveal nothing")
	}
}

func TestNewRequestID(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		id := NewRequestID()
		if len(id) != 36 || id[14] != '4' || strings.Count(id, "-") != 4 || seen[id] {
			t.Fatalf("bad or repeated id %q", id)
		}
		seen[id] = true
	}
}

func TestFunctionDefaultsAndValidate(t *testing.T) {
	f := Function{Name: "f", Command: []string{"x"}}.WithDefaults()
	if f.Timeout != DefaultTimeout || f.MemoryMB != 128 || f.Concurrency != DefaultConcurrency || f.QueueSize != DefaultQueueSize || f.IdleTimeout != DefaultIdleTimeout {
		t.Errorf("defaults: %+v", f)
	}
	if g := (Function{Name: "g", Command: []string{"x"}, Concurrency: 50}).WithDefaults(); g.QueueSize != 500 {
		t.Errorf("queue of concurrency 50: %d", g.QueueSize)
	}
	bad := []Function{
		{Name: "bad name", Command: []string{"x"}},
		{Name: "f"},
		{Name: "f", Command: []string{"x"}, MemoryMB: 64},
		{Name: "f", Command: []string{"x"}, Timeout: MaxTimeout + 1},
		{Name: "f", Command: []string{"x"}, Env: map[string]string{"1X": "y"}},
	}
	for _, b := range bad {
		if b.Validate() == nil {
			t.Errorf("%+v: validated", b)
		}
	}
}
