package document_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"testing"

	"github.com/coe-agora/agora/internal/proctest"
	"github.com/coe-agora/agora/internal/testdb"
)

// Two `agora serve` processes on one database, as an operator runs them:
// a file uploaded to one is served by the other, whole and in ranges,
// with the same ETag — the store is the database, not a process's disk.
func TestTwoServeProcessesServeOneFile(t *testing.T) {
	_, dsn := testdb.New(t)
	bin := proctest.BuildT(t)
	env := proctest.Quiet(dsn)
	a := proctest.Start(t, bin, "serve A", env, "serve")
	b := proctest.Start(t, bin, "serve B", env, "serve")
	api := proctest.Secretariat(t, bin, env, a.URL)
	m := api.OpenMeeting(t, "Two processes", 2, 0)
	var doc struct {
		ID int64 `json:"id"`
	}
	api.JSON(t, "POST", fmt.Sprintf("/api/v1/meetings/%d/documents", m.ID), map[string]any{
		"symbol": "TWO", "title_en": "Shared", "access": "participants"}, 201, &doc)
	body := make([]byte, 3<<20+333)
	copy(body, "%PDF-1.7\n")
	for i := 9; i < len(body); i++ {
		body[i] = byte(i * 31)
	}
	sum := sha256.Sum256(body)
	path := fmt.Sprintf("/api/v1/documents/%d/files/fr", doc.ID)

	req, _ := http.NewRequest("PUT", a.URL+path, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+api.Token)
	req.Header.Set("Content-Disposition", `attachment; filename="partage.pdf"`)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("upload to A: %d", resp.StatusCode)
	}
	get := func(base, rng string) (*http.Response, []byte) {
		req, _ := http.NewRequest("GET", base+path, nil)
		req.Header.Set("Authorization", "Bearer "+api.Token)
		if rng != "" {
			req.Header.Set("Range", rng)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		got, _ := io.ReadAll(resp.Body)
		return resp, got
	}
	respB, got := get(b.URL, "")
	if respB.StatusCode != 200 || !bytes.Equal(got, body) {
		t.Fatalf("B serves %d, %d bytes, same %v", respB.StatusCode, len(got), bytes.Equal(got, body))
	}
	if respB.Header.Get("ETag") != `"`+hex.EncodeToString(sum[:])+`"` {
		t.Errorf("B's ETag %q is not the file's SHA-256", respB.Header.Get("ETag"))
	}
	respA, part := get(a.URL, "bytes=2097100-2097199")
	if respA.StatusCode != http.StatusPartialContent || !bytes.Equal(part, body[2097100:2097200]) || respA.Header.Get("ETag") != respB.Header.Get("ETag") {
		t.Errorf("A's range: %d, %d bytes, ETag %q", respA.StatusCode, len(part), respA.Header.Get("ETag"))
	}
}
