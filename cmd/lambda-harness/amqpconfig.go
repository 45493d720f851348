package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/lambda-harness/lambda-harness/amqp"
	"github.com/lambda-harness/lambda-harness/invoke"
)

// amqpConfig is the harness's side of RabbitMQ: the broker its functions
// consume their queues on (AMQP-RPC, lambda-api.md §4) and, in gateway
// mode, the broker it routes the invocations of other functions through.
// The zero value is off: no broker.
type amqpConfig struct {
	// URL is the broker, amqp://user:pass@host:port/vhost, with RAPID's
	// query options connection_attempts, retry_delay and heartbeat. It may
	// hold a password: show it only through amqp.RedactURL.
	URL string
	// Username and Password, when set, replace the URL's credentials.
	Username string
	Password string
	// QueueKind is how the functions' queues are declared; "" is
	// amqp.QueueCompat.
	QueueKind amqp.QueueKind
	// Gateway serves the Invoke API for functions that run elsewhere:
	// a name not served here is published to its queue (serve --gateway).
	Gateway bool
	// GatewayTimeout is how long the gateway waits for the functions it
	// knows no timeout of (Remote gives theirs).
	GatewayTimeout time.Duration
	// Remote are the functions the functions file declares remote: true,
	// listed by ListFunctions and waited for as long as their timeout.
	Remote []invoke.Function
}

// Environment variables of the broker in serve mode. The harness's own
// prefix keeps them from every function (isHarnessEnv).
const (
	envAMQPURL       = harnessEnvPrefix + "AMQP_URL"
	envAMQPUsername  = harnessEnvPrefix + "AMQP_USERNAME"
	envAMQPPassword  = harnessEnvPrefix + "AMQP_PASSWORD"
	envAMQPQueueKind = harnessEnvPrefix + "AMQP_QUEUE_KIND"
)

// Environment variables of the broker in rie mode, as the seed's run script
// and lambda-runtime-api-daemon (RAPID) take them.
const (
	envRIEAMQPURI      = "AMQP_URI"
	envRIEAMQPUsername = "AMQP_USERNAME"
	envRIEAMQPPassword = "AMQP_PASSWORD"
)

// defaultGatewayTimeout is how long a gateway waits for a function whose
// timeout it does not know: Lambda's longest.
const defaultGatewayTimeout = invoke.MaxTimeout

// parseQueueKind checks a queue kind given by a flag, the file or the
// environment; "" is the default.
func parseQueueKind(s string) (amqp.QueueKind, error) {
	switch k := amqp.QueueKind(s); k {
	case "", amqp.QueueCompat, amqp.QueueDurable:
		return k, nil
	}
	return "", fmt.Errorf("queue kind %q: want %s or %s", s, amqp.QueueCompat, amqp.QueueDurable)
}

// checkBroker checks the broker settings as the amqp package will read
// them (scheme, RAPID's query options), so that a mistake stops the
// harness at start. It connects nothing. Its errors never quote the URL.
func checkBroker(a amqpConfig) error {
	_, err := amqp.NewConsumer(amqp.ConsumerConfig{
		URL:       a.URL,
		Username:  a.Username,
		Password:  a.Password,
		QueueKind: a.QueueKind,
		Functions: []invoke.Function{{Name: "check"}},
	}, invoke.InvokerFunc(func(context.Context, *invoke.Request) (*invoke.Response, error) {
		return nil, nil
	}), nil)
	if err != nil {
		return fmt.Errorf("broker %s: %w", amqp.RedactURL(a.URL), err)
	}
	return nil
}

// rieAMQP reads rie mode's broker from the environment the seed's run
// script sets: AMQP_URI, AMQP_USERNAME and AMQP_PASSWORD, as RAPID does;
// the queue kind from LAMBDA_HARNESS_AMQP_QUEUE_KIND. No AMQP_URI, no
// broker.
func rieAMQP(getenv func(string) string) (amqpConfig, error) {
	a := amqpConfig{
		URL:      getenv(envRIEAMQPURI),
		Username: getenv(envRIEAMQPUsername),
		Password: getenv(envRIEAMQPPassword),
	}
	if a.URL == "" {
		return amqpConfig{}, nil
	}
	kind, err := parseQueueKind(getenv(envAMQPQueueKind))
	if err != nil {
		return amqpConfig{}, fmt.Errorf("%s: %w", envAMQPQueueKind, err)
	}
	a.QueueKind = kind
	if kind == "" {
		a.QueueKind = amqp.QueueCompat
	}
	if err := checkBroker(a); err != nil {
		return amqpConfig{}, fmt.Errorf("%s: %w", envRIEAMQPURI, err)
	}
	return a, nil
}

// resolveServeAMQP resolves serve's broker settings. Each comes, first
// found, from its flag, the functions file's amqp: section, then its
// LAMBDA_HARNESS_AMQP_* variable, as the region does: the command line
// beats the file, which beats the environment. Without a URL there is no
// broker, and the flags that need one are mistakes.
func resolveServeAMQP(f *serveFlags, set map[string]bool, file functionsFile, getenv func(string) string) (amqpConfig, error) {
	pick := func(flagName, flagValue, fileValue, envName string) string {
		switch {
		case set[flagName]:
			return flagValue
		case fileValue != "":
			return fileValue
		}
		return getenv(envName)
	}
	a := amqpConfig{
		URL:      pick("amqp-url", f.amqpURL, file.AMQP.URL, envAMQPURL),
		Username: pick("amqp-username", f.amqpUsername, file.AMQP.Username, envAMQPUsername),
		Password: pick("amqp-password", f.amqpPassword, file.AMQP.Password, envAMQPPassword),
	}
	if !f.gateway && set["gateway-timeout"] {
		return amqpConfig{}, errors.New("--gateway-timeout applies with --gateway")
	}
	if a.URL == "" {
		for _, name := range []string{"gateway", "amqp-username", "amqp-password", "amqp-queue-kind"} {
			if set[name] {
				return amqpConfig{}, fmt.Errorf("--%s needs a broker: give --amqp-url (or %s, or amqp: url: in the functions file)",
					name, envAMQPURL)
			}
		}
		return amqpConfig{}, nil
	}
	// The flag's value was checked as it was parsed, the file's as it was
	// loaded; the variable's is checked here.
	kind := string(f.amqpQueueKind)
	if !set["amqp-queue-kind"] {
		if file.AMQP.QueueKind != "" {
			kind = file.AMQP.QueueKind
		} else if v := getenv(envAMQPQueueKind); v != "" {
			if _, err := parseQueueKind(v); err != nil {
				return amqpConfig{}, fmt.Errorf("%s: %w", envAMQPQueueKind, err)
			}
			kind = v
		}
	}
	a.QueueKind = amqp.QueueKind(kind)
	if f.gateway {
		a.Gateway = true
		a.GatewayTimeout = time.Duration(f.gatewayTimeout)
		if a.GatewayTimeout <= 0 || a.GatewayTimeout > invoke.MaxTimeout {
			return amqpConfig{}, fmt.Errorf("--gateway-timeout %s: want more than 0 and at most %s",
				formatDuration(a.GatewayTimeout), formatDuration(invoke.MaxTimeout))
		}
		for _, fn := range file.Remote {
			if fn.Timeout <= 0 {
				fn.Timeout = a.GatewayTimeout
			}
			a.Remote = append(a.Remote, fn)
		}
	}
	if err := checkBroker(a); err != nil {
		return amqpConfig{}, err
	}
	return a, nil
}

// queueKindValue is a flag.Value for a queue kind.
type queueKindValue amqp.QueueKind

func (v *queueKindValue) Set(s string) error {
	if s == "" {
		return fmt.Errorf("want %s or %s", amqp.QueueCompat, amqp.QueueDurable)
	}
	k, err := parseQueueKind(s)
	if err != nil {
		return err
	}
	*v = queueKindValue(k)
	return nil
}

func (v *queueKindValue) String() string {
	if v == nil {
		return ""
	}
	return string(*v)
}
