package mail

import "sync"

// sharedBudget bounds the bytes of shared attachments a worker keeps in
// memory: the letters of an invitation run (a state's letter in a
// language is carried by each of its focal points who reads it, and again
// in the next round) are read from the database once instead of once per
// email. 64 MiB holds some two thousand letters.
const sharedBudget = 64 << 20

// sharedFiles are the shared attachments a worker holds, by id. They
// never change once stored, so a copy in memory cannot go stale; the
// oldest go first when the budget is reached. Only shared attachments
// are kept: a file of one person (a visa letter) is read for its email
// and forgotten.
type sharedFiles struct {
	mu    sync.Mutex
	files map[int64]sharedFile
	order []int64 // ids, oldest first
	bytes int
}

// sharedFile is a shared attachment as the worker holds it: its bytes,
// and the same in base64 lines as emails carry them (encoded once, not
// once per email).
type sharedFile struct {
	content, lines []byte
}

// get returns the attachment id, nil when it is not held.
func (s *sharedFiles) get(id int64) sharedFile {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.files[id]
}

// ids lists the attachments held, for the claim to leave out.
func (s *sharedFiles) ids() []int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]int64, 0, len(s.files))
	for id := range s.files {
		out = append(out, id)
	}
	return out
}

// keep holds content as attachment id and returns it as held.
func (s *sharedFiles) keep(id int64, content []byte) sharedFile {
	f := sharedFile{content: content, lines: base64Lines(content)}
	size := len(f.content) + len(f.lines)
	if size > sharedBudget/8 {
		return f
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.files == nil {
		s.files = map[int64]sharedFile{}
	}
	if held, ok := s.files[id]; ok {
		return held
	}
	for s.bytes+size > sharedBudget && len(s.order) > 0 {
		old := s.files[s.order[0]]
		s.bytes -= len(old.content) + len(old.lines)
		delete(s.files, s.order[0])
		s.order = s.order[1:]
	}
	s.files[id] = f
	s.order = append(s.order, id)
	s.bytes += size
	return f
}
