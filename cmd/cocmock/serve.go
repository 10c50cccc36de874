package main

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"runtime/debug"
	runtimemetrics "runtime/metrics"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/cocmock/cocmock/mock"
	"github.com/cocmock/cocmock/mock/auth"
	"github.com/cocmock/cocmock/mock/httpd"
	"github.com/cocmock/cocmock/mock/metrics"
	"github.com/cocmock/cocmock/openapi"
	"github.com/cocmock/cocmock/scenarios"
)

type serveConfig struct {
	addr         string
	coverage     bool
	allowedHosts string
	pprof        bool
	spec         string
	scenarios    string
	scenario     string
	seed         int64
	maxBody      byteSize
	maxHang      time.Duration
	maxSessions  int
	journalSize  int
	journalMem   byteSize
	stateMem     byteSize
	bodyMem      byteSize
	memLimit     byteSize
	readTimeout  time.Duration
	maxConns     int
	adminToken   string
	auth         string
	ak, sk       string
	credentials  string
	token        string
	lockAfter    int
	lockFor      time.Duration
	rateLimit    int
	watch        bool
	watchPoll    time.Duration
	grace        time.Duration
	validation   string
	tlsAddr      string
	tlsCert      string
	tlsKey       string
	tlsHosts     string
	logFormat    string
	logLevel     string
	gcPercent    int
}

// gcPercent says what the collector runs at: GOGC when set, else the flag.
func gcPercent(flag int, getenv func(string) string) string {
	if v := getenv("GOGC"); v != "" {
		return v
	}
	return strconv.Itoa(flag)
}

// serveFlags declares serve's flags into cfg, which holds the defaults
// for the byte sizes.
func serveFlags(cfg *serveConfig) *flag.FlagSet {
	*cfg = serveConfig{maxBody: httpd.DefaultMaxBody, journalMem: mock.DefaultJournalBytes, stateMem: mock.DefaultStateBytes, bodyMem: httpd.DefaultBodyBytes, memLimit: 256 << 20}
	fs := newFlagSet("serve")
	fs.StringVar(&cfg.addr, "addr", "127.0.0.1:8080", "address to listen on (host:port; port 0 picks a free one)")
	fs.StringVar(&cfg.spec, "spec", "", "OpenAPI document to serve instead of the embedded COC contract")
	fs.StringVar(&cfg.scenarios, "scenarios", "", "folder of scenario files (*.yaml), or one file, that add to and override the built-in ones by name")
	fs.StringVar(&cfg.scenario, "scenario", mock.DefaultScenario, "scenario used when a request and its session name none")
	fs.Int64Var(&cfg.seed, "seed", 0, "seed for every random choice and fake value; 0 picks one and prints it")
	fs.Var(&cfg.maxBody, "max-body", "largest request body taken; larger ones get the gateway's 413 APIGW.0201")
	fs.DurationVar(&cfg.maxHang, "max-hang", httpd.DefaultMaxHang, "longest a 'hang' fault, or a reply's delay, holds a request")
	fs.IntVar(&cfg.maxSessions, "max-sessions", mock.DefaultMaxSessions, "sessions kept; the least recently used is dropped beyond it")
	fs.IntVar(&cfg.journalSize, "journal-size", mock.DefaultJournalSize, "exchanges each session's journal keeps at most")
	fs.Var(&cfg.journalMem, "journal-bytes", "bytes all journals hold together; beyond it the oldest exchanges go, least recently used sessions first")
	fs.Var(&cfg.stateMem, "state-bytes", "bytes all sessions' incidents and sequence counters hold together; beyond it least recently used sessions are dropped")
	fs.DurationVar(&cfg.readTimeout, "read-timeout", httpd.DefaultReadTimeout, "longest a client may take to send a request, body included; the connection is closed then")
	fs.IntVar(&cfg.maxConns, "max-conns", httpd.DefaultMaxConns, "connections served at once; an idle keep-alive one gives its slot to a new one, and when all are busy 16 more serve the sandbox API (others get 503); past those, connections wait to be accepted")
	fs.Var(&cfg.memLimit, "memory-limit", "the Go runtime's soft memory limit: the collector works harder near it (GOMEMLIMIT, when set, wins)")
	fs.IntVar(&cfg.gcPercent, "gc-percent", 400, "the collector runs when the heap has grown this many percent over what was live after the last collection; --memory-limit still caps it (GOGC, when set, wins)")
	fs.Var(&cfg.bodyMem, "body-bytes", "bytes of large request bodies (over 16 KiB, or of unknown length) being read at once, charged as they arrive; a new body waits for room up to --read-timeout, one already holding some at most 1 s, then the gateway's 503")
	fs.StringVar(&cfg.adminToken, "admin-token", "", "when set, /__admin needs Authorization: Bearer <token>, but for health, the TLS certificate and the dashboard page (whose data is locked)")
	fs.StringVar(&cfg.auth, "auth", "none", "gateway authentication: none, token (X-Auth-Token) or aksk (SDK-HMAC-SHA256 signatures)")
	fs.StringVar(&cfg.ak, "ak", "", "access key accepted in aksk mode (with --sk)")
	fs.StringVar(&cfg.sk, "sk", "", "secret key of --ak")
	fs.StringVar(&cfg.credentials, "credentials", "", "YAML file of AK: SK pairs accepted in aksk mode")
	fs.StringVar(&cfg.token, "token", "", "in token mode, the one X-Auth-Token accepted (default: any)")
	fs.IntVar(&cfg.lockAfter, "auth-lock-after", 5, "lock an AK after more than this many failed signatures in a row (0: never)")
	fs.DurationVar(&cfg.lockFor, "auth-lock-for", 5*time.Minute, "how long a locked AK stays locked")
	fs.IntVar(&cfg.rateLimit, "rate-limit", 0, "requests per second per AK (or client address) before 429 APIGW.0308; 0: no limit")
	fs.DurationVar(&cfg.grace, "shutdown-grace", 10*time.Second, "on SIGINT/SIGTERM, how long in-flight replies get to finish before they are cut")
	fs.BoolVar(&cfg.watch, "watch", false, "reload the --scenarios folder or file when it changes (a broken edit keeps the last good set)")
	fs.DurationVar(&cfg.watchPoll, "watch-poll", 2*time.Second, "with --watch, also compare the folder this often, so that a lost watch or a swapped folder is still seen")
	fs.StringVar(&cfg.validation, "validation", string(mock.ValidationEnforce), "what a request that breaks the contract gets: enforce (400 GOM.00007256), report (answered as if valid; violations in X-Cocmock-Violations, the journal, metrics and log) or off (not checked)")
	fs.StringVar(&cfg.tlsAddr, "tls-addr", "", "also serve HTTPS on this address (host:port), with the same handler, journal and admin API")
	fs.StringVar(&cfg.tlsCert, "tls-cert", "", "PEM certificate (chain) for --tls-addr, with --tls-key; default: a self-signed one made at start-up")
	fs.StringVar(&cfg.tlsKey, "tls-key", "", "PEM private key of --tls-cert")
	fs.StringVar(&cfg.tlsHosts, "tls-host", "", "comma-separated names or addresses the self-signed certificate also covers (besides localhost, 127.0.0.1, ::1)")
	fs.StringVar(&cfg.allowedHosts, "allowed-host", "", "comma-separated Host names the sandbox API and dashboard also answer for, besides localhost, 127.0.0.1, ::1 and the listen addresses' (e.g. the name other containers use)")
	fs.BoolVar(&cfg.pprof, "pprof", false, "serve the Go profiler under /__admin/debug/pprof/ (behind --admin-token; its cmdline hides the secret flags' values)")
	fs.BoolVar(&cfg.coverage, "coverage", true, "count each session's contract coverage (GET /__admin/coverage, cocmock coverage); false turns counting off")
	fs.StringVar(&cfg.logFormat, "log-format", "text", "log format: text or json")
	fs.StringVar(&cfg.logLevel, "log-level", "info", "log level: debug, info, warn or error")
	return fs
}

func serve(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var cfg serveConfig
	fs := serveFlags(&cfg)
	from, _, err := parseFlags(fs, args, getenv, false, stdout)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if cfg.maxHang <= 0 || cfg.maxSessions <= 0 || cfg.journalSize <= 0 || cfg.grace <= 0 || cfg.readTimeout <= 0 || cfg.maxConns <= 0 || cfg.watchPoll <= 0 {
		return usageError("--max-hang, --max-sessions, --journal-size, --shutdown-grace, --read-timeout, --max-conns and --watch-poll must be above 0")
	}
	if cfg.rateLimit < 0 || cfg.lockAfter < 0 || cfg.lockFor <= 0 {
		return usageError("--rate-limit and --auth-lock-after must be 0 or more, --auth-lock-for above 0")
	}
	validation, err := mock.ParseValidation(cfg.validation)
	if err != nil {
		return usageError("%s: %v", from.name("validation"), err)
	}
	if (cfg.tlsCert != "" || cfg.tlsKey != "" || cfg.tlsHosts != "") && cfg.tlsAddr == "" {
		return usageError("--tls-cert, --tls-key and --tls-host need --tls-addr")
	}
	if cfg.watch && cfg.scenarios == "" {
		return usageError("--watch needs --scenarios (a folder or a file)")
	}
	if cfg.gcPercent <= 0 {
		return usageError("--gc-percent must be above 0")
	}
	// The runtime's own variables win. The collector runs less often than
	// Go's default (100): the live heap of a sandbox is small and its
	// garbage comes from requests, so at 400 it costs about a tenth of the
	// CPU less under load, and --memory-limit still bounds the heap.
	if getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(int64(cfg.memLimit))
	}
	if getenv("GOGC") == "" {
		debug.SetGCPercent(cfg.gcPercent)
	}
	authenticator, err := newAuthenticator(cfg)
	if err != nil {
		return err
	}
	logOut := newLogWriter(stderr)
	defer logOut.Close() // the last lines reach stderr before serve returns
	log, accessLog, err := newLogger(logOut, cfg.logFormat, cfg.logLevel)
	if err != nil {
		return err
	}
	spec, err := loadSpec(cfg.spec)
	if err != nil {
		return err
	}
	lenient := validation.ScenarioOptions()
	set, err := loadScenarios(spec, lenient, from.name("scenarios"), cfg.scenarios)
	if err != nil {
		return err
	}
	for _, w := range set.Warnings() {
		log.Warn("scenario file", "finding", w.String())
	}
	meters := metrics.New()
	engine, err := mock.New(spec, set,
		mock.WithSeed(cfg.seed), mock.WithScenario(cfg.scenario), mock.WithLogger(log),
		mock.WithMaxSessions(cfg.maxSessions), mock.WithJournalSize(cfg.journalSize),
		mock.WithJournalBytes(int64(cfg.journalMem)), mock.WithStateBytes(int64(cfg.stateMem)),
		mock.WithAuth(authenticator), mock.WithRateLimit(cfg.rateLimit), mock.WithObserver(meters),
		mock.WithValidation(validation), mock.WithCoverage(cfg.coverage))
	if err != nil {
		return usageError("%s: %v", from.name("scenario"), err)
	}
	meters.Gauges(engine.Stats)
	meters.LogLinesDropped(logOut.Dropped)
	edge := httpd.Config{
		MaxBody: int64(cfg.maxBody), MaxHang: cfg.maxHang, Logger: log, AccessLog: accessLog, AdminToken: cfg.adminToken,
		Metrics: meters.Handler(), ReadTimeout: cfg.readTimeout, MaxConns: cfg.maxConns, BodyBytes: int64(cfg.bodyMem),
		AuthMode: cfg.auth, AllowedHosts: allowedHosts(cfg), Pprof: cfg.pprof,
	}
	var cert tls.Certificate
	if cfg.tlsAddr != "" {
		if cert, edge.CertPEM, err = serverCertificate(cfg); err != nil {
			return err
		}
	}
	reload := &reloader{spec: spec, opts: lenient, dir: watchedFolder(cfg.scenarios), path: cfg.scenarios, flag: from.name("scenarios"), poll: cfg.watchPoll, engine: engine, log: log}
	if cfg.scenarios != "" {
		edge.Reload, edge.LastReload = reload.reload, reload.last
	}
	front := httpd.New(engine, edge)
	srv := front.HTTPServer(cfg.addr)
	// Every request's context descends from base: cancelling it ends the
	// delays and hangs that would outlive the shutdown grace.
	base, cutInFlight := context.WithCancel(context.Background())
	defer cutInFlight()
	srv.BaseContext = func(net.Listener) context.Context { return base }
	if cfg.watch {
		go reload.watch(ctx)
	}

	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return err
	}
	ln = front.Listener(ln)
	served := make(chan error, 2)
	start := startup{Version: version(), HTTP: "http://" + ln.Addr().String(), Spec: spec.Name(), Scenario: cfg.scenario,
		Scenarios: cfg.scenarios, Watch: cfg.watch, Seed: engine.Seed(), Auth: cfg.auth, Validation: string(validation),
		Limits: map[string]string{
			"max_body": cfg.maxBody.String(), "journal_bytes": cfg.journalMem.String(), "state_bytes": cfg.stateMem.String(),
			"max_sessions": fmt.Sprint(cfg.maxSessions), "max_conns": fmt.Sprint(cfg.maxConns), "read_timeout": cfg.readTimeout.String(),
			"memory_limit": (*byteSize)(ptrTo(debug.SetMemoryLimit(-1))).String(), "gc_percent": gcPercent(cfg.gcPercent, getenv),
		}}
	if cfg.tlsAddr != "" {
		tlsLn, err := net.Listen("tcp", cfg.tlsAddr)
		if err != nil {
			_ = ln.Close()
			return err
		}
		srv.TLSConfig = httpd.TLSConfig(cert)
		start.HTTPS, start.Fingerprint = "https://"+tlsLn.Addr().String(), httpd.Fingerprint(cert)
		tlsLn = front.Listener(tlsLn)
		go func() { served <- srv.ServeTLS(tlsLn, "", "") }()
	}
	start.print(stdout, cfg.logFormat)
	quiet, endQuiet := context.WithCancel(ctx)
	defer endQuiet()
	go releaseWhenQuiet(quiet, front.Served, quietAfter, quietFree, log)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down; letting in-flight replies finish", "grace", cfg.grace)
	shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.grace)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		log.Warn("in-flight replies outlived the shutdown grace; cutting them", "grace", cfg.grace)
		cutInFlight()
		_ = srv.Close()
	}
	return nil
}

func loadSpec(path string) (*openapi.Spec, error) {
	if path == "" {
		return openapi.Load("embedded", openapi.Embedded())
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &exitError{code: 2, err: err}
	}
	return openapi.Load(path, data)
}

// startup is what the startup line says: where the server listens and how
// it is set up, so that a run can be told apart and repeated.
type startup struct {
	Msg         string            `json:"msg"`
	Version     string            `json:"version"`
	HTTP        string            `json:"http"`
	HTTPS       string            `json:"https,omitempty"`
	Fingerprint string            `json:"certificate_sha256,omitempty"`
	Spec        string            `json:"spec"`
	Scenario    string            `json:"scenario"`
	Scenarios   string            `json:"scenarios,omitempty"`
	Watch       bool              `json:"watch"`
	Seed        int64             `json:"seed"`
	Auth        string            `json:"auth"`
	Validation  string            `json:"validation"`
	Limits      map[string]string `json:"limits"`
}

// print writes the startup line in the log's format: one JSON object, or
// a sentence.
func (s startup) print(w io.Writer, format string) {
	if format == "json" {
		s.Msg = "listening"
		b, _ := json.Marshal(s)
		fmt.Fprintf(w, "%s\n", b)
		return
	}
	https := ""
	if s.HTTPS != "" {
		https = fmt.Sprintf(" and %s (certificate sha256 %s)", s.HTTPS, s.Fingerprint)
	}
	folder := "none"
	if s.Scenarios != "" {
		folder = s.Scenarios
		if s.Watch {
			folder += " (watched)"
		}
	}
	fmt.Fprintf(w, "cocmock %s listening on %s%s (dashboard %s/__admin/ui/; spec %s, scenario %s, scenario files %s, seed %d, auth %s, validation %s; limits: body %s, journal %s, state %s, %s sessions, %s connections, read timeout %s)\n",
		s.Version, s.HTTP, https, s.HTTP, s.Spec, s.Scenario, folder, s.Seed, s.Auth, s.Validation,
		s.Limits["max_body"], s.Limits["journal_bytes"], s.Limits["state_bytes"], s.Limits["max_sessions"], s.Limits["max_conns"], s.Limits["read_timeout"])
}

// serverCertificate is --tls-cert/--tls-key when given, else a self-signed
// certificate made now for --tls-host.
func serverCertificate(cfg serveConfig) (tls.Certificate, []byte, error) {
	switch {
	case cfg.tlsCert == "" && cfg.tlsKey == "":
		var hosts []string
		if cfg.tlsHosts != "" {
			hosts = strings.Split(cfg.tlsHosts, ",")
		}
		cert, pem, err := httpd.SelfSigned(hosts, time.Now(), rand.Reader)
		if err != nil {
			return tls.Certificate{}, nil, fmt.Errorf("making a self-signed certificate: %w", err)
		}
		return cert, pem, nil
	case cfg.tlsCert == "" || cfg.tlsKey == "":
		return tls.Certificate{}, nil, usageError("--tls-cert and --tls-key go together")
	case cfg.tlsHosts != "":
		return tls.Certificate{}, nil, usageError("--tls-host names the self-signed certificate's hosts; it does not apply to --tls-cert")
	}
	certPEM, err := os.ReadFile(cfg.tlsCert)
	if err != nil {
		return tls.Certificate{}, nil, &exitError{code: 2, err: fmt.Errorf("--tls-cert: %w", err)}
	}
	keyPEM, err := os.ReadFile(cfg.tlsKey)
	if err != nil {
		return tls.Certificate{}, nil, &exitError{code: 2, err: fmt.Errorf("--tls-key: %w", err)}
	}
	cert, err := httpd.LoadCertificate(certPEM, keyPEM)
	if err != nil {
		return tls.Certificate{}, nil, usageError("--tls-cert/--tls-key: %v", err)
	}
	return cert, certPEM, nil
}

// loadScenarios loads the built-in scenarios, then each path's (a folder
// of scenario files, or one file), which override built-ins of the same
// name. flag names where the paths came from, for errors.
func loadScenarios(spec *openapi.Spec, opts scenarios.Options, flag string, paths ...string) (*scenarios.Set, error) {
	sources := []scenarios.Source{{Name: "builtin", FS: scenarios.Builtin()}}
	for _, path := range paths {
		if path == "" {
			continue
		}
		info, err := os.Stat(path)
		switch {
		case err != nil:
			return nil, &exitError{code: 2, err: fmt.Errorf("%s %s: no such folder or file", flag, path)}
		case info.IsDir():
			sources = append(sources, scenarios.Source{Name: path, FS: scenarios.Dir(path)})
		default:
			dir := filepath.Dir(path)
			sources = append(sources, scenarios.Source{Name: dir, FS: scenarios.Dir(dir), Files: []string{filepath.Base(path)}})
		}
	}
	return scenarios.LoadWith(spec, opts, sources...)
}

// watchedFolder is the folder --watch watches for a --scenarios path: the
// folder itself, or the folder of a file.
func watchedFolder(path string) string {
	if info, err := os.Stat(path); err == nil && !info.IsDir() {
		return filepath.Dir(path)
	}
	return path
}

// newAuthenticator reads the auth flags; keys come from --ak/--sk and the
// --credentials file.
func newAuthenticator(cfg serveConfig) (*auth.Authenticator, error) {
	keys := map[string]string{}
	if (cfg.ak == "") != (cfg.sk == "") {
		return nil, usageError("--ak and --sk go together")
	}
	if cfg.ak != "" {
		keys[cfg.ak] = cfg.sk
	}
	if cfg.credentials != "" {
		data, err := os.ReadFile(cfg.credentials)
		if err != nil {
			return nil, &exitError{code: 2, err: err}
		}
		var pairs map[string]string
		if err := yaml.Unmarshal(data, &pairs); err != nil {
			return nil, usageError("--credentials %s: want a YAML mapping of AK: SK: %v", cfg.credentials, err)
		}
		for ak, sk := range pairs {
			if ak == "" || sk == "" {
				return nil, usageError("--credentials %s: an empty AK or SK", cfg.credentials)
			}
			keys[ak] = sk
		}
	}
	mode := auth.Mode(cfg.auth)
	if len(keys) > 0 && mode != auth.AKSK {
		return nil, usageError("AK/SK pairs are given but --auth is %q; use --auth aksk", cfg.auth)
	}
	if cfg.token != "" && mode != auth.Token {
		return nil, usageError("--token is given but --auth is %q; use --auth token", cfg.auth)
	}
	a, err := auth.New(auth.Config{Mode: mode, Keys: keys, Token: cfg.token, LockAfter: cfg.lockAfter, LockFor: cfg.lockFor})
	if err != nil {
		return nil, usageError("%v", err)
	}
	return a, nil
}

func ptrTo[T any](v T) *T { return &v }

// allowedHosts are the Host names the sandbox API answers for besides the
// loopback ones: the listen addresses' hosts (the machine's name when one
// listens on every interface) and --allowed-host's.
func allowedHosts(cfg serveConfig) []string {
	var out []string
	for _, addr := range []string{cfg.addr, cfg.tlsAddr} {
		host, _, err := net.SplitHostPort(addr)
		switch {
		case err != nil:
		case host == "" || host == "0.0.0.0" || host == "::":
			if name, err := os.Hostname(); err == nil {
				out = append(out, strings.ToLower(name))
			}
		default:
			out = append(out, strings.ToLower(strings.Trim(host, "[]")))
		}
	}
	for _, h := range strings.Split(cfg.allowedHosts, ",") {
		if h = strings.TrimSpace(strings.ToLower(h)); h != "" {
			out = append(out, h)
		}
	}
	return out
}

// quietAfter is how long the server waits without a request before it
// gives the memory its load used back to the system, and quietFree the
// free heap worth giving back: a probe every few seconds on an idle
// server leaves little, and a forced collection for it would be waste.
const (
	quietAfter = 5 * time.Second
	quietFree  = 16 << 20
)

// releaseWhenQuiet returns freed memory to the system once a burst of
// load is over: when no request arrived for a period after one did, and
// at least minFree bytes of heap are free but still held, it runs
// debug.FreeOSMemory. The runtime's scavenger alone takes minutes to give
// back what a burst of large bodies took (a soak's RSS stayed at 103 MiB
// 60 s after it stopped, with 40 MiB live).
func releaseWhenQuiet(ctx context.Context, served func() int64, every time.Duration, minFree uint64, log *slog.Logger) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	free := []runtimemetrics.Sample{{Name: "/memory/classes/heap/free:bytes"}}
	last, busy := served(), false
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		switch now := served(); {
		case now != last:
			last, busy = now, true
		case busy:
			busy = false
			if runtimemetrics.Read(free); free[0].Value.Uint64() < minFree {
				continue
			}
			debug.FreeOSMemory()
			log.Debug("quiet: returned free memory to the system", "after", every, "free_bytes", free[0].Value.Uint64())
		}
	}
}
