package meeting

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/lib/pq"
)

// ChangeChannel is the PostgreSQL channel on which the database announces,
// when a transaction commits, that what a meeting's public pages show has
// changed: the meeting, its agenda or its invited states. The payload is
// the meeting's id, or "*" when any meeting may be affected (the roster of
// states). Triggers send it (migration 00013), so every writer is covered.
const ChangeChannel = "agora_meeting_changed"

// ChangeObserver keeps copies of what meetings show and is told when they
// go stale. Its methods may be called from different goroutines.
type ChangeObserver interface {
	// MeetingChanged: the meeting with this id changed.
	MeetingChanged(id int64)
	// AllMeetingsChanged: any meeting may have changed.
	AllMeetingsChanged()
	// Watching reports whether changes are being heard. While it is false,
	// changes go unannounced; when it turns true again, changes made in
	// between are unknown.
	Watching(on bool)
}

// WatchChanges listens on ChangeChannel and tells o about every change
// until ctx is done. It reconnects on its own after a lost connection,
// telling o Watching(false) meanwhile, and returns nil when ctx ends.
func WatchChanges(ctx context.Context, dsn string, o ChangeObserver, log *slog.Logger) error {
	// The connection's ups and downs are reported by the listener's own
	// goroutine, in order; o hears Watching(true) only once LISTEN is in
	// force on the current connection (Listen has returned, and the
	// connection has not dropped since).
	var mu sync.Mutex
	up, listening := false, false
	l := pq.NewListener(dsn, time.Second, 30*time.Second, func(ev pq.ListenerEventType, err error) {
		mu.Lock()
		defer mu.Unlock()
		switch ev {
		case pq.ListenerEventConnected, pq.ListenerEventReconnected:
			// After a reconnection the listener has issued LISTEN again.
			up = true
			if listening {
				o.Watching(true)
			}
		case pq.ListenerEventDisconnected:
			up = false
			o.Watching(false)
			log.Warn("meeting changes: LISTEN connection lost; public pages are not cached until it is back", "err", err)
		case pq.ListenerEventConnectionAttemptFailed:
			log.Warn("meeting changes: cannot open the LISTEN connection", "err", err)
		}
	})
	defer l.Close()
	defer o.Watching(false)

	done := make(chan error, 1)
	// Listen blocks until the connection is up, which may be never.
	go func() { done <- l.Listen(ChangeChannel) }()
	select {
	case <-ctx.Done():
		return nil
	case err := <-done:
		if err != nil {
			return fmt.Errorf("meeting: LISTEN %s: %w", ChangeChannel, err)
		}
	}
	mu.Lock()
	listening = true
	if up {
		o.Watching(true)
	}
	mu.Unlock()
	for {
		select {
		case <-ctx.Done():
			return nil
		case n, ok := <-l.Notify:
			switch {
			case !ok:
				return nil
			case n == nil:
				// Sent after a reconnection, which Watching(true) covers.
			case n.Extra == "*":
				o.AllMeetingsChanged()
			default:
				if id, err := strconv.ParseInt(n.Extra, 10, 64); err == nil {
					o.MeetingChanged(id)
				} else {
					o.AllMeetingsChanged()
				}
			}
		}
	}
}
