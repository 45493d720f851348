package server

import (
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/lambda-harness/lambda-harness/invoke"
)

// Defaults of Config.
const (
	DefaultRegion  = "us-east-1"
	DefaultAccount = "123456789012"
)

// Config configures a Server.
type Config struct {
	// Region is used in the ARNs the API returns (errors, GetFunction);
	// "" means DefaultRegion.
	Region string
	// Account is the 12-digit account id used in those ARNs; "" means
	// DefaultAccount.
	Account string
	// Invoker runs the invocations. Required.
	Invoker invoke.Invoker
	// Catalog lists the functions, to resolve names and answer the control
	// plane. Required.
	Catalog invoke.Catalog
	// Logger receives errors the server handles; nil discards them.
	Logger *slog.Logger
}

// Server is the Invoke API. It is safe for concurrent use.
type Server struct {
	region  string
	account string
	invoker invoke.Invoker
	catalog invoke.Catalog
	log     *slog.Logger
	// started stands in for the functions' LastModified time.
	started time.Time
	handler http.Handler
}

// New validates cfg and returns a Server.
func New(cfg Config) (*Server, error) {
	if cfg.Invoker == nil {
		return nil, errors.New("server: no Invoker")
	}
	if cfg.Catalog == nil {
		return nil, errors.New("server: no Catalog")
	}
	if cfg.Region == "" {
		cfg.Region = DefaultRegion
	}
	if !validRegion(cfg.Region) {
		return nil, errors.New("server: region " + cfg.Region + ": want letters, digits and '-', like us-east-1")
	}
	if cfg.Account == "" {
		cfg.Account = DefaultAccount
	}
	if !invoke.ValidAccount(cfg.Account) {
		return nil, errors.New("server: account " + cfg.Account + ": want 12 digits")
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{
		region:  cfg.Region,
		account: cfg.Account,
		invoker: cfg.Invoker,
		catalog: cfg.Catalog,
		log:     log,
		started: time.Now(),
	}
	s.handler = s.routes()
	return s, nil
}

// Handler returns the route table of the Invoke API.
func (s *Server) Handler() http.Handler {
	return s.handler
}

// resolve finds the function a bare name stands for: the function of that
// name or, for the generic name aws-lambda-rie hard-codes, the only function
// served.
func (s *Server) resolve(name string) (invoke.Function, bool) {
	if f, ok := s.catalog.Function(name); ok {
		return f, true
	}
	if name == invoke.GenericName {
		if fns := s.catalog.Functions(); len(fns) == 1 {
			return fns[0], true
		}
	}
	return invoke.Function{}, false
}

// notFound is the ResourceNotFoundException AWS answers for an unknown
// function.
func (s *Server) notFound(name, qualifier string) error {
	return invoke.Errorf(invoke.NotFound, "Function not found: %s", invoke.ARN(s.region, s.account, name, qualifier))
}

func validRegion(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}
