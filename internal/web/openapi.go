package web

import (
	_ "embed"

	"github.com/gin-gonic/gin"
)

// openAPIDoc is the OpenAPI 3 description of the JSON API; a test checks
// that it names exactly the routes the router knows.
//
//go:embed openapi.json
var openAPIDoc []byte

// OpenAPI returns the OpenAPI document.
func OpenAPI() []byte { return openAPIDoc }

func (s *Server) openAPI(c *gin.Context) {
	c.Data(200, "application/json", openAPIDoc)
}
