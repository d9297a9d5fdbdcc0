package mail

import (
	"testing"
)

func TestParseSMTPURL(t *testing.T) {
	tests := []struct {
		url  string
		want SMTPConfig
	}{
		{"smtp://user:pass@mail.example.org:587", SMTPConfig{Host: "mail.example.org", Port: "587", Username: "user", Password: "pass", TLS: TLSOpportunistic}},
		{"smtp://mail.example.org", SMTPConfig{Host: "mail.example.org", Port: "587", TLS: TLSOpportunistic}},
		{"smtp://u%40example.org:p%40ss%3Aw%C3%B6rd@mail.example.org:2525?tls=required",
			SMTPConfig{Host: "mail.example.org", Port: "2525", Username: "u@example.org", Password: "p@ss:wörd", TLS: TLSRequired}},
		{"smtp://mailpit:1025?tls=none", SMTPConfig{Host: "mailpit", Port: "1025", TLS: TLSNone}},
		{"smtps://user:pass@mail.example.org", SMTPConfig{Host: "mail.example.org", Port: "465", Username: "user", Password: "pass", TLS: TLSImplicit}},
		{"smtp://[::1]:25?tls=none", SMTPConfig{Host: "::1", Port: "25", TLS: TLSNone}},
	}
	for _, tt := range tests {
		got, err := ParseSMTPURL(tt.url)
		if err != nil || got != tt.want {
			t.Errorf("ParseSMTPURL(%q) = %+v, %v; want %+v", tt.url, got, err, tt.want)
		}
	}
	for _, bad := range []string{
		"", "mail.example.org:587", "http://mail.example.org", "smtp://", "smtp://host/path",
		"smtp://host?tls=maybe", "smtps://host?tls=none", "smtp://host?tls=none&tls=required", "smtp://host?timeout=5",
	} {
		if _, err := ParseSMTPURL(bad); err == nil {
			t.Errorf("ParseSMTPURL(%q) succeeded", bad)
		}
	}
}

func TestSMTPConfigStringHidesThePassword(t *testing.T) {
	c, err := ParseSMTPURL("smtp://user:secret@mail.example.org:587?tls=required")
	if err != nil {
		t.Fatal(err)
	}
	if got := c.String(); got != "smtp://user@mail.example.org:587?tls=required" {
		t.Errorf("String() = %q", got)
	}
}
