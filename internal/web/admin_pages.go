package web

import "github.com/gin-gonic/gin"

// adminRoutes lists the admin pages.
func (s *Server) adminRoutes(r *gin.Engine) {
	_ = r
}
