package web

import (
	"bytes"
	"encoding/json"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/coe-agora/agora/internal/apperr"
	"github.com/coe-agora/agora/internal/meeting"
)

// idParam reads a numeric id from the path; a malformed one is simply not found.
func idParam(c *gin.Context, name string) (int64, error) {
	id, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.New(apperr.NotFound, apperr.M("err.no_such", "Name", name))
	}
	return id, nil
}

// patchOnto returns an apply function that decodes body onto v strictly.
// Each field the body gives a value is emptied first, so that the value
// replaces the current one whole: encoding/json decodes into what is
// there, and a list of objects (an item's speakers) would otherwise be
// merged element by element, keeping what the new elements leave out.
func patchOnto[T any](body []byte) func(*T) error {
	return func(v *T) error {
		var named map[string]json.RawMessage
		if json.Unmarshal(body, &named) == nil {
			clearNamed(reflect.ValueOf(v).Elem(), named)
		}
		return decodeStrict(body, v)
	}
}

// clearNamed zeroes the fields of the struct v that named gives a value
// (null aside, which decoding handles), matching names as encoding/json
// does: by JSON name, without regard to case, through embedded structs.
func clearNamed(v reflect.Value, named map[string]json.RawMessage) {
	t := v.Type()
	for i := range t.NumField() {
		sf := t.Field(i)
		tag, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if sf.Anonymous && tag == "" && sf.Type.Kind() == reflect.Struct {
			clearNamed(v.Field(i), named)
			continue
		}
		if !sf.IsExported() || tag == "-" {
			continue
		}
		if tag == "" {
			tag = sf.Name
		}
		for k, raw := range named {
			if strings.EqualFold(k, tag) && string(bytes.TrimSpace(raw)) != "null" {
				v.Field(i).SetZero()
			}
		}
	}
}

// decodeMeetingFields decodes body onto f strictly. "venue", the English
// venue's name from before venue_en and venue_fr, sets venue_en unless
// the body sets venue_en itself.
func decodeMeetingFields(body []byte, f *meeting.Fields) error {
	var fields map[string]json.RawMessage
	if json.Unmarshal(body, &fields) == nil {
		if _, ok := fields["quotas"]; ok {
			f.Quotas = nil // the overrides given replace the old ones as a whole
		}
		if v, ok := fields["venue"]; ok {
			delete(fields, "venue")
			if _, set := fields["venue_en"]; !set {
				fields["venue_en"] = v
			}
			if b, err := json.Marshal(fields); err == nil {
				body = b
			}
		}
	} // else the strict decoder says what is wrong with the body
	return patchOnto[meeting.Fields](body)(f)
}

func (s *Server) createMeeting(c *gin.Context) {
	f := meeting.DefaultFields()
	body, err := s.readBody(c)
	if err == nil {
		err = decodeMeetingFields(body, &f)
	}
	if err != nil {
		s.writeError(c, err)
		return
	}
	m, err := s.deps.Meetings.Create(c.Request.Context(), actorOf(c), f)
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusCreated, m)
}

func (s *Server) listMeetings(c *gin.Context) {
	f := meeting.Filter{Status: c.Query("status"), Cursor: c.Query("cursor")}
	errs := apperr.Fields{}
	f.Limit = queryLimit(c, errs)
	f.From = queryTime(c, "from", errs)
	f.To = queryTime(c, "to", errs)
	if err := errs.Err(); err != nil {
		s.writeError(c, err)
		return
	}
	ms, next, err := s.deps.Meetings.Meetings(c.Request.Context(), actorOf(c), f)
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"meetings": ms, "next": nullable(next)})
}

func (s *Server) getMeeting(c *gin.Context) {
	s.withID(c, http.StatusOK, func(id int64) (any, error) {
		return s.deps.Meetings.Meeting(c.Request.Context(), actorOf(c), id)
	})
}

func (s *Server) updateMeeting(c *gin.Context) {
	s.withID(c, http.StatusOK, func(id int64) (any, error) {
		body, err := s.readBody(c)
		if err != nil {
			return nil, err
		}
		return s.deps.Meetings.Update(c.Request.Context(), actorOf(c), id, func(f *meeting.Fields) error {
			return decodeMeetingFields(body, f)
		})
	})
}

func (s *Server) publishMeeting(c *gin.Context) {
	s.meetingAction(c, func(id int64) (meeting.Meeting, error) {
		return s.deps.Meetings.Publish(c.Request.Context(), actorOf(c), id)
	})
}

func (s *Server) archiveMeeting(c *gin.Context) {
	s.meetingAction(c, func(id int64) (meeting.Meeting, error) {
		return s.deps.Meetings.Archive(c.Request.Context(), actorOf(c), id)
	})
}

// copyMeeting: POST /api/v1/meetings/{id}/copy {"starts_at"} — a new
// draft with the meeting's settings and agenda, moved to starts_at.
func (s *Server) copyMeeting(c *gin.Context) {
	s.withID(c, http.StatusCreated, func(id int64) (any, error) {
		var in struct {
			StartsAt time.Time `json:"starts_at"`
		}
		if err := s.decodeJSON(c, &in); err != nil {
			return nil, err
		}
		return s.deps.Meetings.Copy(c.Request.Context(), actorOf(c), id, in.StartsAt)
	})
}

// deleteMeeting: DELETE /api/v1/meetings/{id} — drafts only.
func (s *Server) deleteMeeting(c *gin.Context) {
	s.withID(c, http.StatusNoContent, func(id int64) (any, error) {
		return nil, s.deps.Meetings.Delete(c.Request.Context(), actorOf(c), id)
	})
}

func (s *Server) cancelMeeting(c *gin.Context) {
	var in reasonInput
	if err := s.decodeJSON(c, &in); err != nil {
		s.writeError(c, err)
		return
	}
	s.meetingAction(c, func(id int64) (meeting.Meeting, error) {
		return s.deps.Meetings.Cancel(c.Request.Context(), actorOf(c), id, in.reason())
	})
}

// reasonInput is the body of a cancellation or a decline: the reason in
// English and French; "reason" is the English one's older name.
type reasonInput struct {
	Reason   string `json:"reason"`
	ReasonEN string `json:"reason_en"`
	ReasonFR string `json:"reason_fr"`
}

// formReason reads the reason fields of a page's form; "reason" is the
// English one's older name.
func formReason(c *gin.Context) meeting.Reason {
	return reasonInput{Reason: c.PostForm("reason"), ReasonEN: c.PostForm("reason_en"), ReasonFR: c.PostForm("reason_fr")}.reason()
}

func (in reasonInput) reason() meeting.Reason {
	if in.ReasonEN == "" {
		in.ReasonEN = in.Reason
	}
	return meeting.Reason{EN: in.ReasonEN, FR: in.ReasonFR}
}

func (s *Server) meetingAction(c *gin.Context, act func(id int64) (meeting.Meeting, error)) {
	s.withID(c, http.StatusOK, func(id int64) (any, error) { return act(id) })
}

func (s *Server) meetingHistory(c *gin.Context) {
	s.withID(c, http.StatusOK, func(id int64) (any, error) {
		changes, err := s.deps.Meetings.History(c.Request.Context(), actorOf(c), id)
		return gin.H{"changes": nonNil(changes)}, err
	})
}

// queryLimit reads ?limit=: 0 when absent (the default page size), and
// -1 (refused by the services) for zero, negative or non-numeric values.
func queryLimit(c *gin.Context, errs apperr.Fields) int {
	v, ok := c.GetQuery("limit")
	if !ok {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		errs.Add("limit", apperr.M("err.whole_number_range", "A", 1, "B", 500))
		return -1
	}
	return n
}

func queryTime(c *gin.Context, name string, errs apperr.Fields) *time.Time {
	v := c.Query(name)
	if v == "" {
		return nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		if d, err2 := time.Parse("2006-01-02", v); err2 == nil {
			return &d
		}
		errs.Add(name, apperr.M("err.date_or_time"))
		return nil
	}
	return &t
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}
