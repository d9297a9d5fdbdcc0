package mail

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/url"
	"os"
	"time"
)

// TLSMode says how the SMTP connection is encrypted.
type TLSMode string

// The TLS modes.
const (
	// TLSOpportunistic (smtp://) uses STARTTLS when the server offers it.
	// Without it the password is only sent to a server on this machine.
	TLSOpportunistic TLSMode = "opportunistic"
	// TLSRequired (smtp://…?tls=required) fails unless STARTTLS works.
	TLSRequired TLSMode = "required"
	// TLSNone (smtp://…?tls=none) never encrypts, even when offered.
	TLSNone TLSMode = "none"
	// TLSImplicit (smtps://) speaks TLS from the first byte (port 465).
	TLSImplicit TLSMode = "implicit"
)

// SMTPConfig says how to reach the SMTP server. [ParseSMTPURL] fills the
// connection fields; the others have defaults when zero.
type SMTPConfig struct {
	Host     string
	Port     string
	Username string // no AUTH when empty
	Password string
	TLS      TLSMode
	// CAFile is a PEM file of extra certificate authorities to trust, for a
	// server with a private certificate.
	CAFile string
	// HeloName is the name given in EHLO (default: the host name of this
	// machine). Some servers refuse "localhost".
	HeloName string

	// PoolSize is the number of connections kept open and reused (default 4).
	PoolSize int
	// DialTimeout bounds connecting, TLS and AUTH (default 15s).
	DialTimeout time.Duration
	// CommandTimeout bounds each SMTP command (default 30s).
	CommandTimeout time.Duration
	// DataTimeout bounds the wait for the reply to the message data
	// (default 2m; RFC 5321 allows the server 10 minutes).
	DataTimeout time.Duration
	// IdleTimeout closes connections unused for that long (default 1m).
	IdleTimeout time.Duration
}

// ParseSMTPURL parses an SMTP server URL:
//
//	smtp://user:pass@host:587                STARTTLS when offered (port 587 by default)
//	smtp://user:pass@host:587?tls=required   STARTTLS or nothing
//	smtp://host:25?tls=none                  no encryption
//	smtps://user:pass@host:465               implicit TLS (port 465 by default)
//
// User and password are percent-decoded ("p%40ss" is "p@ss").
func ParseSMTPURL(s string) (SMTPConfig, error) {
	u, err := url.Parse(s)
	if err != nil {
		return SMTPConfig{}, fmt.Errorf("mail: SMTP URL: %w", err)
	}
	var c SMTPConfig
	switch u.Scheme {
	case "smtp":
		c.TLS, c.Port = TLSOpportunistic, "587"
	case "smtps":
		c.TLS, c.Port = TLSImplicit, "465"
	default:
		return SMTPConfig{}, fmt.Errorf("mail: SMTP URL: scheme must be smtp or smtps, not %q", u.Scheme)
	}
	if c.Host = u.Hostname(); c.Host == "" {
		return SMTPConfig{}, fmt.Errorf("mail: SMTP URL: no host")
	}
	if p := u.Port(); p != "" {
		c.Port = p
	}
	if u.Path != "" && u.Path != "/" {
		return SMTPConfig{}, fmt.Errorf("mail: SMTP URL: unexpected path %q", u.Path)
	}
	if u.User != nil {
		c.Username = u.User.Username()
		c.Password, _ = u.User.Password()
	}
	for k, v := range u.Query() {
		switch {
		case k == "tls" && len(v) == 1 && u.Scheme == "smtp" && (v[0] == "required" || v[0] == "none"):
			c.TLS = TLSMode(v[0])
		case k == "tls":
			return SMTPConfig{}, fmt.Errorf("mail: SMTP URL: tls must be required or none, with smtp://")
		default:
			return SMTPConfig{}, fmt.Errorf("mail: SMTP URL: unknown parameter %q", k)
		}
	}
	return c, nil
}

// Addr returns host:port.
func (c SMTPConfig) Addr() string { return net.JoinHostPort(c.Host, c.Port) }

// String returns the server as a URL without the password, for logs.
func (c SMTPConfig) String() string {
	u := url.URL{Scheme: "smtp", Host: c.Addr()}
	switch c.TLS {
	case TLSImplicit:
		u.Scheme = "smtps"
	case TLSRequired, TLSNone:
		u.RawQuery = "tls=" + string(c.TLS)
	}
	if c.Username != "" {
		u.User = url.User(c.Username)
	}
	return u.String()
}

// withDefaults fills the zero fields.
func (c SMTPConfig) withDefaults() SMTPConfig {
	if c.TLS == "" {
		c.TLS = TLSOpportunistic
	}
	if c.HeloName == "" {
		c.HeloName, _ = os.Hostname()
		if c.HeloName == "" {
			c.HeloName = "localhost"
		}
	}
	setDefault(&c.PoolSize, 4)
	setDefault(&c.DialTimeout, 15*time.Second)
	setDefault(&c.CommandTimeout, 30*time.Second)
	setDefault(&c.DataTimeout, 2*time.Minute)
	setDefault(&c.IdleTimeout, time.Minute)
	return c
}

func setDefault[T int | time.Duration | float64](v *T, def T) {
	if *v <= 0 {
		*v = def
	}
}

// tlsConfig returns the TLS settings for the server: the system's
// authorities plus those of CAFile.
func (c SMTPConfig) tlsConfig() (*tls.Config, error) {
	conf := &tls.Config{ServerName: c.Host, MinVersion: tls.VersionTLS12}
	if c.CAFile == "" {
		return conf, nil
	}
	pem, err := os.ReadFile(c.CAFile)
	if err != nil {
		return nil, fmt.Errorf("mail: SMTP CA file: %w", err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("mail: SMTP CA file %s: no PEM certificate in it", c.CAFile)
	}
	conf.RootCAs = pool
	return conf, nil
}

// isLoopback reports whether host names this machine, where a password
// sent without TLS never crosses a network.
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
