package mail

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/coe-agora/agora/internal/postgres"
	"github.com/coe-agora/agora/internal/testdb"
)

// The database goes away while messages are being sent: the worker must
// record them as sent once it is back, not leave them to go out a second
// time when their lease runs out.
func TestWorkerRecordsSentMailOnceTheDatabaseIsBack(t *testing.T) {
	db, dsn := testdb.New(t)
	proxy, viaProxy := testdb.Proxied(t, dsn)
	wdb, err := postgres.Open(context.Background(), viaProxy, postgres.PoolOptions{MaxOpenConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { wdb.Close() })

	// The database goes away during the first message's data, for longer
	// than the three quick tries of the past.
	var once sync.Once
	srv := startFaultServer(t, func(ev faultEvent) error {
		if ev.Stage == "data" {
			once.Do(func() {
				proxy.Cut()
				time.AfterFunc(5*time.Second, func() { proxy.Restore() })
			})
		}
		return nil
	})
	ids := enqueue(t, db, newOutbox(t, db, true), invitation(1, false), invitation(2, false), invitation(3, false))
	cfg := fastConfig(viaProxy)
	cfg.Lease = 30 * time.Second // rows left 'sending' would go out again after it
	startWorker(t, wdb, srv.pool(1), cfg)

	waitFor(t, db, "status = 'sent'", time.Minute)
	checkDeliveredOnce(t, srv, ids, db)
	for _, id := range ids {
		if m := row(t, db, id); m.Attempts != 1 {
			t.Errorf("row %d: %d attempts, want 1", id, m.Attempts)
		}
	}
}
