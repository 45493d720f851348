package amqp

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	amqp091 "github.com/rabbitmq/amqp091-go"

	"github.com/lambda-harness/lambda-harness/invoke"
)

func TestParseBroker(t *testing.T) {
	tests := []struct {
		name, url, user, pass string
		wantURL, wantRedacted string
		attempts              int
		retry, heartbeat      time.Duration
		wantErr               string
	}{
		{name: "plain", url: "amqp://guest:guest@localhost:5672/",
			wantURL: "amqp://guest:guest@localhost:5672/", wantRedacted: "amqp://localhost:5672/", retry: defaultRetryDelay},
		{name: "RAPID options stripped", url: "amqp://localhost:5672?connection_attempts=20&retry_delay=10&heartbeat=30",
			wantURL: "amqp://localhost:5672", wantRedacted: "amqp://localhost:5672", attempts: 20, retry: 10 * time.Second, heartbeat: 30 * time.Second},
		{name: "heartbeat off stays for amqp091", url: "amqp://h/vh?heartbeat=0&channel_max=9",
			wantURL: "amqp://h/vh?channel_max=9&heartbeat=0", wantRedacted: "amqp://h/vh", retry: defaultRetryDelay},
		{name: "fractional retry delay", url: "amqp://h?retry_delay=0.25",
			wantURL: "amqp://h", wantRedacted: "amqp://h", retry: 250 * time.Millisecond},
		{name: "credentials given apart", url: "amqp://old:secret@h:5672/", user: "u", pass: "p@ss",
			wantURL: "amqp://u:p%40ss@h:5672/", wantRedacted: "amqp://h:5672/", retry: defaultRetryDelay},
		{name: "password only", url: "amqp://old:secret@h/", pass: "new",
			wantURL: "amqp://old:new@h/", wantRedacted: "amqp://h/", retry: defaultRetryDelay},
		{name: "empty", url: "", wantErr: "no broker URL"},
		{name: "bad scheme", url: "http://u:hunter2@h/", wantErr: "want scheme amqp"},
		{name: "bad attempts", url: "amqp://u:hunter2@h/?connection_attempts=0", wantErr: "connection_attempts"},
		{name: "bad retry", url: "amqp://u:hunter2@h/?retry_delay=soon", wantErr: "retry_delay"},
		{name: "unparsable", url: "amqp://u:hunter2@h:port/", wantErr: "not a valid URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := parseBroker(tt.url, tt.user, tt.pass)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v; want one saying %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "hunter2") {
					t.Errorf("error %q reveals the password", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if b.url != tt.wantURL || b.redacted != tt.wantRedacted || b.attempts != tt.attempts ||
				b.retryDelay != tt.retry || b.heartbeat != tt.heartbeat {
				t.Errorf("got %+v", b)
			}
		})
	}
	if got := RedactURL("amqps://user:pw@broker.example:5671/prod?heartbeat=5"); got != "amqps://broker.example:5671/prod" {
		t.Errorf("RedactURL = %q", got)
	}
}

func TestBackoff(t *testing.T) {
	for n, want := range map[int]time.Duration{1: 500 * time.Millisecond, 2: time.Second, 3: 2 * time.Second, 4: 3 * time.Second, 20: 3 * time.Second} {
		got := backoff(500*time.Millisecond, n)
		if got < want*8/10 || got > want*12/10 {
			t.Errorf("backoff after %d failures = %s; want %s ±20%%", n, got, want)
		}
	}
	if got := backoff(10*time.Second, 5); got < 8*time.Second || got > 12*time.Second {
		t.Errorf("a retry_delay above the cap is kept: got %s", got)
	}
}

func TestResults(t *testing.T) {
	r := newResults(2, 1<<20)
	a, owner := r.claim("a", false)
	if !owner {
		t.Fatal("first claim does not own")
	}
	if e, owner := r.claim("a", true); owner || e != a {
		t.Fatal("a redelivery must get the pending entry")
	}
	rep := &reply{body: []byte("x")}
	r.finish(a, rep)
	if e, _ := r.claim("a", true); !e.ok || e.reply != rep {
		t.Fatal("finished entry lost its reply")
	}
	b, _ := r.claim("b", false)
	r.abandon(b)
	<-b.done
	if e, owner := r.claim("b", true); !owner || e == b {
		t.Fatal("an abandoned entry must be forgotten")
	}
	r.claim("c", false)
	r.claim("d", false)
	if r.len() != 2 {
		t.Fatalf("len = %d; want the bound 2", r.len())
	}
	if _, owner := r.claim("a", true); !owner {
		t.Error("least recently used entry a was not evicted")
	}
	if e, owner := r.claim("d", false); !owner || e.ok {
		t.Error("a new message reusing an id must run again")
	}

	big := newResults(100, 3*entryOverhead+1000)
	x, _ := big.claim("x", false)
	big.finish(x, &reply{body: make([]byte, 900)})
	y, _ := big.claim("y", false)
	big.finish(y, &reply{body: make([]byte, 900)})
	if _, owner := big.claim("x", true); !owner {
		t.Error("past the byte bound, the least recently used reply must be forgotten")
	}
	if e, owner := big.claim("y", true); owner || e != y {
		t.Error("the most recent reply was forgotten")
	}
}

func TestKindRoundTrip(t *testing.T) {
	for k := invoke.Internal; k <= invoke.UnsupportedMedia; k++ {
		t.Run(k.String(), func(t *testing.T) {
			rep := errorReply(invoke.Errorf(k, "message of %s", k))
			d := &amqp091.Delivery{Headers: rep.headers, Body: rep.body}
			resp, err := decodeReply(d)
			if resp != nil || invoke.KindOf(err) != k || invoke.MessageOf(err) != "message of "+k.String() {
				t.Errorf("round trip of %v gave %v, %v (kind %v)", k, resp, err, invoke.KindOf(err))
			}
		})
	}
	rep := errorReply(errors.New("secret detail"))
	if strings.Contains(string(rep.body), "secret") || rep.headers[headerErrorType] != "ServiceException" {
		t.Errorf("a plain error must reveal nothing: %s %v", rep.body, rep.headers)
	}
}

func TestDecodeRequest(t *testing.T) {
	cc := base64.StdEncoding.EncodeToString([]byte(`{"custom":{"k":"v"}}`))
	tests := []struct {
		name    string
		d       amqp091.Delivery
		check   func(t *testing.T, r *invoke.Request)
		wantErr invoke.Kind
	}{
		{name: "request", d: amqp091.Delivery{CorrelationId: "id-1", ReplyTo: "q", Body: []byte(`{"a":1}`),
			Headers: amqp091.Table{"X-Amz-Client-Context": cc, "X-Amzn-Trace-Id": []byte("Root=1-abc"),
				"x-amz-tenant-id": "t-1", "X-Amz-Log-Type": "Tail"}},
			check: func(t *testing.T, r *invoke.Request) {
				if r.RequestID != "id-1" || r.Type != invoke.RequestResponse || r.ClientContext != `{"custom":{"k":"v"}}` ||
					r.TraceID != "Root=1-abc" || r.TenantID != "t-1" || !r.Tail || r.FunctionName != "fn" {
					t.Errorf("%+v", r)
				}
			}},
		{name: "event", d: amqp091.Delivery{Body: []byte(`{}`), Headers: amqp091.Table{"X-Amz-Client-Context": cc, "X-Amz-Log-Type": "Tail"}},
			check: func(t *testing.T, r *invoke.Request) {
				if r.Type != invoke.Event || len(r.RequestID) != 36 || r.ClientContext != "" || r.Tail {
					t.Errorf("%+v", r)
				}
			}},
		{name: "unpadded client context", d: amqp091.Delivery{ReplyTo: "q", Headers: amqp091.Table{
			"X-Amz-Client-Context": strings.TrimRight(base64.StdEncoding.EncodeToString([]byte(`{"a":1}`)), "=")}},
			check: func(t *testing.T, r *invoke.Request) {
				if r.ClientContext != `{"a":1}` {
					t.Errorf("%+v", r)
				}
			}},
		{name: "bad base64", d: amqp091.Delivery{ReplyTo: "q", Headers: amqp091.Table{"X-Amz-Client-Context": "%%%"}}, wantErr: invoke.InvalidParameter},
		{name: "client context not an object", d: amqp091.Delivery{ReplyTo: "q", Headers: amqp091.Table{
			"X-Amz-Client-Context": base64.StdEncoding.EncodeToString([]byte(`[1]`))}}, wantErr: invoke.InvalidParameter},
		{name: "int header", d: amqp091.Delivery{ReplyTo: "q", Headers: amqp091.Table{"X-Amzn-Trace-Id": int32(7)}}, wantErr: invoke.InvalidParameter},
		{name: "table header", d: amqp091.Delivery{ReplyTo: "q", Headers: amqp091.Table{"X-Amz-Tenant-Id": amqp091.Table{}}}, wantErr: invoke.InvalidParameter},
		{name: "bad log type", d: amqp091.Delivery{ReplyTo: "q", Headers: amqp091.Table{"X-Amz-Log-Type": "All"}}, wantErr: invoke.Validation},
		{name: "bad tenant", d: amqp091.Delivery{ReplyTo: "q", Headers: amqp091.Table{"X-Amz-Tenant-Id": "a\nb"}}, wantErr: invoke.Validation},
		{name: "not json", d: amqp091.Delivery{ReplyTo: "q", Body: []byte("{nope")}, wantErr: invoke.InvalidContent},
		{name: "event too large", d: amqp091.Delivery{Body: []byte(`"` + strings.Repeat("x", invoke.MaxEventPayload) + `"`)}, wantErr: invoke.TooLarge},
		{name: "other headers ignored", d: amqp091.Delivery{ReplyTo: "q", Headers: amqp091.Table{"x-death": []any{int64(1)}}},
			check: func(t *testing.T, r *invoke.Request) {}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := decodeRequest("fn", &tt.d)
			if tt.check == nil {
				if err == nil || invoke.KindOf(err) != tt.wantErr {
					t.Fatalf("error = %v; want kind %v", err, tt.wantErr)
				}
				if req == nil || req.RequestID == "" {
					t.Error("a malformed request must still have an id")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, req)
		})
	}
}

func TestResponseReply(t *testing.T) {
	req := &invoke.Request{RequestID: "r", Tail: true}
	resp := invoke.FunctionFailure("r", invoke.ErrorTypeTimeout, "Task timed out after 1.00 seconds")
	resp.LogTail = []byte("START RequestId: r\n")
	rep := responseReply(req, resp)
	d := &amqp091.Delivery{CorrelationId: "r", ContentType: rep.contentType, Headers: rep.headers, Body: rep.body}
	got, err := decodeReply(d)
	if err != nil {
		t.Fatal(err)
	}
	if got.FunctionError != "Unhandled" || got.ErrorType != invoke.ErrorTypeTimeout || string(got.LogTail) != "START RequestId: r\n" ||
		got.ContentType != "application/json" || got.ExecutedVersion != "$LATEST" || got.RequestID != "r" {
		t.Errorf("%+v", got)
	}
}
