package web

import "github.com/gin-gonic/gin"

// focalRoutes lists the focal pages.
func (s *Server) focalRoutes(r *gin.Engine) {
	_ = r
}
