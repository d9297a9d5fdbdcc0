package web

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/coe-agora/agora/internal/apperr"
	"github.com/coe-agora/agora/internal/postgres"
)

// statusOf maps an application error code to its HTTP status. It is the
// only place where codes meet statuses.
func statusOf(code apperr.Code) int {
	switch code {
	case apperr.Invalid:
		return http.StatusUnprocessableEntity
	case apperr.Malformed:
		return http.StatusBadRequest
	case apperr.Unauthorized:
		return http.StatusUnauthorized
	case apperr.Forbidden:
		return http.StatusForbidden
	case apperr.NotFound:
		return http.StatusNotFound
	case apperr.Conflict:
		return http.StatusConflict
	case apperr.TooLarge:
		return http.StatusRequestEntityTooLarge
	case apperr.RateLimited:
		return http.StatusTooManyRequests
	case apperr.Unavailable:
		return http.StatusServiceUnavailable
	default:
		return http.StatusInternalServerError
	}
}

type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    apperr.Code       `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
}

// classify turns any error into an application error that is safe to show.
// Errors that are not ours become "internal error" (or "unavailable" when the
// database is down); their detail goes to the log, never to the client.
func classify(err error) *apperr.Error {
	if e, ok := apperr.As(err); ok {
		return e
	}
	var maxBytes *http.MaxBytesError
	if errors.As(err, &maxBytes) {
		return apperr.New(apperr.TooLarge, apperr.M("err.body_too_large", "N", maxBytes.Limit))
	}
	if postgres.IsUnavailable(err) {
		return apperr.Wrap(err, apperr.Unavailable, apperr.M("err.unavailable"))
	}
	return apperr.Wrap(err, apperr.Internal, apperr.M("err.internal"))
}

// writeError answers a JSON API request with the error body of API.md.
func (s *Server) writeError(c *gin.Context, err error) {
	e := classify(err)
	status := statusOf(e.Code)
	if status >= 500 {
		s.logFailure(c, err)
		if e.Code == apperr.Internal {
			e = apperr.New(apperr.Internal, apperr.M("err.internal"))
		}
	}
	// The API speaks English, from the same catalog as the pages.
	body := errorBody{Error: errorDetail{Code: e.Code, Message: apiText(s.cat, e.Msg)}}
	if e.Code == apperr.Invalid && len(e.Fields) > 0 {
		body.Error.Fields = make(map[string]string, len(e.Fields))
		for field, msg := range e.Fields {
			body.Error.Fields[field] = apiText(s.cat, msg)
		}
	}
	if e.Code == apperr.Unavailable {
		c.Header("Retry-After", retryAfter)
	}
	c.AbortWithStatusJSON(status, body)
}

// retryAfter is the Retry-After of a 503 "unavailable", in seconds.
const retryAfter = "5"

// logFailure logs a request that failed on our side (5xx) with its cause,
// which the client never sees.
func (s *Server) logFailure(c *gin.Context, err error) {
	s.log.ErrorContext(c.Request.Context(), "request failed",
		slog.String("request_id", requestID(c)), slog.String("route", routeOf(c)), slog.Any("error", err))
}
