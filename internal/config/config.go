// Package config loads Agora's settings: built-in defaults, then the YAML
// file (configs/agora.yaml or AGORA_CONFIG), then the environment, then
// command-line flags — each layer overriding the one before — and validates
// the result so that a bad setting stops the program with one clear line.
package config

import (
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/knadh/koanf/parsers/yaml"
	"github.com/knadh/koanf/providers/file"
	"github.com/knadh/koanf/v2"
)

// DefaultFile is read when present and AGORA_CONFIG is not set.
const DefaultFile = "configs/agora.yaml"

// Config holds every setting. The koanf tags are the keys used in the YAML
// file; see Settings for the environment variable of each.
type Config struct {
	Addr        string `koanf:"addr"`
	BaseURL     string `koanf:"base_url"`
	DatabaseURL string `koanf:"database_url"`
	SMTPURL     string `koanf:"smtp_url"`
	MailFrom    string `koanf:"mail_from"`
	SecretKey   string `koanf:"secret_key"`

	Database Database `koanf:"database"`
	Embedded Embedded `koanf:"embedded"`
	Log      Log      `koanf:"log"`
	HTTP     HTTP     `koanf:"http"`
	Mail     Mail     `koanf:"mail"`
	Limits   Limits   `koanf:"limits"`
	Digest   Digest   `koanf:"digest"`
	Privacy  Privacy  `koanf:"privacy"`
	Cache    Cache    `koanf:"cache"`
	Metrics  Metrics  `koanf:"metrics"`

	Documents Documents `koanf:"documents"`
	Letters   Letters   `koanf:"letters"`
}

// Documents configures the meetings' document store.
type Documents struct {
	// MaxBytes is the largest file accepted (413 above).
	MaxBytes int64 `koanf:"max_bytes"`
}

// Letters are the letterhead and the signature block of the documents
// Agora writes in the secretariat's name: invitation letters and
// certificates of attendance.
type Letters struct {
	// Organisation heads the letterhead; Address follows it, one line per
	// line of the YAML block, or lines separated by " | " (as the
	// environment gives it).
	Organisation string `koanf:"organisation"`
	Address      string `koanf:"address"`
	// Signatory and SignatoryTitle sign the letters.
	Signatory      string `koanf:"signatory"`
	SignatoryTitle string `koanf:"signatory_title"`
	// Logo is a PNG or JPEG file printed at the top left; empty: none.
	Logo string `koanf:"logo"`
	// AttachToInvitations has every invitation email carry its state's
	// letter (a run then renders one per state and language).
	AttachToInvitations bool `koanf:"attach_to_invitations"`
}

// AddressLines are the lines of the address, blank ones left out.
func (l Letters) AddressLines() []string {
	var out []string
	for _, line := range strings.FieldsFunc(l.Address, func(r rune) bool { return r == '\n' || r == '|' }) {
		if line = strings.TrimSpace(line); line != "" {
			out = append(out, line)
		}
	}
	return out
}

// Metrics says who may read the Prometheus metrics.
type Metrics struct {
	// Public serves /metrics to anyone; otherwise only admin accounts
	// (an API token) read it, since it tells outsiders about traffic.
	Public bool `koanf:"public"`
	// Addr, when set, is a second listen address of `agora serve` that
	// answers GET /metrics to anyone and nothing else: a port for the
	// monitoring network only.
	Addr string `koanf:"addr"`
}

// Cache bounds the in-memory copies of the public meeting reads (page,
// printable agenda, calendar file, agenda API) that each serve process
// keeps for anonymous visitors.
type Cache struct {
	// MaxEntries is how many responses are kept; 0 turns the cache off.
	MaxEntries int   `koanf:"max_entries"`
	MaxBytes   int64 `koanf:"max_bytes"`
	// MaxAge bounds how long a copy is served even if no change is heard.
	MaxAge time.Duration `koanf:"max_age"`
}

// Privacy configures the retention of personal data.
type Privacy struct {
	RetentionMonths int `koanf:"retention_months"`
}

// Digest configures the emails that tell delegates what changed in a
// published meeting.
type Digest struct {
	Quiet    time.Duration `koanf:"quiet"`
	Interval time.Duration `koanf:"interval"`
}

// Limits are the abuse limits, in requests per minute per address (and per
// secret link for links); 0 turns a limit off.
type Limits struct {
	LoginPerMinute        float64 `koanf:"login_per_minute"`
	RegistrationPerMinute float64 `koanf:"registration_per_minute"`
	LinkPerMinute         float64 `koanf:"link_per_minute"`
}

// Database configures the connection pool.
type Database struct {
	MaxOpenConns    int           `koanf:"max_open_conns"`
	MaxIdleConns    int           `koanf:"max_idle_conns"`
	ConnMaxLifetime time.Duration `koanf:"conn_max_lifetime"`
	// StatementTimeout bounds every statement the application runs.
	StatementTimeout time.Duration `koanf:"statement_timeout"`
}

// Embedded configures the PostgreSQL server started when DATABASE_URL is unset.
type Embedded struct {
	Dir      string `koanf:"dir"`
	Port     int    `koanf:"port"`
	Binaries string `koanf:"binaries"`
}

// Log configures log/slog.
type Log struct {
	Format string `koanf:"format"`
	Level  string `koanf:"level"`
}

// HTTP configures the HTTP server.
type HTTP struct {
	MaxBodyBytes    int64         `koanf:"max_body_bytes"`
	ReadTimeout     time.Duration `koanf:"read_timeout"`
	WriteTimeout    time.Duration `koanf:"write_timeout"`
	ShutdownTimeout time.Duration `koanf:"shutdown_timeout"`
	// TrustedProxies lists the addresses (IPs or CIDR ranges) of the
	// reverse proxies whose X-Forwarded-For and X-Real-IP headers are
	// believed: a YAML list, or one string separated by commas or spaces
	// (as the environment gives it). Empty: none, the peer address is the
	// client's, since anyone can send those headers.
	TrustedProxies []string `koanf:"trusted_proxies"`
}

// Proxies returns the trusted proxies one by one (none for an empty setting).
func (h HTTP) Proxies() []string {
	var out []string
	for _, p := range h.TrustedProxies {
		out = append(out, strings.FieldsFunc(p, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' })...)
	}
	return out
}

// Mail configures the outgoing mail and its worker.
type Mail struct {
	ReplyTo       string        `koanf:"reply_to"`
	PlatformName  string        `koanf:"platform_name"`
	Concurrency   int           `koanf:"concurrency"`
	RatePerSecond float64       `koanf:"rate_per_second"`
	BatchSize     int           `koanf:"batch_size"`
	Lease         time.Duration `koanf:"lease"`
	PollInterval  time.Duration `koanf:"poll_interval"`
	MaxAttempts   int           `koanf:"max_attempts"`
	MaxAge        time.Duration `koanf:"max_age"`
	CAFile        string        `koanf:"ca_file"`
}

// Setting describes one key: where it comes from and its default.
type Setting struct {
	Key     string
	Env     string
	Default any
}

// Settings lists every key, its environment variable and its default.
var Settings = []Setting{
	{"addr", "AGORA_ADDR", "127.0.0.1:8080"},
	{"base_url", "AGORA_BASE_URL", "http://localhost:8080"},
	{"database_url", "DATABASE_URL", ""},
	{"smtp_url", "AGORA_SMTP_URL", ""},
	{"mail_from", "AGORA_MAIL_FROM", "Agora <agora@localhost>"},
	{"database.max_open_conns", "AGORA_DATABASE_MAX_OPEN_CONNS", 20},
	{"database.max_idle_conns", "AGORA_DATABASE_MAX_IDLE_CONNS", 20},
	{"database.conn_max_lifetime", "AGORA_DATABASE_CONN_MAX_LIFETIME", "30m"},
	{"database.statement_timeout", "AGORA_DATABASE_STATEMENT_TIMEOUT", "30s"},
	{"embedded.dir", "AGORA_EMBEDDED_DIR", "./var"},
	{"embedded.port", "AGORA_EMBEDDED_PORT", 54329},
	{"embedded.binaries", "AGORA_EMBEDDED_BINARIES", ""},
	{"log.format", "AGORA_LOG_FORMAT", "text"},
	{"log.level", "AGORA_LOG_LEVEL", "info"},
	{"http.max_body_bytes", "AGORA_HTTP_MAX_BODY_BYTES", 1 << 20},
	{"http.read_timeout", "AGORA_HTTP_READ_TIMEOUT", "15s"},
	{"http.write_timeout", "AGORA_HTTP_WRITE_TIMEOUT", "60s"},
	{"http.shutdown_timeout", "AGORA_HTTP_SHUTDOWN_TIMEOUT", "20s"},
	{"http.trusted_proxies", "AGORA_HTTP_TRUSTED_PROXIES", []string{}},
	{"metrics.public", "AGORA_METRICS_PUBLIC", false},
	{"metrics.addr", "AGORA_METRICS_ADDR", ""},
	{"secret_key", "AGORA_SECRET_KEY", ""},
	{"privacy.retention_months", "AGORA_PRIVACY_RETENTION_MONTHS", 24},
	{"digest.quiet", "AGORA_DIGEST_QUIET", "3m"},
	{"digest.interval", "AGORA_DIGEST_INTERVAL", "30s"},
	{"limits.login_per_minute", "AGORA_LIMITS_LOGIN_PER_MINUTE", 10},
	{"limits.registration_per_minute", "AGORA_LIMITS_REGISTRATION_PER_MINUTE", 60},
	{"limits.link_per_minute", "AGORA_LIMITS_LINK_PER_MINUTE", 120},
	{"mail.reply_to", "AGORA_MAIL_REPLY_TO", ""},
	{"mail.platform_name", "AGORA_MAIL_PLATFORM_NAME", "Agora — drug policy cooperation platform, Council of Europe"},
	{"mail.concurrency", "AGORA_MAIL_CONCURRENCY", 4},
	{"mail.rate_per_second", "AGORA_MAIL_RATE_PER_SECOND", 0},
	{"mail.batch_size", "AGORA_MAIL_BATCH_SIZE", 100},
	{"mail.lease", "AGORA_MAIL_LEASE", "5m"},
	{"mail.poll_interval", "AGORA_MAIL_POLL_INTERVAL", "15s"},
	{"mail.max_attempts", "AGORA_MAIL_MAX_ATTEMPTS", 20},
	{"mail.max_age", "AGORA_MAIL_MAX_AGE", "72h"},
	{"mail.ca_file", "AGORA_MAIL_CA_FILE", ""},
	{"cache.max_entries", "AGORA_CACHE_MAX_ENTRIES", 2000},
	{"cache.max_bytes", "AGORA_CACHE_MAX_BYTES", 64 << 20},
	{"cache.max_age", "AGORA_CACHE_MAX_AGE", "1m"},
	{"documents.max_bytes", "AGORA_DOCUMENTS_MAX_BYTES", 100 << 20},
	{"letters.organisation", "AGORA_LETTERS_ORGANISATION", "Council of Europe — Pompidou Group"},
	{"letters.address", "AGORA_LETTERS_ADDRESS", "Avenue de l'Europe | 67075 Strasbourg Cedex | France"},
	{"letters.signatory", "AGORA_LETTERS_SIGNATORY", "The Executive Secretary"},
	{"letters.signatory_title", "AGORA_LETTERS_SIGNATORY_TITLE", "Pompidou Group, Council of Europe"},
	{"letters.logo", "AGORA_LETTERS_LOGO", ""},
	{"letters.attach_to_invitations", "AGORA_LETTERS_ATTACH_TO_INVITATIONS", true},
}

// Sources are the inputs Load reads besides built-in defaults.
type Sources struct {
	// File is the YAML file; empty means AGORA_CONFIG, else DefaultFile if present.
	File string
	// LookupEnv reads the environment (os.LookupEnv in production).
	LookupEnv func(string) (string, bool)
	// Flags are command-line values by key, e.g. {"addr": ":9000"}.
	Flags map[string]string
}

// Load builds the configuration from defaults, file, environment and flags.
func Load(src Sources) (Config, error) {
	if src.LookupEnv == nil {
		src.LookupEnv = os.LookupEnv
	}
	k := koanf.New(".")
	known := make(map[string]bool, len(Settings))
	for _, s := range Settings {
		known[s.Key] = true
		if err := k.Set(s.Key, s.Default); err != nil {
			return Config{}, fmt.Errorf("config: default %s: %w", s.Key, err)
		}
	}

	path, required := src.File, src.File != ""
	if !required {
		if p, ok := src.LookupEnv("AGORA_CONFIG"); ok && p != "" {
			path, required = p, true
		} else {
			path = DefaultFile
		}
	}
	if _, err := os.Stat(path); err == nil || required {
		fileK := koanf.New(".")
		if err := fileK.Load(file.Provider(path), yaml.Parser()); err != nil {
			return Config{}, fmt.Errorf("config: cannot read %s: %s", path, oneLine(err))
		}
		var unknown []string
		for _, key := range fileK.Keys() {
			if !known[key] {
				unknown = append(unknown, key)
			}
		}
		if len(unknown) > 0 {
			sort.Strings(unknown)
			return Config{}, fmt.Errorf("config: %s: unknown setting %q", path, unknown[0])
		}
		if err := k.Merge(fileK); err != nil {
			return Config{}, fmt.Errorf("config: %s: %w", path, err)
		}
	}

	for _, s := range Settings {
		if v, ok := src.LookupEnv(s.Env); ok {
			_ = k.Set(s.Key, v)
		}
	}
	for key, v := range src.Flags {
		if !known[key] {
			return Config{}, fmt.Errorf("config: unknown flag setting %q", key)
		}
		_ = k.Set(key, v)
	}

	var c Config
	// The decoder's message names the key at fault ("cannot parse 'embedded.port' as int").
	if err := k.Unmarshal("", &c); err != nil {
		return Config{}, fmt.Errorf("config: %s", strings.TrimPrefix(oneLine(err), "decoding failed due to the following error(s): "))
	}
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// Validate checks every setting and names the first one that is wrong.
func (c Config) Validate() error {
	bad := func(key, format string, args ...any) error {
		return fmt.Errorf("config: %s (%s): %s", key, envOf(key), fmt.Sprintf(format, args...))
	}
	if err := checkHostPort(c.Addr); err != nil {
		return bad("addr", "%v", err)
	}
	if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return bad("base_url", "must be an http:// or https:// URL, got %q", c.BaseURL)
	}
	if c.DatabaseURL != "" {
		u, err := url.Parse(c.DatabaseURL)
		if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
			return bad("database_url", "must be a postgres:// URL")
		}
	}
	if c.SMTPURL != "" {
		u, err := url.Parse(c.SMTPURL)
		if err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Hostname() == "" {
			return bad("smtp_url", "must look like smtp://user:pass@host:587 or smtps://user:pass@host:465")
		}
		switch u.Query().Get("tls") {
		case "", "required", "none":
		default:
			return bad("smtp_url", "tls must be required or none")
		}
	}
	if _, err := mail.ParseAddress(c.MailFrom); err != nil {
		return bad("mail_from", "must be an address like 'Secretariat <secretariat@example.org>'")
	}
	if c.Mail.ReplyTo != "" {
		if _, err := mail.ParseAddress(c.Mail.ReplyTo); err != nil {
			return bad("mail.reply_to", "must be an email address")
		}
	}
	if c.SecretKey != "" && len(c.SecretKey) < 32 {
		return bad("secret_key", "must be at least 32 characters (e.g. openssl rand -hex 32)")
	}
	if strings.TrimSpace(c.Mail.PlatformName) == "" || strings.ContainsAny(c.Mail.PlatformName, "\r\n") {
		return bad("mail.platform_name", "must be one non-empty line")
	}
	if c.Mail.Concurrency < 1 || c.Mail.Concurrency > 64 {
		return bad("mail.concurrency", "must be between 1 and 64")
	}
	if c.Mail.RatePerSecond < 0 {
		return bad("mail.rate_per_second", "must not be negative (0: no limit)")
	}
	if c.Mail.BatchSize < 1 || c.Mail.BatchSize > 10000 {
		return bad("mail.batch_size", "must be between 1 and 10000")
	}
	if c.Mail.Lease < 30*time.Second {
		return bad("mail.lease", "must be at least 30s (well above the SMTP timeouts)")
	}
	if c.Mail.PollInterval <= 0 {
		return bad("mail.poll_interval", "must be a positive duration")
	}
	if c.Mail.MaxAttempts < 1 {
		return bad("mail.max_attempts", "must be at least 1")
	}
	if c.Mail.MaxAge <= 0 {
		return bad("mail.max_age", "must be a positive duration")
	}
	if c.Mail.CAFile != "" {
		if _, err := os.Stat(c.Mail.CAFile); err != nil {
			return bad("mail.ca_file", "cannot read %s", c.Mail.CAFile)
		}
	}
	for key, v := range map[string]float64{"limits.login_per_minute": c.Limits.LoginPerMinute,
		"limits.registration_per_minute": c.Limits.RegistrationPerMinute, "limits.link_per_minute": c.Limits.LinkPerMinute} {
		if v < 0 {
			return bad(key, "must not be negative (0 turns the limit off)")
		}
	}
	if c.Privacy.RetentionMonths < 1 || c.Privacy.RetentionMonths > 600 {
		return bad("privacy.retention_months", "must be between 1 and 600")
	}
	if c.Digest.Quiet < 0 || c.Digest.Interval <= 0 {
		return bad("digest.interval", "digest.quiet must not be negative and digest.interval must be positive")
	}
	if c.Cache.MaxEntries < 0 || c.Cache.MaxEntries > 1_000_000 {
		return bad("cache.max_entries", "must be between 0 (no cache) and 1000000")
	}
	if c.Cache.MaxBytes < 1<<20 {
		return bad("cache.max_bytes", "must be at least 1048576 (1 MiB)")
	}
	if c.Cache.MaxAge <= 0 || c.Cache.MaxAge > time.Hour {
		return bad("cache.max_age", "must be a positive duration of at most 1h, such as 1m")
	}
	if c.Database.MaxOpenConns < 1 {
		return bad("database.max_open_conns", "must be at least 1")
	}
	// More idle than open connections is harmless: database/sql caps it.
	if c.Database.MaxIdleConns < 0 {
		return bad("database.max_idle_conns", "must not be negative")
	}
	if c.Database.ConnMaxLifetime < 0 {
		return bad("database.conn_max_lifetime", "must not be negative")
	}
	if c.Database.StatementTimeout < 0 {
		return bad("database.statement_timeout", "must not be negative")
	}
	if c.Embedded.Dir == "" {
		return bad("embedded.dir", "must not be empty")
	}
	if c.Embedded.Port < 1 || c.Embedded.Port > 65535 {
		return bad("embedded.port", "must be a TCP port (1-65535)")
	}
	if c.Log.Format != "text" && c.Log.Format != "json" {
		return bad("log.format", "must be text or json, got %q", c.Log.Format)
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		return bad("log.level", "must be debug, info, warn or error, got %q", c.Log.Level)
	}
	if c.HTTP.MaxBodyBytes < 1024 {
		return bad("http.max_body_bytes", "must be at least 1024")
	}
	if c.Documents.MaxBytes < 1024 {
		return bad("documents.max_bytes", "must be at least 1024")
	}
	for key, v := range map[string]string{"letters.organisation": c.Letters.Organisation, "letters.signatory": c.Letters.Signatory,
		"letters.signatory_title": c.Letters.SignatoryTitle} {
		if strings.ContainsAny(v, "\r\n") || len(v) > 200 {
			return bad(key, "must be one line of at most 200 characters")
		}
	}
	if strings.TrimSpace(c.Letters.Organisation) == "" {
		return bad("letters.organisation", "must not be empty: it heads every letter")
	}
	if c.Letters.Logo != "" {
		ext := strings.ToLower(c.Letters.Logo[strings.LastIndex(c.Letters.Logo, ".")+1:])
		if ext != "png" && ext != "jpg" && ext != "jpeg" {
			return bad("letters.logo", "must be a .png or .jpg file")
		}
		if _, err := os.Stat(c.Letters.Logo); err != nil {
			return bad("letters.logo", "cannot read %s", c.Letters.Logo)
		}
	}
	if c.Metrics.Addr != "" {
		if err := checkHostPort(c.Metrics.Addr); err != nil {
			return bad("metrics.addr", "%v", err)
		}
	}
	for _, p := range c.HTTP.Proxies() {
		if _, _, err := net.ParseCIDR(p); err != nil && net.ParseIP(p) == nil {
			return bad("http.trusted_proxies", "%q is neither an IP address nor a CIDR range such as 10.0.0.0/8", p)
		}
	}
	for key, d := range map[string]time.Duration{
		"http.read_timeout": c.HTTP.ReadTimeout, "http.write_timeout": c.HTTP.WriteTimeout,
		"http.shutdown_timeout": c.HTTP.ShutdownTimeout,
	} {
		if d <= 0 {
			return bad(key, "must be a positive duration such as 15s")
		}
	}
	return nil
}

// Secure reports whether the public URL is https (cookies get the Secure flag).
func (c Config) Secure() bool { return strings.HasPrefix(c.BaseURL, "https://") }

func envOf(key string) string {
	for _, s := range Settings {
		if s.Key == key {
			return s.Env
		}
	}
	return "?"
}

func checkHostPort(addr string) error {
	_, port, err := splitHostPort(addr)
	if err != nil {
		return err
	}
	if port == "" {
		return errors.New("must be HOST:PORT, e.g. 127.0.0.1:8080 or :8080")
	}
	return nil
}

func splitHostPort(addr string) (string, string, error) {
	i := strings.LastIndex(addr, ":")
	if i < 0 {
		return "", "", fmt.Errorf("must be HOST:PORT, got %q", addr)
	}
	port := addr[i+1:]
	for _, r := range port {
		if r < '0' || r > '9' {
			return "", "", fmt.Errorf("port must be a number, got %q", port)
		}
	}
	return addr[:i], port, nil
}

func oneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}
