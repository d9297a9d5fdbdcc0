package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func writeFile(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "agora.yaml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPrecedence(t *testing.T) {
	file := writeFile(t, "addr: 127.0.0.1:7000\nlog:\n  format: json\ndatabase:\n  max_open_conns: 7\nhttp:\n  shutdown_timeout: 3s\n")

	c, err := Load(Sources{File: file, LookupEnv: env(nil)})
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:7000" || c.Log.Format != "json" || c.Database.MaxOpenConns != 7 || c.HTTP.ShutdownTimeout != 3*time.Second {
		t.Errorf("file values not applied: %+v", c)
	}
	if c.BaseURL != "http://localhost:8080" || c.Embedded.Port != 54329 {
		t.Errorf("defaults lost: base_url=%q port=%d", c.BaseURL, c.Embedded.Port)
	}

	c, err = Load(Sources{File: file, LookupEnv: env(map[string]string{
		"AGORA_ADDR": "127.0.0.1:7001", "AGORA_DATABASE_MAX_OPEN_CONNS": "9",
		"DATABASE_URL": "postgres://u@db:5432/agora", "AGORA_SMTP_URL": "smtp://a:b@mail:587",
	})})
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:7001" || c.Database.MaxOpenConns != 9 || c.DatabaseURL != "postgres://u@db:5432/agora" || c.SMTPURL != "smtp://a:b@mail:587" {
		t.Errorf("environment does not override the file: %+v", c)
	}
	if c.Log.Format != "json" {
		t.Errorf("file value lost under env: %q", c.Log.Format)
	}

	c, err = Load(Sources{File: file, LookupEnv: env(map[string]string{"AGORA_ADDR": "127.0.0.1:7001"}),
		Flags: map[string]string{"addr": "127.0.0.1:7002"}})
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:7002" {
		t.Errorf("flag does not override env: %q", c.Addr)
	}
}

func TestConfigFileFromEnvironment(t *testing.T) {
	file := writeFile(t, "base_url: https://agora.example.org\n")
	c, err := Load(Sources{LookupEnv: env(map[string]string{"AGORA_CONFIG": file})})
	if err != nil {
		t.Fatal(err)
	}
	if c.BaseURL != "https://agora.example.org" || !c.Secure() {
		t.Errorf("AGORA_CONFIG not read: %q", c.BaseURL)
	}
	_, err = Load(Sources{LookupEnv: env(map[string]string{"AGORA_CONFIG": "/nonexistent/agora.yaml"})})
	if err == nil || !strings.Contains(err.Error(), "/nonexistent/agora.yaml") {
		t.Errorf("a missing AGORA_CONFIG file must be an error naming it, got %v", err)
	}
}

func TestInvalidSettings(t *testing.T) {
	tests := []struct {
		name string
		file string
		env  map[string]string
		want string // the setting the error must name
	}{
		{"bad log format", "log:\n  format: xml\n", nil, "log.format"},
		{"bad log level env", "", map[string]string{"AGORA_LOG_LEVEL": "loud"}, "log.level"},
		{"addr without port", "addr: localhost\n", nil, "addr"},
		{"base url not http", "base_url: ftp://x\n", nil, "base_url"},
		{"database url scheme", "", map[string]string{"DATABASE_URL": "mysql://x"}, "database_url"},
		{"smtp scheme", "", map[string]string{"AGORA_SMTP_URL": "http://mail"}, "smtp_url"},
		{"smtp tls mode", "", map[string]string{"AGORA_SMTP_URL": "smtp://mail:25?tls=maybe"}, "smtp_url"},
		{"mail from", "", map[string]string{"AGORA_MAIL_FROM": "not an address"}, "mail_from"},
		{"pool size not a number", "", map[string]string{"AGORA_DATABASE_MAX_OPEN_CONNS": "many"}, "database.max_open_conns"},
		{"pool size zero", "database:\n  max_open_conns: 0\n", nil, "database.max_open_conns"},
		{"idle negative", "database:\n  max_idle_conns: -1\n", nil, "database.max_idle_conns"},
		{"port out of range", "embedded:\n  port: 70000\n", nil, "embedded.port"},
		{"duration", "http:\n  shutdown_timeout: soon\n", nil, "http.shutdown_timeout"},
		{"unknown key", "lgo:\n  format: json\n", nil, "lgo.format"},
		{"body limit", "http:\n  max_body_bytes: 10\n", nil, "http.max_body_bytes"},
		{"trusted proxy", "", map[string]string{"AGORA_HTTP_TRUSTED_PROXIES": "10.0.0.0/8, proxy.example.org"}, "http.trusted_proxies"},
		{"metrics public", "", map[string]string{"AGORA_METRICS_PUBLIC": "perhaps"}, "metrics.public"},
		{"metrics addr", "metrics:\n  addr: localhost\n", nil, "metrics.addr"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := Sources{LookupEnv: env(tt.env)}
			src.File = writeFile(t, tt.file+"\n")
			_, err := Load(src)
			if err == nil {
				t.Fatalf("want an error naming %s", tt.want)
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.want) || strings.Contains(msg, "\n") {
				t.Errorf("error %q should be one line naming %s", msg, tt.want)
			}
		})
	}
}

func TestTrustedProxiesAndMetrics(t *testing.T) {
	c, err := Load(Sources{File: writeFile(t, "http:\n  trusted_proxies: 10.0.0.0/8\n"), LookupEnv: env(nil)})
	if err != nil {
		t.Fatal(err)
	}
	if got := c.HTTP.Proxies(); len(got) != 1 || got[0] != "10.0.0.0/8" || c.Metrics.Public {
		t.Errorf("file: proxies %q, public metrics %v", got, c.Metrics.Public)
	}
	c, err = Load(Sources{File: writeFile(t, "http:\n  trusted_proxies: [10.0.0.1, \"192.0.2.0/24\"]\n"), LookupEnv: env(nil)})
	if got := c.HTTP.Proxies(); err != nil || len(got) != 2 || got[1] != "192.0.2.0/24" {
		t.Errorf("file, as a list: proxies %q, %v", got, err)
	}
	c, err = Load(Sources{File: "/dev/null", LookupEnv: env(map[string]string{
		"AGORA_HTTP_TRUSTED_PROXIES": "192.0.2.7, 2001:db8::/32", "AGORA_METRICS_PUBLIC": "true"})})
	if err != nil {
		t.Fatal(err)
	}
	if got := c.HTTP.Proxies(); len(got) != 2 || got[1] != "2001:db8::/32" || !c.Metrics.Public {
		t.Errorf("environment: proxies %q, public metrics %v", got, c.Metrics.Public)
	}
	c, _ = Load(Sources{File: "/dev/null", LookupEnv: env(nil)})
	if len(c.HTTP.Proxies()) != 0 || c.Metrics.Public {
		t.Errorf("defaults: proxies %q, public metrics %v; want none and false", c.HTTP.Proxies(), c.Metrics.Public)
	}
}
