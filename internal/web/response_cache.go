package web

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sync/singleflight"

	"github.com/coe-agora/agora/internal/meeting"
)

// CacheConfig bounds the response cache.
type CacheConfig struct {
	// MaxEntries and MaxBytes bound the copies kept (0 entries: no cache).
	MaxEntries int
	MaxBytes   int64
	// MaxAge bounds how long a copy is served, whatever else happens: a
	// safety net should a change ever go unannounced.
	MaxAge time.Duration
	// Now is the clock (time.Now when nil); tests move it.
	Now func() time.Time
}

// clockSlack covers a database clock slightly behind ours: a copy built
// less than this after one of its meeting's status boundaries may still
// show the status before it, so it is not kept.
const clockSlack = 2 * time.Second

// ResponseCache keeps the final bytes of the public meeting reads — the
// meeting page, its printable agenda, its calendar file and the agenda in
// the API — as anonymous visitors get them, so that a rush on a published
// agenda costs no query and no template. It is told of changes by
// meeting.WatchChanges (it is a meeting.ChangeObserver), and serves
// nothing while changes are not being heard. A copy also expires when its
// meeting's status next changes by the clock, and after MaxAge.
type ResponseCache struct {
	cfg CacheConfig
	now func() time.Time

	mu       sync.RWMutex
	entries  map[cacheKey]*cachedResponse
	bytes    int64
	watching bool
	// epoch goes up with every change heard: a response built before one
	// may be stale and is not kept.
	epoch uint64

	// flight builds a missing response once for all who ask at the same
	// time (a change during a rush), per epoch: who asks after a change
	// was heard does not get a response built before it.
	flight singleflight.Group

	hits, misses, bypasses prometheus.Counter
}

// cacheKey names one response: what (route), of which meeting, in which
// language. The responses cached depend on nothing else (see publicRead).
type cacheKey struct {
	route string
	id    int64
	lang  string
}

// cachedResponse is a response as sent. Its header values are shared by
// every response that carries them, so they are never changed in place
// (see securityHeaderValues).
type cachedResponse struct {
	header  http.Header
	body    []byte
	etag    string
	stored  time.Time
	expires time.Time
}

// NewResponseCache returns an empty cache that serves nothing until told
// Watching(true). Its counters go into m when m is not nil.
func NewResponseCache(cfg CacheConfig, m *Metrics) *ResponseCache {
	c := &ResponseCache{cfg: cfg, now: cfg.Now, entries: map[cacheKey]*cachedResponse{}}
	if c.now == nil {
		c.now = time.Now
	}
	requests := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "agora_response_cache_requests_total",
		Help: "Anonymous public meeting reads by outcome: hit (served from memory), miss (built, and kept when allowed), bypass (not kept: changes are not being heard).",
	}, []string{"result"})
	c.hits, c.misses, c.bypasses = requests.WithLabelValues("hit"), requests.WithLabelValues("miss"), requests.WithLabelValues("bypass")
	if m != nil {
		m.Registry.MustRegister(requests,
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "agora_response_cache_entries", Help: "Responses kept in memory."},
				func() float64 { n, _ := c.size(); return float64(n) }),
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "agora_response_cache_bytes", Help: "Bytes of the responses kept in memory."},
				func() float64 { _, b := c.size(); return float64(b) }),
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "agora_response_cache_watching",
				Help: "1 while meeting changes are being heard (LISTEN), else 0: nothing is served from memory."},
				func() float64 {
					if c.Serving() {
						return 1
					}
					return 0
				}))
	}
	return c
}

func (c *ResponseCache) enabled() bool { return c != nil && c.cfg.MaxEntries > 0 }

// Serving reports whether the cache answers requests (changes are heard).
func (c *ResponseCache) Serving() bool {
	if !c.enabled() {
		return false
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.watching
}

func (c *ResponseCache) size() (int, int64) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.entries), c.bytes
}

// get returns the fresh copy under k, if any, and the epoch to build one
// under otherwise (see keep).
func (c *ResponseCache) get(k cacheKey) (*cachedResponse, uint64, bool) {
	c.mu.RLock()
	r, watching, epoch := c.entries[k], c.watching, c.epoch
	c.mu.RUnlock()
	switch {
	case !watching:
		c.bypasses.Inc()
		return nil, epoch, false
	case r != nil && c.now().Before(r.expires):
		c.hits.Inc()
		return r, epoch, true
	}
	c.misses.Inc()
	return nil, epoch, false
}

// fill builds the response under k — once, for every caller waiting on
// the same key and epoch — and keeps it (see keep).
func (c *ResponseCache) fill(k cacheKey, epoch uint64, build func() (built, error)) (*cachedResponse, error) {
	v, err, _ := c.flight.Do(k.route+"/"+strconv.FormatInt(k.id, 10)+"/"+k.lang+"/"+strconv.FormatUint(epoch, 10),
		func() (any, error) {
			b, err := build()
			if err != nil {
				return nil, err
			}
			return c.keep(k, epoch, b), nil
		})
	if err != nil {
		return nil, err
	}
	return v.(*cachedResponse), nil
}

// keep makes the response for b and keeps it under k, unless a change was
// heard since epoch (b may predate it), changes are not being heard, or it
// would expire at once.
func (c *ResponseCache) keep(k cacheKey, epoch uint64, b built) *cachedResponse {
	now := c.now()
	sum := sha256.Sum256(b.body)
	r := &cachedResponse{header: http.Header{}, body: b.body, etag: `"` + hex.EncodeToString(sum[:12]) + `"`,
		stored: now, expires: now.Add(c.cfg.MaxAge)}
	for _, kv := range b.header {
		r.header.Set(kv[0], kv[1])
	}
	r.header.Set("Content-Type", b.contentType)
	r.header.Set("ETag", r.etag)
	// Browsers keep the copy but ask each time (If-None-Match): a change
	// shows at once, and an unchanged agenda costs a 304.
	r.header.Set("Cache-Control", "no-cache")
	if next, ok := b.meeting.StatusChangesAfter(now.Add(-clockSlack)); ok && next.Before(r.expires) {
		r.expires = next
	}
	size := int64(len(r.body))
	// Copies are for visitors, who never see a meeting's online link: a
	// build whose meeting still holds one was not made for them, and
	// keeping it would hand the link to everyone.
	if !r.expires.After(now) || size > c.cfg.MaxBytes/4 || b.meeting.OnlineURL != "" {
		return r
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.watching || c.epoch != epoch {
		return r
	}
	c.remove(k)
	c.makeRoom(now, size)
	c.entries[k] = r
	c.bytes += size
	return r
}

// makeRoom drops expired copies, then the oldest, until one more of size
// bytes fits. Called with mu held.
func (c *ResponseCache) makeRoom(now time.Time, size int64) {
	full := func() bool { return len(c.entries) >= c.cfg.MaxEntries || c.bytes+size > c.cfg.MaxBytes }
	if !full() {
		return
	}
	for k, r := range c.entries {
		if !now.Before(r.expires) {
			c.remove(k)
		}
	}
	for full() && len(c.entries) > 0 {
		var oldest cacheKey
		var at time.Time
		for k, r := range c.entries {
			if at.IsZero() || r.stored.Before(at) {
				oldest, at = k, r.stored
			}
		}
		c.remove(oldest)
	}
}

func (c *ResponseCache) remove(k cacheKey) {
	if r, ok := c.entries[k]; ok {
		c.bytes -= int64(len(r.body))
		delete(c.entries, k)
	}
}

// MeetingChanged drops the copies of one meeting.
func (c *ResponseCache) MeetingChanged(id int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.epoch++
	for k := range c.entries {
		if k.id == id {
			c.remove(k)
		}
	}
}

// AllMeetingsChanged drops every copy.
func (c *ResponseCache) AllMeetingsChanged() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.clear()
}

// Watching turns serving on or off; either way what is kept is dropped,
// since changes may have gone unheard.
func (c *ResponseCache) Watching(on bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.clear()
	c.watching = on
}

func (c *ResponseCache) clear() {
	c.epoch++
	clear(c.entries)
	c.bytes = 0
}

var _ meeting.ChangeObserver = (*ResponseCache)(nil)
