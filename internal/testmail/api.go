package testmail

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

// Address is a mailbox as Mailpit reports it.
type Address struct {
	Name    string
	Address string
}

// Summary is a message in Mailpit's list.
type Summary struct {
	ID        string // Mailpit's id, for Message and Raw
	MessageID string // the Message-ID header, without angle brackets
	From      *Address
	To        []Address
	Subject   string
	Username  string // the SMTP AUTH user that sent it
	Created   time.Time
	Size      int
}

// Message is a message as Mailpit parsed it.
type Message struct {
	ID          string
	MessageID   string
	From        *Address
	To          []Address
	ReplyTo     []Address
	Subject     string
	Username    string // the SMTP AUTH user that sent it
	Date        time.Time
	Text        string
	HTML        string
	Inline      []Attachment
	Attachments []Attachment
}

// Attachment is a non-text part of a message; Part returns its content.
type Attachment struct {
	PartID      string
	FileName    string
	ContentType string
	Size        int
}

// Count returns how many messages the server holds.
func (s *Server) Count() (int, error) {
	var page struct {
		Total int `json:"messages_count"`
	}
	err := s.getJSON("/api/v1/messages?limit=1", &page)
	return page.Total, err
}

// Messages returns every message the server holds, newest first.
func (s *Server) Messages() ([]Summary, error) {
	var all []Summary
	for {
		var page struct {
			Total    int       `json:"messages_count"`
			Messages []Summary `json:"messages"`
		}
		q := url.Values{"limit": {"1000"}, "start": {fmt.Sprint(len(all))}}
		if err := s.getJSON("/api/v1/messages?"+q.Encode(), &page); err != nil {
			return nil, err
		}
		all = append(all, page.Messages...)
		if len(page.Messages) == 0 || len(all) >= page.Total {
			return all, nil
		}
	}
}

// Message returns one message, parsed.
func (s *Server) Message(id string) (*Message, error) {
	var m Message
	if err := s.getJSON("/api/v1/message/"+url.PathEscape(id), &m); err != nil {
		return nil, err
	}
	return &m, nil
}

// Raw returns one message as received.
func (s *Server) Raw(id string) ([]byte, error) {
	return s.get("/api/v1/message/" + url.PathEscape(id) + "/raw")
}

// Part returns the content of one attachment or inline part.
func (s *Server) Part(id, partID string) ([]byte, error) {
	return s.get("/api/v1/message/" + url.PathEscape(id) + "/part/" + url.PathEscape(partID))
}

// DeleteAll empties the mailbox.
func (s *Server) DeleteAll() error {
	req, err := http.NewRequest(http.MethodDelete, s.APIURL+"/api/v1/messages", nil)
	if err != nil {
		return err
	}
	resp, err := s.http.Do(req)
	if err != nil {
		return fmt.Errorf("testmail: delete all: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("testmail: delete all: %s", resp.Status)
	}
	return nil
}

// WaitCount waits until the server holds at least n messages and returns
// how many it holds, or an error after timeout.
func (s *Server) WaitCount(n int, timeout time.Duration) (int, error) {
	deadline := time.Now().Add(timeout)
	for {
		got, err := s.Count()
		if err == nil && got >= n {
			return got, nil
		}
		if time.Now().After(deadline) {
			return got, fmt.Errorf("testmail: %d messages after %s, want %d (last error: %v)", got, timeout, n, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (s *Server) getJSON(path string, v any) error {
	b, err := s.get(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("testmail: GET %s: %w", path, err)
	}
	return nil
}

func (s *Server) get(path string) ([]byte, error) {
	resp, err := s.http.Get(s.APIURL + path)
	if err != nil {
		return nil, fmt.Errorf("testmail: GET %s: %w", path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("testmail: GET %s: %w", path, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("testmail: GET %s: %s: %s", path, resp.Status, b)
	}
	return b, nil
}
