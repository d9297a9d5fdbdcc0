package document

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"

	"github.com/jmoiron/sqlx"
)

// ErrCorrupt is returned by a Content whose bytes do not match the file's
// recorded size or SHA-256.
var ErrCorrupt = errors.New("document: stored file does not match its SHA-256")

// Content reads a stored file chunk by chunk: an io.ReadSeeker (for
// http.ServeContent and range requests) and an io.ReaderAt (for
// archive/zip). It holds one chunk in memory. Read from the start to the
// end, it checks the bytes against the recorded SHA-256 and fails before
// handing over the last chunk if they differ.
type Content struct {
	ctx   context.Context
	q     sqlx.QueryerContext
	file  File
	off   int64
	n     int64 // the chunk held, -1 for none
	chunk []byte
	sum   hash.Hash
	// summed is how far the bytes were hashed in order.
	summed int64
}

// NewContent returns a reader of f's bytes through q (the database, or
// the transaction that is writing it).
func NewContent(ctx context.Context, q sqlx.QueryerContext, f File) *Content {
	return &Content{ctx: ctx, q: q, file: f, n: -1, sum: sha256.New()}
}

// Size is the file's size.
func (c *Content) Size() int64 { return c.file.Size }

// load makes chunk n the one held.
func (c *Content) load(n int64) error {
	if n == c.n {
		return nil
	}
	var data []byte
	if err := sqlx.GetContext(c.ctx, c.q, &data, `SELECT data FROM document_chunks WHERE file_id = $1 AND n = $2`, c.file.ID, n); err != nil {
		return fmt.Errorf("document: chunk %d of file %d: %w", n, c.file.ID, err)
	}
	want := min(c.file.ChunkSize, c.file.Size-n*c.file.ChunkSize)
	if int64(len(data)) != want {
		return ErrCorrupt
	}
	c.n, c.chunk = n, data
	if n*c.file.ChunkSize == c.summed {
		c.sum.Write(data)
		c.summed += int64(len(data))
		if c.summed == c.file.Size && hex.EncodeToString(c.sum.Sum(nil)) != c.file.SHA256 {
			c.n, c.chunk = -1, nil
			return ErrCorrupt
		}
	}
	return nil
}

// Read reads from the current offset.
func (c *Content) Read(p []byte) (int, error) {
	if c.off >= c.file.Size {
		return 0, io.EOF
	}
	k, err := c.ReadAt(p, c.off)
	c.off += int64(k)
	if err == io.EOF && k > 0 {
		err = nil
	}
	return k, err
}

// ReadAt reads len(p) bytes at off (fewer only at the end, with io.EOF).
func (c *Content) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errors.New("document: negative offset")
	}
	done := 0
	for done < len(p) {
		pos := off + int64(done)
		if pos >= c.file.Size {
			return done, io.EOF
		}
		n := pos / c.file.ChunkSize
		if err := c.load(n); err != nil {
			return done, err
		}
		done += copy(p[done:], c.chunk[pos-n*c.file.ChunkSize:])
	}
	return done, nil
}

// Seek sets the offset of the next Read.
func (c *Content) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		offset += c.off
	case io.SeekEnd:
		offset += c.file.Size
	default:
		return 0, errors.New("document: bad whence")
	}
	if offset < 0 {
		return 0, errors.New("document: negative position")
	}
	c.off = offset
	return offset, nil
}
