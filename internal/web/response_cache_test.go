package web

import (
	"bytes"
	"testing"
	"time"

	"github.com/coe-agora/agora/internal/meeting"
)

func testCache(entries int, bytes int64) (*ResponseCache, *time.Time) {
	now := time.Date(2027, 1, 1, 12, 0, 0, 0, time.UTC)
	c := NewResponseCache(CacheConfig{MaxEntries: entries, MaxBytes: bytes, MaxAge: time.Minute,
		Now: func() time.Time { return now }}, nil)
	c.Watching(true)
	return c, &now
}

func response(n int) built {
	m := meeting.Meeting{}
	m.EndsAt = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	return built{contentType: "text/plain", body: bytes.Repeat([]byte("x"), n), meeting: m}
}

func fill(c *ResponseCache, k cacheKey, size int) {
	_, epoch, _ := c.get(k)
	c.keep(k, epoch, response(size))
}

func held(c *ResponseCache, k cacheKey) bool {
	_, _, ok := c.get(k)
	return ok
}

// The cache holds at most MaxEntries responses and MaxBytes bytes, giving
// up the oldest first.
func TestResponseCacheBounds(t *testing.T) {
	c, now := testCache(2, 4<<20)
	a, b, d := cacheKey{"page", 1, "en"}, cacheKey{"page", 1, "fr"}, cacheKey{"page", 2, "en"}
	fill(c, a, 10)
	*now = now.Add(time.Second)
	fill(c, b, 10)
	*now = now.Add(time.Second)
	fill(c, d, 10)
	if held(c, a) || !held(c, b) || !held(c, d) {
		t.Errorf("with room for 2, after 3: oldest held %v, others %v %v", held(c, a), held(c, b), held(c, d))
	}

	c, now = testCache(100, 4<<20)
	for id := range int64(5) {
		fill(c, cacheKey{"page", id, "en"}, 1<<20)
		*now = now.Add(time.Second)
	}
	if n, size := c.size(); n != 4 || size != 4<<20 || held(c, cacheKey{"page", 0, "en"}) {
		t.Errorf("5 responses of 1 MiB for a 4 MiB bound: %d kept, %d bytes, the oldest held %v", n, size, held(c, cacheKey{"page", 0, "en"}))
	}
	fill(c, cacheKey{"page", 9, "en"}, 2<<20) // over a quarter of the bound: served, not kept
	if held(c, cacheKey{"page", 9, "en"}) {
		t.Error("a response larger than a quarter of the bound was kept")
	}
}

// A response built from a meeting that still holds its online link was
// built for someone who may see it, never for visitors: it is not kept.
func TestResponseCacheNeverKeepsAnOnlineLink(t *testing.T) {
	c, _ := testCache(10, 4<<20)
	k := cacheKey{readCalendar, 1, "en"}
	_, epoch, _ := c.get(k)
	b := response(10)
	b.meeting.OnlineURL = "https://meet.example.org/room"
	if r := c.keep(k, epoch, b); !bytes.Equal(r.body, b.body) {
		t.Fatal("the response was not served")
	}
	if held(c, k) {
		t.Error("a response whose meeting holds an online link was kept for visitors")
	}
	fill(c, k, 10)
	if !held(c, k) {
		t.Error("a response without an online link was not kept")
	}
}

// A response built from data read before a change was heard is not kept:
// it may show the meeting as it was.
func TestResponseCacheDropsWhatABuildRaced(t *testing.T) {
	c, _ := testCache(10, 4<<20)
	k := cacheKey{"agenda", 7, ""}
	_, epoch, _ := c.get(k)
	c.MeetingChanged(7) // committed while the response was being built
	c.keep(k, epoch, response(10))
	if held(c, k) {
		t.Error("a response built across a change was kept")
	}
	fill(c, k, 10)
	other := cacheKey{"agenda", 8, ""}
	fill(c, other, 10)
	c.MeetingChanged(7)
	if held(c, k) || !held(c, other) {
		t.Errorf("after a change of meeting 7: its copy held %v, meeting 8's held %v", held(c, k), held(c, other))
	}
	c.AllMeetingsChanged()
	if held(c, other) {
		t.Error("a copy outlived a change of every meeting")
	}
}

// While changes are not heard the cache serves and keeps nothing, and
// what it held before is gone when they are heard again.
func TestResponseCacheBypassedWhileNotWatching(t *testing.T) {
	c, _ := testCache(10, 4<<20)
	k := cacheKey{"page", 1, "fr"}
	fill(c, k, 10)
	c.Watching(false)
	if held(c, k) {
		t.Error("served while not watching")
	}
	fill(c, k, 10)
	c.Watching(true)
	if held(c, k) {
		t.Error("a copy from before or during the outage survived it")
	}
}
